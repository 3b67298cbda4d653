/**
 * What the console says when there is no terminal to draw on. Its own module, free of Ink and
 * React, so a command can refuse before loading them (issue 14's start-up rule).
 */
export const NO_TTY_MESSAGE = 'The console needs an interactive terminal; for scripts and pipes use `mlops-tui status --json`.';
