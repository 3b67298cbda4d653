/**
 * Real nats-server processes for the fleet tests: one server or a 3-node
 * JetStream cluster on loopback, on ports free at run time, with JetStream
 * storage in a temporary folder. A node can be killed and started again on the
 * same ports and storage. Tests skip (with the reason) when the binary is absent.
 * The caller stops the servers (`after(() => nats.stopAll())` in a test; bench/fleet too).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

export function natsServerBinary(): string | null {
  for (const p of ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server']) if (existsSync(p)) return p;
  const r = spawnSync('sh', ['-c', 'command -v nats-server'], { encoding: 'utf8' });
  const p = r.stdout.trim();
  return r.status === 0 && p.length > 0 ? p : null;
}

export const NO_NATS = 'nats-server is not installed (Debian: apt-get install nats-server); the fleet tests need a real one';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface NatsNode {
  name: string;
  port: number;
  clusterPort: number;
  url: string;
  storeDir: string;
  proc: ChildProcess | null;
  log: string;
}

export class NatsCluster {
  readonly nodes: NatsNode[] = [];
  private constructor(private readonly bin: string, private readonly clustered: boolean, private readonly config: string | null) {}

  /**
   * Starts `size` servers (1: a single JetStream server; 3: a cluster) under `dir`.
   * `config`: a nats-server config file (authorization, tls) every node also reads.
   */
  static async start(dir: string, size: number, opts: { config?: string } = {}): Promise<NatsCluster> {
    const bin = natsServerBinary();
    if (bin === null) throw new Error(NO_NATS);
    const c = new NatsCluster(bin, size > 1, opts.config ?? null);
    for (let i = 0; i < size; i++) {
      const port = await freePort();
      const clusterPort = await freePort();
      const storeDir = join(dir, `js-n${i + 1}`);
      mkdirSync(storeDir, { recursive: true });
      c.nodes.push({ name: `n${i + 1}`, port, clusterPort, url: `nats://127.0.0.1:${port}`, storeDir, proc: null, log: '' });
    }
    await Promise.all(c.nodes.map((n) => c.startNode(n)));
    return c;
  }

  get urls(): string {
    return this.nodes.map((n) => n.url).join(',');
  }

  private args(n: NatsNode): string[] {
    const a = ['-a', '127.0.0.1', '-p', String(n.port), '-js', '-sd', n.storeDir, '-n', n.name];
    if (this.config !== null) a.push('-c', this.config);
    if (this.clustered) {
      const routes = this.nodes.filter((o) => o !== n).map((o) => `nats://127.0.0.1:${o.clusterPort}`).join(',');
      a.push('--cluster_name', 'mlops-test', '--cluster', `nats://127.0.0.1:${n.clusterPort}`, '--routes', routes);
    }
    return a;
  }

  /** Starts (or restarts) one node on its ports and storage; resolves when it accepts clients. */
  startNode(n: NatsNode): Promise<void> {
    return new Promise((resolve, reject) => {
      const p = spawn(this.bin, this.args(n), { stdio: ['ignore', 'ignore', 'pipe'] });
      n.proc = p;
      n.log = '';
      let ready = false;
      p.stderr!.setEncoding('utf8');
      p.stderr!.on('data', (d: string) => {
        n.log = (n.log + d).slice(-20000);
        if (!ready && n.log.includes('Server is ready')) { ready = true; resolve(); }
      });
      p.once('exit', (code) => {
        if (n.proc === p) n.proc = null;
        if (!ready) reject(new Error(`nats-server ${n.name} exited with ${code}: ${n.log.slice(-2000)}`));
      });
    });
  }

  /** SIGKILL: the node vanishes mid-stream, no goodbye to clients or peers. */
  async kill(n: NatsNode): Promise<void> {
    const p = n.proc;
    if (!p) return;
    const gone = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await gone;
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.nodes.map((n) => this.kill(n)));
  }
}
