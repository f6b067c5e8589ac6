import { connect, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { Bus, BusHandler } from './bus.js';
import { MemoryBus } from './memory.js';

const PREFIX = 'parley.';

/**
 * The multi-node bus: every node publishes on NATS subjects (`parley.conv.<id>`,
 * `parley.user.<id>`, `parley.presence.<id>`) and subscribes only to subjects its own sockets
 * need. Local subscribers get local publishes directly (and `noEcho` keeps NATS from sending our
 * own messages back), so a node keeps serving its own sockets while NATS is down; what other
 * nodes missed meanwhile, their clients recover by resync.
 */
export class NatsBus implements Bus {
  readonly name = 'nats';
  private readonly local = new MemoryBus();
  private readonly remote = new Map<string, { refs: number; sub: Subscription | null }>();
  private nc: NatsConnection | null = null;
  private connected = false;
  private closing = false;

  private constructor(
    private readonly url: string,
    private readonly log: Logger,
  ) {}

  /** Starts connecting in the background (retrying forever); the node serves meanwhile. */
  static start(url: string, log: Logger, nodeName: string): NatsBus {
    const bus = new NatsBus(url, log);
    void bus.run(nodeName);
    return bus;
  }

  /** Resolves once connected (for tests and start-up logs); never rejects. */
  async ready(timeoutMs = 10_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.connected && Date.now() < deadline && !this.closing) await new Promise((r) => setTimeout(r, 20));
    return this.connected;
  }

  private async run(nodeName: string): Promise<void> {
    for (let attempt = 0; !this.closing; attempt++) {
      try {
        const nc = await connect({ servers: this.url, name: nodeName, noEcho: true, maxReconnectAttempts: -1, reconnectTimeWait: 500, pingInterval: 5_000, maxPingOut: 2 });
        if (this.closing) {
          await nc.close();
          return;
        }
        this.nc = nc;
        this.connected = true;
        this.log.info({ url: this.url }, 'connected to NATS');
        for (const [subject, entry] of this.remote) entry.sub ??= this.natsSubscribe(subject);
        void this.watch(nc);
        await nc.closed();
        this.connected = false;
        this.nc = null;
        for (const entry of this.remote.values()) entry.sub = null;
      } catch (err) {
        if (attempt % 20 === 0) this.log.warn({ err, url: this.url }, 'NATS unreachable; serving local sockets only, retrying');
        await new Promise((r) => setTimeout(r, Math.min(5_000, 250 * 2 ** Math.min(attempt, 5))));
      }
    }
  }

  private async watch(nc: NatsConnection): Promise<void> {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect') {
        this.connected = false;
        this.log.warn('lost NATS; serving local sockets only until it is back');
      } else if (s.type === 'reconnect') {
        this.connected = true;
        this.log.info('NATS is back');
      }
    }
  }

  private natsSubscribe(subject: string): Subscription | null {
    if (!this.nc) return null;
    return this.nc.subscribe(PREFIX + subject, {
      callback: (err, msg) => {
        if (err) return;
        this.local.publish(subject, msg.string());
      },
    });
  }

  publish(subject: string, payload: string): void {
    this.local.publish(subject, payload);
    if (!this.nc || !this.connected) return;
    try {
      this.nc.publish(PREFIX + subject, payload);
    } catch (err) {
      this.log.debug({ err }, 'NATS publish failed');
    }
  }

  subscribe(subject: string, handler: BusHandler): () => void {
    const off = this.local.subscribe(subject, handler);
    let entry = this.remote.get(subject);
    if (!entry) {
      entry = { refs: 0, sub: this.natsSubscribe(subject) };
      this.remote.set(subject, entry);
    }
    entry.refs++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      off();
      const e = this.remote.get(subject);
      if (!e) return;
      if (--e.refs === 0) {
        e.sub?.unsubscribe();
        this.remote.delete(subject);
      }
    };
  }

  /** A PING/PONG round trip: NATS handles a connection's protocol in order, so our SUBs are in. */
  async flush(timeoutMs = 1_000): Promise<void> {
    const nc = this.nc;
    if (!nc || !this.connected) return;
    let timer: NodeJS.Timeout | undefined;
    // Best effort, like the timeout: a failed flush only means our SUBs may not be in yet; say so.
    const flushed = nc.flush().catch((err: unknown) => this.log.warn({ err }, 'NATS flush failed; subscriptions may not be active yet'));
    await Promise.race([flushed, new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
  }

  healthy(): boolean {
    return this.connected;
  }

  async close(): Promise<void> {
    this.closing = true;
    const nc = this.nc;
    this.nc = null;
    this.connected = false;
    if (nc) await nc.drain().catch(() => nc.close());
    await this.local.close();
  }
}
