/**
 * A background job's heartbeat: `pass` runs one at a time, soon after each `kick()` (kicks during
 * a pass coalesce into one more), every `everyMs` as a safety net, and not at all once stopped.
 * `stop()` waits for the pass under way, so the database is not closed under it.
 */
export class PassLoop {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();
  private kicked = false;
  private stopped = true;

  constructor(
    private readonly pass: () => Promise<void>,
    private readonly onError: (err: unknown) => void,
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
    if (this.kicked || this.stopped) return;
    this.kicked = true;
    setImmediate(() => {
      this.kicked = false;
      this.running = this.running
        .catch(() => undefined)
        .then(() => (this.stopped ? undefined : this.pass()))
        .catch(this.onError);
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running.catch(() => undefined);
  }
}
