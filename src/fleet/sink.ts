/**
 * The seam between the fleet's consumer and the store (issue 17).
 *
 * Today the only implementation is SQLite (store/fleetStore.ts): one writer,
 * embedded, the default. When one SQLite writer is no longer enough, a shared
 * server database (PostgreSQL) fills the same two calls: `commit` is one
 * transaction with `INSERT … ON CONFLICT DO NOTHING` on the same keys
 * (request_id, model, version) / request_id / origin, so redelivery stays
 * absorbed, and several ingests can then write at once (one per partition of
 * hosts, each with its own durable consumer filtered on `<stream>.lines.<host>`).
 *
 * What crosses that seam for the analytics must be mergeable, so that partial
 * results of several writers (or several hosts) add up to the fleet's figure:
 *   exact   — counts, class confusion matrices, pair tables (agree/disagree ×
 *             right/wrong for McNemar), histograms on fixed reference bins (PSI,
 *             chi-squared, Jensen–Shannon read from merged bins), sums and sums of
 *             squares (means, variances): merging is addition;
 *   sketch  — quantiles and the empirical CDFs behind KS and Wasserstein: a
 *             mergeable quantile sketch (KLL or t-digest) with a stated rank error
 *             ε (KLL: ε ≈ 1.65/k, ~0.5% at k = 350; a KS statistic read from two
 *             sketches is within 2ε of the exact one).
 * Nothing of the PostgreSQL side is built; this interface is the contract it fills.
 */
import type { BatchResult, SchemaField } from '../../store/ingestStore.js';
import type { RemoteLine } from '../../store/fleetStore.js';

export interface LineSink {
  /** Commits shipped lines in one transaction; copies of lines already stored are absorbed, not stored twice. */
  commit(lines: RemoteLine[], newFields: SchemaField[]): BatchResult;
  /** Feature kinds already known, so new ones are written with the rows that introduce them. */
  schema(): SchemaField[];
}
