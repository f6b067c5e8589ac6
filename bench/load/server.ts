/**
 * The server under test as a child process (`node packages/cli/bin/parley.js serve`), and the
 * /proc readings the report needs: peak RSS (VmHWM), current RSS and CPU time (utime + stime).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLK_TCK = 100; // Linux USER_HZ; /proc/<pid>/stat counts CPU time in these ticks

export interface ProcSample {
  at: number;
  rssKb: number;
  hwmKb: number;
  cpuSec: number;
}

/** utime + stime of a /proc `stat` line (fields 14 and 15, counted after the parenthesised command name), in seconds. */
function cpuSecOf(stat: string): number {
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[11]) + Number(rest[12])) / CLK_TCK;
}

/** Reads RSS, peak RSS and user+system CPU seconds of a process; null once it has gone. */
export function sampleProc(pid: number): ProcSample | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    return { at: Date.now(), rssKb: kb('VmRSS'), hwmKb: kb('VmHWM'), cpuSec: cpuSecOf(stat) };
  } catch {
    return null;
  }
}

/** CPU seconds of one thread of the process (the server names its worker threads: parley-send, …). */
export interface ThreadSample {
  name: string;
  cpuSec: number;
}

/**
 * CPU seconds per thread of a process, keyed by thread id; the main thread (the event loop) is
 * named `event loop`. Empty once the process has gone or where /proc has no tasks.
 */
export function sampleThreads(pid: number): Map<number, ThreadSample> {
  const out = new Map<number, ThreadSample>();
  let tids: string[];
  try {
    tids = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = Number(tid) === pid ? 'event loop' : stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      out.set(Number(tid), { name, cpuSec: cpuSecOf(stat) });
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return out;
}

/**
 * % of one core each named thread used between two samples, threads of one name summed (V8's
 * GC helpers are all `V8 DefaultWorke`, libuv's pool all `libuv-worker`), busiest first.
 */
export function cpuByThread(before: Map<number, ThreadSample>, after: Map<number, ThreadSample>, wallSec: number): Record<string, number> {
  const sums = new Map<string, number>();
  for (const [tid, t] of after) {
    const d = t.cpuSec - (before.get(tid)?.cpuSec ?? 0);
    sums.set(t.name, (sums.get(t.name) ?? 0) + d);
  }
  const out: Record<string, number> = {};
  for (const [name, sec] of [...sums].sort((a, b) => b[1] - a[1])) if (sec > 0) out[name] = Math.round((sec / wallSec) * 1000) / 10;
  return out;
}

export interface ChildServerOptions {
  port: number;
  dataDir: string;
  env: Record<string, string>;
  /** Extra node flags for the server (e.g. --cpu-prof). */
  nodeArgs: string[];
  logFile: string;
}

/** Every child server ever started, so an exit or signal handler can kill whatever is still alive. */
const live = new Set<ChildProcess>();

export function killAllServers(): void {
  for (const c of live) {
    try {
      c.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
  live.clear();
}

export class ChildServer {
  private child: ChildProcess | null = null;
  private exited: Promise<number | null> | null = null;
  readonly url: string;
  readonly wsUrl: string;

  constructor(readonly opts: ChildServerOptions) {
    this.url = `http://127.0.0.1:${opts.port}`;
    this.wsUrl = `ws://127.0.0.1:${opts.port}/ws`;
  }

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  /** Spawns the server and waits until /healthz answers (bounded); returns when it is ready. */
  async start(extraEnv: Record<string, string> = {}, timeoutMs = 60_000): Promise<{ spawnedAt: number; readyAt: number }> {
    if (this.child) throw new Error('server already running');
    const log = fs.openSync(this.opts.logFile, 'a');
    const spawnedAt = performance.timeOrigin + performance.now();
    const child = spawn(process.execPath, [...this.opts.nodeArgs, path.join(REPO_ROOT, 'packages/cli/bin/parley.js'), 'serve', '--port', String(this.opts.port), '--data-dir', this.opts.dataDir], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...this.opts.env, ...extraEnv },
      stdio: ['ignore', log, log],
    });
    fs.closeSync(log);
    this.child = child;
    live.add(child);
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    void this.exited.then(() => {
      live.delete(child);
      if (this.child === child) this.child = null;
    });
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.child) throw new Error(`the server exited during start; see ${this.opts.logFile}:\n${this.logTail()}`);
      try {
        const res = await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(5000) });
        if (res.ok) return { spawnedAt, readyAt: performance.timeOrigin + performance.now() };
      } catch {
        /* not listening yet */
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`the server did not become ready within ${timeoutMs} ms; see ${this.opts.logFile}`);
  }

  /** Graceful stop (SIGTERM: drain, reconnect frames, close), SIGKILL after `graceMs`. */
  async stop(graceMs = 20_000): Promise<void> {
    const child = this.child;
    const exited = this.exited;
    if (!child || !exited) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }

  kill(): void {
    this.child?.kill('SIGKILL');
  }

  logTail(lines = 20): string {
    try {
      return fs.readFileSync(this.opts.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }
}
