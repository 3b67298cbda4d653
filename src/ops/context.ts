/**
 * The one command layer (lazygit's pkg/commands): every operation an operator can ask for —
 * promote, rollback, gate preview, retrain, cancel, compare, status, history, snapshot — is a
 * function here taking an OpsContext. The CLI commands parse flags, open a context, call one
 * of these and print; the console's engine (src/engine/operations.ts) calls the same ones.
 * Nothing here prints or exits; a request the caller got wrong throws OpsInputError (the CLI
 * turns it into exit 2).
 */
import type { Db } from '../../store/db.js';
import type { AuditInput } from '../../store/audit.js';
import type { Config } from '../config.js';

export interface OpsContext {
  db: Db;
  cfg: Config;
  /** who is asking, for the audit trail */
  operator: AuditInput;
}

/** A request that can never succeed as given (a bad reference, an unknown job): the caller's to fix. */
export class OpsInputError extends Error {}
