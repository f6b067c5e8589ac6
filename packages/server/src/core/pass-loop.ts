/**
 * A background job's heartbeat: `pass` runs one at a time, soon after each `kick()` (kicks during
 * a pass coalesce into one more), every `everyMs` as a safety net, and not at all once stopped.
 * `stop()` waits for the pass under way, so the database is not closed under it.
 *
 * `minGapMs`: passes start at least this far apart; a kick sooner waits out the rest. A job kicked
 * by every committed batch would otherwise run a pass per batch under load (hundreds a second).
 */
export class PassLoop {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();
  private kicked = false;
  private stopped = true;
  private lastStart = -Infinity;
  private deferred: NodeJS.Timeout | null = null;

  constructor(
    private readonly pass: () => Promise<void>,
    private readonly onError: (err: unknown) => void,
    private readonly minGapMs = 0,
  ) {}

  /** False before start() and after stop(): a long pass checks it between steps. */
  get active(): boolean {
    return !this.stopped;
  }

  start(everyMs: number): void {
    if (this.timer) return;
    this.stopped = false;
    this.timer = setInterval(() => this.kick(), everyMs);
    this.timer.unref();
    this.kick();
  }

  kick(): void {
    if (this.kicked || this.stopped || this.deferred) return;
    const wait = this.lastStart + this.minGapMs - performance.now();
    if (wait > 0) {
      this.deferred = setTimeout(() => {
        this.deferred = null;
        this.kick();
      }, wait);
      this.deferred.unref();
      return;
    }
    this.kicked = true;
    setImmediate(() => {
      this.kicked = false;
      this.running = this.running
        .catch(() => undefined)
        .then(() => {
          if (this.stopped) return;
          this.lastStart = performance.now();
          return this.pass();
        })
        .catch(this.onError);
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.deferred) clearTimeout(this.deferred);
    this.deferred = null;
    await this.running.catch(() => undefined);
  }
}
