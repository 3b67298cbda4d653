// Ink switches to "CI mode" (draws nothing until exit) when it sees CI variables, which CI
// runs of this suite always set. The UI tests are about what a terminal shows, so the
// variables are dropped in every test process before Ink loads; the product does the same
// on a real terminal (bin/mlops-tui.js). Nothing else in the suite reads them.
for (const key of Object.keys(process.env)) {
  if (key === 'CI' || key === 'CONTINUOUS_INTEGRATION' || key.startsWith('CI_')) delete process.env[key];
}
