/**
 * A Parley server in its own process (`parley serve`), for tests that kill it: SIGKILL and
 * restart on the same port and data directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { testDatabase } from './harness.js';
import { freePort } from './ports.js';

const cli = fileURLToPath(new URL('../../../cli/bin/parley.js', import.meta.url));

export interface SpawnedServer {
  url: string;
  wsUrl: string;
  port: number;
  dataDir: string;
  proc: ChildProcess;
  /** What the server wrote to stderr so far (its warnings and errors): a failing test shows it. */
  stderr(): string;
  /** SIGKILL: no shutdown, no flush beyond what was committed. */
  kill(): Promise<void>;
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>;
}

/** Limits raised so the tests measure durability, not the rate limiter. */
const testEnv = {
  LOG_LEVEL: 'warn',
  PARLEY_AUTH_RATE_PER_MIN: '100000',
  PARLEY_LOGIN_FAILURES_PER_ACCOUNT: '100000',
  PARLEY_LOGIN_FAILURES_PER_IP: '100000',
  PARLEY_READ_RATE_PER_SEC: '100000',
  PARLEY_READ_BURST: '100000',
  PARLEY_IP_RATE_PER_SEC: '100000',
  PARLEY_IP_BURST: '100000',
  PARLEY_SEND_RATE_PER_SEC: '100000',
  PARLEY_SEND_BURST: '100000',
  PARLEY_FRAME_RATE_PER_SEC: '100000',
  PARLEY_FRAME_BURST: '100000',
  PARLEY_SHUTDOWN_GRACE_MS: '500',
  // No #general: tests count and list the conversations they make (a test turns it on with its env).
  PARLEY_DEFAULT_CHANNEL: 'none',
};

const START_TIMEOUT_MS = 120_000;

/** The node name /readyz gives, over a connection of its own: with `--workers`, a kept-alive
 * connection would keep asking the same worker. */
function readyNode(url: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = http.get(`${url}/readyz`, { agent: false, headers: { connection: 'close' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => {
        try {
          resolve(res.statusCode === 200 ? (JSON.parse(body) as { node?: string }).node : undefined);
        } catch {
          resolve(undefined);
        }
      });
      res.on('error', () => resolve(undefined));
    });
    req.on('error', () => resolve(undefined));
    req.setTimeout(5_000, () => req.destroy());
  });
}

/** `args`: more `parley serve` options, such as `['--workers', '2']`. */
export async function spawnServer(opts: { port?: number; dataDir?: string; env?: Record<string, string>; args?: string[] } = {}): Promise<SpawnedServer> {
  const port = opts.port ?? (await freePort());
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'parley-proc-'));
  const pgEnv = (() => {
    const t = testDatabase(dataDir);
    return t ? { DATABASE_URL: t.databaseUrl, PARLEY_PG_SCHEMA: t.pgSchema } : {};
  })();
  // Named after its data directory, so a restart keeps the name and the readiness check below can
  // tell this server from another test's server that took the port while this one was down.
  const nodeName = opts.env?.PARLEY_NODE_NAME ?? `spawn-${path.basename(dataDir)}`;
  // One worker unless the test asks for more: on PostgreSQL + NATS `serve` would start one per core,
  // and two nodes of three processes each, all compiling the server at once, once took over 60 s to
  // answer on a CI machine busy with the rest of the suite.
  const args = opts.args ?? [];
  const workers = args.includes('--workers') ? [] : ['--workers', '1'];
  const proc = spawn(process.execPath, [cli, 'serve', '--port', String(port), '--data-dir', dataDir, ...workers, ...args], {
    env: { ...process.env, ...testEnv, ...pgEnv, PARLEY_WEB_DIR: path.join(dataDir, 'no-web'), PARLEY_NODE_NAME: nodeName, ...(opts.env ?? {}) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  // Measured 2026-12-01 on the 2-core box: a fresh PostgreSQL + NATS node (one or two workers)
  // answers /readyz 5.5–6.3 s after spawn when idle (tsx compiling, 18 migrations on a new
  // schema); with the suite's other files running beside it that passed 20 s twice in CI. How
  // fast a node starts is not what these tests claim, so the wait is generous.
  // With `--workers N`, ready means every worker answers: the first one listening would take all
  // the sockets a test opens next, and a test of several workers would test one.
  const workerIndex = args.indexOf('--workers');
  const expected = workerIndex >= 0 ? Number(args[workerIndex + 1]) || 1 : 1;
  const answered = new Set<string>();
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`parley serve exited with ${proc.exitCode}: ${stderr}`);
    const node = await readyNode(url);
    // With --workers, each worker is named `<node>-w<i>-…`.
    if (node !== undefined && (node === nodeName || node.startsWith(`${nodeName}-w`))) answered.add(node);
    if (answered.size >= expected) break;
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`parley serve did not start within ${START_TIMEOUT_MS / 1000} s (${answered.size} of ${expected} workers answered): ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    port,
    dataDir,
    proc,
    stderr: () => stderr,
    async kill() {
      if (proc.exitCode === null) proc.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
