/** The orchestrator's side of the load workers: fork, request/response over IPC, teardown. */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CpuRes, Reply, WorkerReq } from './ipc.js';

const WORKER_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'worker.ts');
const live = new Set<ChildProcess>();

export function killAllWorkers(): void {
  for (const c of live) {
    try {
      c.kill('SIGKILL');
    } catch {
      /* gone */
    }
  }
  live.clear();
}

export class Workers {
  private readonly procs: ChildProcess[] = [];
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private nextRid = 1;

  constructor(readonly count: number) {
    for (let i = 0; i < count; i++) {
      const child = fork(WORKER_FILE, [], { execArgv: ['--import', 'tsx'], serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      live.add(child);
      child.on('message', (m: Reply) => {
        const w = this.waiting.get(m.rid);
        if (!w) return;
        this.waiting.delete(m.rid);
        if (m.ok) w.resolve(m.result);
        else w.reject(new Error(`worker ${i}: ${m.error}`));
      });
      child.on('exit', (code, signal) => {
        live.delete(child);
        for (const [rid, w] of this.waiting) {
          this.waiting.delete(rid);
          w.reject(new Error(`worker ${i} exited (code ${code}, signal ${signal})`));
        }
      });
      this.procs.push(child);
    }
  }

  pids(): number[] {
    return this.procs.map((p) => p.pid ?? 0);
  }

  call<T>(i: number, req: WorkerReq): Promise<T> {
    const child = this.procs[i];
    if (!child || child.exitCode !== null) return Promise.reject(new Error(`worker ${i} is not running`));
    const rid = this.nextRid++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(rid, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ rid, ...req });
    });
  }

  all<T>(make: (i: number) => WorkerReq): Promise<T[]> {
    return Promise.all(this.procs.map((_, i) => this.call<T>(i, make(i))));
  }

  /** CPU seconds (user + system) used so far by all workers together. */
  async cpuSec(): Promise<number> {
    const r = await this.all<CpuRes>(() => ({ op: 'cpu' }));
    return r.reduce((a, c) => a + (c.user + c.system) / 1e6, 0);
  }

  stop(): void {
    for (const p of this.procs) {
      if (p.connected) p.disconnect();
      p.kill('SIGTERM');
    }
  }
}
