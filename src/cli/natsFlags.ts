/**
 * The NATS authentication and TLS flags of `ship`, `ingest --from` and the
 * console's `--from`, declared once so the three commands take the same flags
 * with the same help. The parsing is src/fleet/natsAuth.ts, loaded inside the
 * action (a command module stays light, issue 14).
 */
import type { Command } from 'commander';
import { UsageError } from './context.js';
import type { NatsEndpoint, NatsFlagValues } from '../fleet/natsAuth.js';

export const NATS_AUTH_HELP = `
NATS authentication and TLS (the same for ship, ingest --from and the console's --from):
  user and password  --nats-user NAME (or MLOPS_NATS_USER) with the password in MLOPS_NATS_PASS
  token              MLOPS_NATS_TOKEN, or --nats-token-file FILE
  JWT + NKey         --nats-creds FILE (a .creds file, as \`nsc generate creds\` writes)
  in the URL         nats://user:pass@host:4222 or nats://token@host:4222 (ps shows it: prefer the above)
  TLS                --nats-tls-ca FILE (the CA of the servers' certificates), --nats-tls-cert FILE and
                     --nats-tls-key FILE for servers that verify clients; tls://host:4222 requires TLS too
Passwords and tokens are never flag values: every user of the machine sees argv in ps.
Refused credentials or a failed TLS handshake end the command in one sentence, exit 1.`;

export function addNatsFlags(cmd: Command): Command {
  return cmd
    .option('--nats-user <name>', 'NATS user; its password is read from MLOPS_NATS_PASS')
    .option('--nats-creds <file>', 'NATS credentials file (user JWT and NKey seed)')
    .option('--nats-token-file <file>', 'file holding the NATS token (or MLOPS_NATS_TOKEN)')
    .option('--nats-tls-ca <file>', 'CA certificate(s) that signed the NATS servers\' certificates (PEM); implies TLS')
    .option('--nats-tls-cert <file>', 'client certificate for NATS servers that verify clients (PEM, with --nats-tls-key)')
    .option('--nats-tls-key <file>', 'private key of --nats-tls-cert (PEM)');
}

/** The servers and how to reach them; an inconsistent flag is a usage error (exit 2). */
export async function natsEndpointOf(spec: string, flag: string, flags: NatsFlagValues): Promise<NatsEndpoint> {
  const [{ natsEndpoint }, { FleetConfigError }] = await Promise.all([import('../fleet/natsAuth.js'), import('../fleet/jetstream.js')]);
  try {
    return natsEndpoint(spec, flag, flags);
  } catch (err) {
    if (err instanceof FleetConfigError) throw new UsageError(err.message);
    throw err;
  }
}
