/** The append-only audit trail (triggers in the schema refuse UPDATE and DELETE). */
import { userInfo } from 'node:os';
import type { Db } from './db.js';

export interface AuditInput {
  operator: string;
  client: string | null;
}

export interface AuditRow extends AuditInput {
  id: number;
  at: number;
  action: string;
  subject: string | null;
  before: string | null;
  after: string | null;
  details: string | null;
}

/** Who is acting: $USER (or the OS account) and the SSH client address when there is one. */
export function currentOperator(env: NodeJS.ProcessEnv = process.env): AuditInput {
  let user = env.USER ?? env.LOGNAME;
  if (!user) {
    try { user = userInfo().username; } catch { user = 'unknown'; }
  }
  const ssh = env.SSH_CONNECTION ?? env.SSH_CLIENT;
  return { operator: user, client: ssh ? ssh.split(' ')[0] : null };
}

export function appendAudit(db: Db, e: AuditInput & { action: string; subject: string | null; before: string | null; after: string | null; details: string | null }): void {
  db.prepare('INSERT INTO audit (at, operator, client, action, subject, before, after, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
    .run(Date.now(), e.operator, e.client, e.action, e.subject, e.before, e.after, e.details);
}

export function auditTrail(db: Db, limit = 200): AuditRow[] {
  return db.prepare('SELECT id, at, operator, client, action, subject, before, after, details FROM audit ORDER BY id DESC LIMIT ?').all(limit) as AuditRow[];
}
