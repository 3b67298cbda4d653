/**
 * Who may talk to `serve`. By default it binds loopback only. Binding another address
 * exposes the registry's models and the prediction logs to the network, so it takes two
 * explicit decisions: `--allow-remote`, and a token every request must carry as
 * `Authorization: Bearer <token>`. The token comes from a file or the environment, never
 * the command line (where `ps` shows it to every local user).
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import { isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';

export const TOKEN_ENV = 'MLOPS_TUI_TOKEN';
/** A token shorter than this is guessable over the network. */
export const MIN_TOKEN_CHARS = 16;

export function isLoopback(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || /^::ffff:127\./.test(h);
  return false;
}

export class AccessError extends Error {}

/**
 * The one rule for what address may be bound with what protection. Returns the token the
 * server must require (null: loopback without a token).
 */
export function accessPolicy(host: string, allowRemote: boolean, token: string | null): string | null {
  if (token !== null && token.length < MIN_TOKEN_CHARS) throw new AccessError(`the serve token must be at least ${MIN_TOKEN_CHARS} characters`);
  if (isLoopback(host)) return token;
  if (!allowRemote) {
    throw new AccessError(`--host ${host} would accept requests from other machines; serve binds loopback only unless you pass --allow-remote with a token (${TOKEN_ENV} or --token-file) that clients send as "Authorization: Bearer <token>"`);
  }
  if (token === null) throw new AccessError(`--allow-remote needs a token: set ${TOKEN_ENV} or pass --token-file FILE; clients send it as "Authorization: Bearer <token>"`);
  return token;
}

/** Compares in constant time (over hashes, so the lengths need not match). */
export function authorized(req: IncomingMessage, token: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  if (!m) return false;
  const digest = (s: string): Buffer => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(m[1]), digest(token));
}
