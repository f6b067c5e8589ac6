import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { ErrorBody, ServerFrame } from '@parley/protocol';
import type { Actor } from '../core/context.js';
import type { TokenBuckets } from '../core/rate-limit.js';

let nextConnId = 1;

const TEXT = { binary: false } as const;

/** One device's socket: its identity, its subscriptions and its bounded send buffer. */
export class Connection {
  readonly id = nextConnId++;
  actor: Actor | null = null;
  alive = true;
  readonly convs = new Set<string>();
  /** Per subscribed conversation: the first seq this member may read (since_join channels start late). */
  readonly visibleFrom = new Map<string, number>();
  /** Per subscribed conversation: its last seq when this socket subscribed (a member.left at or before it is an older leave). */
  readonly subscribedAt = new Map<string, number>();
  readonly presence = new Set<string>();
  /** Whether typing indicators and presence changes are sent here (`connection.set`: low-bandwidth clients turn them off). */
  typing = true;
  presenceOn = true;
  /**
   * Requests from one socket start in the order they came, each once the one before it is done;
   * a send is "done" here once it has its place in the commit order (see Gateway.onFrame).
   */
  queue: Promise<void> = Promise.resolve();
  /** Sends of this socket that have their place in the commit order and wait for it. */
  sendsInFlight = 0;
  /** Who waits for one of them to finish: at most one, as the socket's requests start one at a time. */
  private onSendFinished: (() => void) | null = null;
  closed = false;
  /** Called once when the server decides to close, before the socket has finished closing. */
  onClosing: (() => void) | null = null;
  /** Told when the socket is dropped as a slow consumer (the metrics count them). */
  onSlow: (() => void) | null = null;

  constructor(
    readonly ws: WebSocket,
    readonly ip: string,
    readonly frameLimiter: TokenBuckets,
    private readonly maxBuffer: number,
  ) {}

  /**
   * Resolves once one of the sends in flight has finished. A counter and one waiter rather than a
   * race over the sends' promises: a race subscribes to every one of them each time, and with
   * 1,000 sockets at their limit those subscriptions were a million live objects for the GC.
   */
  sendFinished(): Promise<void> {
    return new Promise((resolve) => (this.onSendFinished = resolve));
  }

  /** Counts a send out (answered, refused or failed) and wakes whoever waits for room. */
  finishSend(): void {
    this.sendsInFlight--;
    const wake = this.onSendFinished;
    this.onSendFinished = null;
    wake?.();
  }

  private corked = false;

  /**
   * Sends a pre-encoded frame (a Buffer when the same frame goes to many sockets, so it is
   * UTF-8-encoded once); a consumer whose waiting data would pass the bound is dropped (it will
   * resync).
   */
  sendRaw(frame: string | Buffer): void {
    if (this.closed) return;
    // Corked bytes count in bufferedAmount; hand them to the kernel before judging the reader.
    if (this.corked && this.ws.bufferedAmount + frame.length > this.maxBuffer) this.uncork();
    // A frame larger than the whole bound (a big resync page) still goes to a reader that has
    // caught up; only a reader that leaves data waiting is slow.
    const waiting = this.ws.bufferedAmount;
    if (waiting > 0 && waiting + frame.length > this.maxBuffer) {
      this.onSlow?.();
      this.close(4008, 'slow consumer: send buffer full; reconnect and resync');
      setTimeout(() => this.ws.terminate(), 2000).unref();
      return;
    }
    this.cork();
    this.ws.send(frame, TEXT);
  }

  /**
   * Frames written in one turn of the event loop (an ack and the echo of the same send, a batch
   * of fan-out) leave in one writev instead of a system call each: the TCP socket under ws is
   * corked until the loop's check phase. ws only exposes that socket as `_socket`.
   */
  private cork(): void {
    if (this.corked) return;
    const sock = this.socket();
    if (!sock || sock.destroyed) return;
    this.corked = true;
    sock.cork();
    setImmediate(() => this.uncork());
  }

  private uncork(): void {
    if (!this.corked) return;
    this.corked = false;
    this.socket()?.uncork();
  }

  private socket(): Duplex | undefined {
    return (this.ws as unknown as { _socket?: Duplex })._socket;
  }

  send(frame: ServerFrame): void {
    this.sendRaw(JSON.stringify(frame));
  }

  error(id: string | null, error: ErrorBody): void {
    this.send({ type: 'error', id, error });
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.ws.close(code, reason.slice(0, 120));
    this.onClosing?.();
  }
}
