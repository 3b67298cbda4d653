/**
 * Publishing to JetStream with many acknowledgements in flight.
 *
 * `js.publish()` of @nats-io/jetstream is one request per message, and each
 * builds two Error objects with stack traces up front (for a timeout that
 * rarely comes); measured on a loaded 2-core machine that capped a shipper at
 * ~3k lines/s, half the CPU in those constructors and the GC. This is the same
 * protocol with one reply subscription for all messages: publish with the
 * `Nats-Msg-Id` header and a reply subject `<inbox>.<n>`, and resolve message n
 * when its PubAck arrives (`{"stream":…,"seq":…,"duplicate":true?}`), or reject
 * it on an API error, a 503 (no stream leader reachable) or a timeout.
 */
import { createInbox, headers, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';

export interface Ack {
  seq: number;
  duplicate: boolean;
}

interface Pending {
  resolve: (a: Ack) => void;
  reject: (e: Error) => void;
  at: number;
}

export class AckPublisher {
  private readonly inbox = createInbox();
  private readonly sub: Subscription;
  private readonly pending = new Map<number, Pending>();
  private next = 0;
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly nc: NatsConnection, private readonly timeoutMs = 5000) {
    this.sub = nc.subscribe(`${this.inbox}.*`, { callback: (_err, msg) => this.onReply(msg) });
    this.sweeper = setInterval(() => this.sweep(), Math.min(1000, timeoutMs / 2));
    this.sweeper.unref();
  }

  private onReply(msg: Msg): void {
    const n = Number(msg.subject.slice(this.inbox.length + 1));
    const p = this.pending.get(n);
    if (!p) return;
    this.pending.delete(n);
    if (msg.headers?.hasError || msg.data.length === 0) {
      p.reject(new Error(`JetStream answered ${msg.headers?.code ?? '?'} ${msg.headers?.description ?? ''} (no stream leader reachable?)`.trim()));
      return;
    }
    let a: { seq?: number; duplicate?: boolean; error?: { code?: number; description?: string } };
    try {
      a = JSON.parse(Buffer.from(msg.data).toString('utf8')) as typeof a;
    } catch {
      p.reject(new Error('JetStream sent an unreadable acknowledgement'));
      return;
    }
    if (a.error) p.reject(new Error(`JetStream refused the message: ${a.error.description ?? a.error.code}`));
    else p.resolve({ seq: a.seq ?? 0, duplicate: a.duplicate === true });
  }

  private sweep(): void {
    const cutoff = performance.now() - this.timeoutMs;
    for (const [n, p] of this.pending) {
      if (p.at > cutoff) break; // insertion order is time order
      this.pending.delete(n);
      p.reject(new Error(`no acknowledgement from JetStream within ${this.timeoutMs} ms`));
    }
  }

  publish(subject: string, body: string, msgId: string): Promise<Ack> {
    const n = this.next++;
    return new Promise<Ack>((resolve, reject) => {
      this.pending.set(n, { resolve, reject, at: performance.now() });
      const h = headers();
      h.set('Nats-Msg-Id', msgId);
      try {
        this.nc.publish(subject, body, { headers: h, reply: `${this.inbox}.${n}` });
      } catch (err) {
        this.pending.delete(n);
        reject(err as Error);
      }
    });
  }

  close(): void {
    clearInterval(this.sweeper);
    this.sub.unsubscribe();
    for (const p of this.pending.values()) p.reject(new Error('publisher closed'));
    this.pending.clear();
  }
}
