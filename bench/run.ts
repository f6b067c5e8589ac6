/**
 * `npm run bench [scenario] [options]` — Parley's server load generator.
 *
 * By default it spawns a Parley server as a child process on a free 127.0.0.1 port with a fresh
 * data directory (limits raised so the bench measures the server, not its rate limiter), sets up
 * bot users through the public API, then drives raw WebSocket clients from separate worker
 * processes. It prints one table and one JSON line. See docs/performance.md ("Server benchmarks").
 *
 *   dm       N users online, random DMs at a target aggregate rate
 *   channel  one channel of G members, R messages/s, each fanned out to G-1 sockets
 *   idle     N authenticated idle sockets; server memory per connection
 *   storm    N clients connected; the server restarts; time until all have reconnected,
 *            authenticated and resynced (`sync` + `sync.events`)
 *   history  page through one large conversation (seeded straight into SQLite, see load/seed.ts)
 *   search   search latency over a seeded mixed-language corpus (bench/search.ts)
 *   writer   the embedded send writer alone: CPU and WAL per message (bench/writer.ts)
 *   conversations  one user in N conversations with messages, unread and mentions; the latency of
 *            their conversation list (`GET /api/v1/conversations`), requested over and over
 *   upload   concurrent large uploads through tus (throughput, server RSS growth) and the
 *            thumbnail time per photo (bench/upload.ts)
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Api, type BenchUser } from './load/api.js';
import { Histogram, mergeAll, type Percentiles } from './load/hist.js';
import type { ClientSpec, ConnectRes, Counts, HistoryRes, LoadRes, ProgressRes, ReceiptsRes, StormPrepareRes, StormWaitRes } from './load/ipc.js';
import { lat, n0, n1, n2, table, type Row } from './load/report.js';
import { seedConversation } from './load/seed.js';
import { freePort } from '@parley/server/testing/ports';
import { ChildServer, cpuByThread, killAllServers, REPO_ROOT, sampleProc, sampleThreads, type ProcSample, type ThreadSample } from './load/server.js';
import { now, pool, randomTag, sleep } from './load/util.js';
import { killAllWorkers, Workers } from './load/workers.js';
import { parseSize, scenarioUpload } from './upload.js';

const SCENARIOS = ['dm', 'channel', 'idle', 'storm', 'history', 'conversations', 'upload'] as const;
type Scenario = (typeof SCENARIOS)[number];

interface Options {
  scenario: Scenario;
  clients: number;
  members: number;
  rate: number;
  durationSec: number;
  workers: number;
  url: string | null;
  pid: number | null;
  messages: number;
  jsonOnly: boolean;
  maxInflight: number;
  dmPeers: number;
  sqliteSync: 'full' | 'normal';
  profile: boolean;
  keep: boolean;
  drainSec: number;
  pagers: number;
  bodyPad: number;
  setupConcurrency: number;
  stormTimeoutSec: number;
  conversations: number;
  requests: number;
  sizeBytes: number;
  concurrency: number;
  images: number;
}

const USAGE = `usage: npm run bench -- [dm|channel|idle|storm|history|conversations|upload] [options]

  --clients N, --users N   simulated users / sockets (dm 200, idle 1000, storm 1000)
  --members G              channel members, all connected (channel 200)
  --rate R                 target aggregate messages/s (dm 2000, channel 50)
  --duration S             seconds of load (10); idle: seconds the sockets are held; history: time cap (60)
  --workers W              load worker processes (one per spare core: ${Math.max(1, os.availableParallelism() - 1)} here)
  --url URL                use a running server instead of spawning one (its limits apply)
  --pid PID                with --url: the server's pid, for its RSS and CPU figures
  --messages M             history: messages to seed (1000000)
  --pagers P               history: sockets paging in parallel (4)
  --conversations N        conversations: how many the measured user is in (500)
  --requests K             conversations: list requests measured, one at a time (200)
  --size S                 upload: bytes per upload, e.g. 1GB, 256MB (binary units; 1GB)
  --concurrency C          upload: uploads at once (8)
  --images I               upload: photos for the thumbnail time (20)
  --max-inflight K         unacked sends allowed per socket; past it a due send is skipped (16)
  --dm-peers K             DMs per user to each side of a ring (dm 2, idle/storm 1; 0 = none)
  --sqlite-sync full|normal  PARLEY_SQLITE_SYNCHRONOUS of the spawned server (full)
  --drain S                seconds to wait for deliveries after the last ack (10)
  --storm-timeout S        storm: how long a reconnecting client waits for its handshake, auth and each
                           resync request before retrying (120; the SDK's default request timeout is 15)
  --profile                run the spawned server with --cpu-prof (profile kept in its data dir)
  --keep                   keep the spawned server's data directory
  --json-only              print only the JSON line (progress still goes to stderr)`;

function parseOptions(argv: string[]): Options {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      clients: { type: 'string' },
      users: { type: 'string' },
      members: { type: 'string' },
      rate: { type: 'string' },
      duration: { type: 'string' },
      workers: { type: 'string' },
      url: { type: 'string' },
      pid: { type: 'string' },
      messages: { type: 'string' },
      pagers: { type: 'string' },
      'max-inflight': { type: 'string' },
      'dm-peers': { type: 'string' },
      'sqlite-sync': { type: 'string' },
      drain: { type: 'string' },
      'body-pad': { type: 'string' },
      'setup-concurrency': { type: 'string' },
      'storm-timeout': { type: 'string' },
      conversations: { type: 'string' },
      requests: { type: 'string' },
      size: { type: 'string' },
      concurrency: { type: 'string' },
      images: { type: 'string' },
      profile: { type: 'boolean' },
      keep: { type: 'boolean' },
      'json-only': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const scenario = (positionals[0] ?? 'dm') as Scenario;
  if (!SCENARIOS.includes(scenario)) throw new UsageError(`unknown scenario "${positionals[0]}"; pick one of ${SCENARIOS.join(', ')}`);
  const num = (name: string, raw: string | undefined, def: number, min: number, max: number): number => {
    if (raw === undefined) return def;
    const v = Number(raw);
    if (!Number.isFinite(v) || v < min || v > max) throw new UsageError(`--${name} takes a number from ${min} to ${max}, not "${raw}"`);
    return v;
  };
  const defaults: Record<Scenario, { clients: number; rate: number; duration: number; peers: number }> = {
    dm: { clients: 200, rate: 2000, duration: 10, peers: 2 },
    channel: { clients: 200, rate: 50, duration: 10, peers: 0 },
    idle: { clients: 1000, rate: 0, duration: 10, peers: 1 },
    storm: { clients: 1000, rate: 0, duration: 10, peers: 1 },
    history: { clients: 4, rate: 0, duration: 60, peers: 0 },
    conversations: { clients: 1, rate: 0, duration: 60, peers: 0 },
    upload: { clients: 1, rate: 0, duration: 60, peers: 0 },
  };
  const d = defaults[scenario];
  const sync = values['sqlite-sync'] ?? 'full';
  if (sync !== 'full' && sync !== 'normal') throw new UsageError('--sqlite-sync is full or normal');
  const sizeBytes = parseSize(values.size ?? process.env.PARLEY_BENCH_UPLOAD_SIZE ?? '1GB');
  if (sizeBytes === null || sizeBytes < 1 || sizeBytes > 64 * 2 ** 30) throw new UsageError(`--size takes a size from 1 byte to 64GB, such as 256MB or 1GB, not "${values.size}"`);
  const url = values.url ?? null;
  if (url !== null && !/^https?:\/\/(127\.0\.0\.1|localhost)(:\d+)?\/?$/.test(url))
    throw new UsageError('--url must point at this machine (http://127.0.0.1:PORT): the bench only sends traffic to 127.0.0.1');
  return {
    scenario,
    clients: Math.round(num('clients', values.clients ?? values.users, d.clients, 1, 1_000_000)),
    members: Math.round(num('members', values.members, 200, 2, 100_000)),
    rate: num('rate', values.rate, d.rate, 0, 10_000_000),
    durationSec: num('duration', values.duration, d.duration, 1, 3600),
    workers: Math.round(num('workers', values.workers, Math.max(1, os.availableParallelism() - 1), 1, 256)),
    url: url === null ? null : url.replace(/\/$/, '').replace('localhost', '127.0.0.1'),
    pid: values.pid === undefined ? null : Math.round(num('pid', values.pid, 0, 1, 1e9)),
    messages: Math.round(num('messages', values.messages, 1_000_000, 1, 100_000_000)),
    jsonOnly: values['json-only'] ?? false,
    maxInflight: Math.round(num('max-inflight', values['max-inflight'], 16, 1, 1_000_000)),
    dmPeers: Math.round(num('dm-peers', values['dm-peers'], d.peers, 0, 64)),
    sqliteSync: sync,
    profile: values.profile ?? false,
    keep: values.keep ?? false,
    drainSec: num('drain', values.drain, 10, 0, 600),
    pagers: Math.round(num('pagers', values.pagers, 4, 1, 1000)),
    bodyPad: Math.round(num('body-pad', values['body-pad'], 40, 0, 15_000)),
    setupConcurrency: Math.round(num('setup-concurrency', values['setup-concurrency'], 16, 1, 256)),
    stormTimeoutSec: num('storm-timeout', values['storm-timeout'], 120, 1, 3600),
    conversations: Math.round(num('conversations', values.conversations, 500, 1, 100_000)),
    requests: Math.round(num('requests', values.requests, 200, 1, 1_000_000)),
    sizeBytes,
    concurrency: Math.round(num('concurrency', values.concurrency ?? process.env.PARLEY_BENCH_UPLOAD_CONCURRENCY, 8, 1, 256)),
    images: Math.round(num('images', values.images, 20, 2, 1000)),
  };
}

class UsageError extends Error {}

const log = (msg: string): void => {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
};

// ---------------------------------------------------------------------------------------------
// Machine, limits and sizing

function gitHead(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${head}+uncommitted` : head;
  } catch {
    return 'unknown';
  }
}

function machine() {
  const cpus = os.cpus();
  return {
    nproc: os.availableParallelism(),
    cpu_model: cpus[0]?.model ?? 'unknown',
    mem_total_gb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    loadavg: os.loadavg().map((x) => Math.round(x * 100) / 100),
    cpu_pressure: cpuPressure(),
  };
}

/** Linux PSI: % of the last 60 s in which some runnable task waited for a CPU (other load on the box). */
function cpuPressure(): number | null {
  try {
    const m = /some avg10=[\d.]+ avg60=([\d.]+)/.exec(fs.readFileSync('/proc/pressure/cpu', 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

function fdLimit(): number {
  try {
    return Number(execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim()) || 1024;
  } catch {
    return 1024;
  }
}

function ephemeralPorts(): number {
  try {
    const [lo, hi] = fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    return (hi ?? 60999) - (lo ?? 32768) + 1;
  } catch {
    return 28_000;
  }
}

/** Fits `sockets` under the per-process open-file limit; raises the worker count or refuses. */
function planWorkers(o: Options, sockets: number): number {
  const fds = fdLimit();
  const perProcess = fds - 256;
  if (!o.url && sockets + 256 > fds) {
    throw new UsageError(
      `${sockets} sockets cannot be reached: the spawned server inherits an open-file limit (ulimit -n) of ${fds} and needs one per socket plus ~256. Raise it (ulimit -n ${sockets + 1024}) or ask for fewer.`,
    );
  }
  const ports = ephemeralPorts();
  if (sockets > ports - 2000) {
    throw new UsageError(`${sockets} sockets cannot be reached: all clients connect to one 127.0.0.1 port and the ephemeral port range holds ${ports} ports (net.ipv4.ip_local_port_range).`);
  }
  let w = Math.min(o.workers, sockets);
  if (Math.ceil(sockets / w) > perProcess) {
    const need = Math.ceil(sockets / perProcess);
    log(`ulimit -n is ${fds}: ${sockets} sockets need at least ${need} worker processes (asked for ${o.workers}); using ${need}`);
    w = need;
  }
  return Math.max(1, w);
}

// ---------------------------------------------------------------------------------------------
// The server under test

interface Target {
  url: string;
  wsUrl: string;
  server: ChildServer | null;
  dataDir: string | null;
  pid(): number | null;
}

let tmpRoot: string | null = null;
let keepTmp = false;

async function startTarget(o: Options): Promise<Target> {
  if (o.url) {
    return { url: o.url, wsUrl: `${o.url.replace(/^http/, 'ws')}/ws`, server: null, dataDir: null, pid: () => o.pid };
  }
  tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-'));
  keepTmp = o.keep || o.profile;
  const dataDir = path.join(tmpRoot, 'data');
  const port = await freePort();
  const server = new ChildServer({
    port,
    dataDir,
    logFile: path.join(tmpRoot, 'server.log'),
    nodeArgs: [],
    env: {
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      // Raised so the bench measures the server, not its rate limiter:
      PARLEY_SEND_RATE_PER_SEC: '1000000',
      PARLEY_SEND_BURST: '1000000',
      PARLEY_FRAME_RATE_PER_SEC: '1000000',
      PARLEY_FRAME_BURST: '1000000',
      PARLEY_IP_RATE_PER_SEC: '1000000',
      PARLEY_IP_BURST: '10000000',
      PARLEY_AUTH_RATE_PER_MIN: '1000000',
      PARLEY_LOGIN_FAILURES_PER_ACCOUNT: '1000000',
      PARLEY_LOGIN_FAILURES_PER_IP: '1000000',
      PARLEY_READ_RATE_PER_SEC: '1000000',
      PARLEY_READ_BURST: '10000000',
      PARLEY_SQLITE_SYNCHRONOUS: o.sqliteSync,
      ...(o.scenario === 'upload' ? uploadLimits(o) : {}),
    },
  });
  // Set-up (bots, tokens, conversations) is not measured: it runs on a first server process with
  // synchronous=NORMAL, which is then replaced by a fresh process with the measured settings.
  log(`starting server for set-up: node packages/cli/bin/parley.js serve --port ${port} --data-dir ${dataDir}`);
  const t = await server.start(SETUP_ENV);
  log(`server ready in ${n0(t.readyAt - t.spawnedAt)} ms (pid ${server.pid})`);
  return { url: server.url, wsUrl: server.wsUrl, server, dataDir, pid: () => server.pid };
}

const SETUP_ENV = { PARLEY_SQLITE_SYNCHRONOUS: 'normal' };

/**
 * Room for the upload bench: files of `--size`, a quota for all of them and the photos, and a
 * request timeout long enough for one PATCH carrying a whole file while the others share the
 * link (the default 30 s bounds a whole request, body included).
 */
function uploadLimits(o: Options): Record<string, string> {
  return {
    PARLEY_MAX_UPLOAD_BYTES: String(o.sizeBytes),
    PARLEY_USER_QUOTA_BYTES: String(o.sizeBytes * o.concurrency + 2 ** 30 + o.images * 16 * 2 ** 20),
    PARLEY_REQUEST_TIMEOUT_MS: '3600000',
  };
}

/** Replaces the set-up server by a fresh process with the measured settings (same port and data). */
async function restartForMeasure(o: Options, t: Target): Promise<void> {
  if (!t.server) return;
  await t.server.stop();
  useMeasuredArgs(o, t);
  const r = await t.server.start();
  log(`measured server ready in ${n0(r.readyAt - r.spawnedAt)} ms (pid ${t.server.pid}, synchronous=${o.sqliteSync.toUpperCase()}${o.profile ? ', with --cpu-prof' : ''})`);
}

/** From now on the server starts with the measured node flags (--cpu-prof when profiling). */
function useMeasuredArgs(o: Options, t: Target): void {
  if (t.server && o.profile && tmpRoot) t.server.opts.nodeArgs = ['--cpu-prof', `--cpu-prof-dir=${path.join(tmpRoot, 'profile')}`];
}

async function stopTarget(t: Target): Promise<void> {
  if (!t.server) return;
  const t0 = now();
  await t.server.stop();
  log(`server stopped in ${n0(now() - t0)} ms`);
}

// ---------------------------------------------------------------------------------------------
// Set-up through the API

interface Population {
  owner: BenchUser;
  users: BenchUser[];
  /** conversation id → member indexes into `users` */
  convMembers: Map<string, number[]>;
  /** per user: the conversations it sends into */
  userConvs: string[][];
}

async function makeUsers(api: Api, n: number, o: Options): Promise<{ owner: BenchUser; users: BenchUser[] }> {
  const t0 = now();
  const owner = await api.owner();
  const users = await api.bots(owner, n, o.setupConcurrency, (done) => log(`  ${done}/${n} bots`));
  log(`${n} bot users with API tokens in ${n1((now() - t0) / 1000)} s${api.retried429 ? ` (${api.retried429} requests retried after 429)` : ''}`);
  return { owner, users };
}

async function makeDms(api: Api, users: BenchUser[], peers: number, o: Options): Promise<Pick<Population, 'convMembers' | 'userConvs'>> {
  const n = users.length;
  const pairs: [number, number][] = [];
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    for (let k = 1; k <= peers; k++) {
      const j = (i + k) % n;
      const key = i < j ? `${i}:${j}` : `${j}:${i}`;
      if (j === i || seen.has(key)) continue;
      seen.add(key);
      pairs.push([i, j]);
    }
  }
  const t0 = now();
  const ids = await pool(pairs, o.setupConcurrency, ([a, b]) => api.dm(users[a]!, users[b]!));
  const convMembers = new Map<string, number[]>();
  const userConvs: string[][] = users.map(() => []);
  pairs.forEach(([a, b], k) => {
    const id = ids[k]!;
    convMembers.set(id, [a, b]);
    userConvs[a]!.push(id);
    userConvs[b]!.push(id);
  });
  if (pairs.length > 0) log(`${pairs.length} DM conversations in ${n1((now() - t0) / 1000)} s`);
  return { convMembers, userConvs };
}

// ---------------------------------------------------------------------------------------------
// Workers and sockets

interface Fleet {
  workers: Workers;
  /** the client specs each worker drives */
  shards: ClientSpec[][];
  connected: Set<number>;
  connect: ConnectRes[];
  connectMs: number;
}

async function connectFleet(target: Target, specs: ClientSpec[], wCount: number): Promise<Fleet> {
  const workers = new Workers(wCount);
  const shards: ClientSpec[][] = Array.from({ length: wCount }, () => []);
  // Round-robin, so the two sides of a DM usually sit in different processes.
  specs.forEach((s, i) => shards[i % wCount]!.push(s));
  const t0 = now();
  log(`connecting ${specs.length} sockets from ${wCount} worker process${wCount === 1 ? '' : 'es'}…`);
  const res = await workers.all<ConnectRes>((i) => ({ op: 'connect', wsUrl: target.wsUrl, clients: shards[i]!, concurrency: 100, timeoutMs: 60_000 }));
  const failed = new Set(res.flatMap((r) => r.failedIdx));
  const connected = new Set(specs.map((s) => s.idx).filter((i) => !failed.has(i)));
  const connectMs = now() - t0;
  const errs = mergeCounts(res.map((r) => r.errors));
  log(`${connected.size}/${specs.length} sockets authenticated in ${n1(connectMs / 1000)} s${failed.size ? `; failures: ${JSON.stringify(errs)}` : ''}`);
  return { workers, shards, connected, connect: res, connectMs };
}

/** Counts for a table cell: short, the full object is in the JSON line. */
function brief(c: Counts): string {
  const s = Object.entries(c)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return s === '' ? '0' : s.length > 70 ? `${s.slice(0, 67)}…` : s;
}

function mergeCounts(parts: Counts[]): Counts {
  const out: Counts = {};
  for (const p of parts) for (const [k, v] of Object.entries(p)) out[k] = (out[k] ?? 0) + v;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Measuring

interface Window {
  wallStart: number;
  server0: ProcSample | null;
  threads0: Map<number, ThreadSample>;
  loadgenCpu0: number;
}

async function openWindow(target: Target, fleet: Fleet | null): Promise<Window> {
  const pid = target.pid();
  return { wallStart: now(), server0: pid ? sampleProc(pid) : null, threads0: pid ? sampleThreads(pid) : new Map(), loadgenCpu0: fleet ? await fleet.workers.cpuSec() : 0 };
}

interface Usage {
  wall_s: number;
  server_cpu_s: number | null;
  server_cpu_pct: number | null;
  /** % of one core per server thread over the window (Linux), busiest first. */
  server_cpu_by_thread: Record<string, number>;
  server_peak_rss_mb: number | null;
  server_rss_mb: number | null;
  loadgen_cpu_s: number;
  loadgen_cpu_pct: number;
}

async function closeWindow(w: Window, target: Target, fleet: Fleet | null): Promise<Usage> {
  const pid = target.pid();
  const s1 = pid ? sampleProc(pid) : null;
  const threads1 = pid ? sampleThreads(pid) : new Map<number, ThreadSample>();
  const wall = (now() - w.wallStart) / 1000;
  const lg = fleet ? (await fleet.workers.cpuSec()) - w.loadgenCpu0 : 0;
  const cpu = s1 && w.server0 ? s1.cpuSec - w.server0.cpuSec : null;
  return {
    wall_s: round(wall, 2),
    server_cpu_s: cpu === null ? null : round(cpu, 2),
    server_cpu_pct: cpu === null ? null : round((cpu / wall) * 100, 1),
    server_cpu_by_thread: cpuByThread(w.threads0, threads1, wall),
    server_peak_rss_mb: s1 ? round(s1.hwmKb / 1024, 1) : null,
    server_rss_mb: s1 ? round(s1.rssKb / 1024, 1) : null,
    loadgen_cpu_s: round(lg, 2),
    loadgen_cpu_pct: round((lg / wall) * 100, 1),
  };
}

const round = (v: number, d: number): number => Math.round(v * 10 ** d) / 10 ** d;
/**
 * Send→deliver latency per second of the run, by when the message was sent: where the p99 of a
 * run comes from (the first seconds of a freshly started server, a stall, a queue that grows).
 */
function deliverTimeline(rec: readonly ReceiptsRes[]): (Percentiles & { second: number })[] {
  const seconds = new Map<number, Histogram>();
  for (const r of rec)
    for (const [second, data] of r.deliverBySecond) {
      let h = seconds.get(second);
      if (!h) seconds.set(second, (h = new Histogram()));
      h.merge(data);
    }
  return [...seconds.entries()].sort(([a], [b]) => a - b).map(([second, h]) => ({ second, ...h.summary() }));
}

const pct = (p: Percentiles) => ({ count: p.count, p50: r2(p.p50), p95: r2(p.p95), p99: r2(p.p99), max: r2(p.max), mean: r2(p.mean) });
const r2 = (v: number | null): number | null => (v === null ? null : round(v, 2));

/** The threads that used at least 1 % of a core, one row each; the rest summed in one row. */
function threadRows(byThread: Record<string, number>): Row[] {
  const rows: Row[] = [];
  let rest = 0;
  for (const [name, p] of Object.entries(byThread)) {
    if (p >= 1) rows.push([`  thread ${name}`, `${n0(p)} %`]);
    else rest += p;
  }
  if (rows.length > 0 && rest > 0) rows.push(['  other threads', `${n0(rest)} %`]);
  return rows;
}

function usageRows(u: Usage): Row[] {
  return [
    ['server CPU (s, % of one core)', u.server_cpu_s === null ? '—' : `${n1(u.server_cpu_s)} s, ${n0(u.server_cpu_pct)} %`],
    ...threadRows(u.server_cpu_by_thread),
    ['server peak RSS (VmHWM)', u.server_peak_rss_mb === null ? '—' : `${n1(u.server_peak_rss_mb)} MB`],
    ['load generator CPU (all workers)', `${n1(u.loadgen_cpu_s)} s, ${n0(u.loadgen_cpu_pct)} %`],
  ];
}

// ---------------------------------------------------------------------------------------------
// Message load: dm and channel

interface LoadOutcome {
  rows: Row[];
  json: Record<string, unknown>;
}

async function messageLoad(o: Options, target: Target, fleet: Fleet, convMembers: Map<string, number[]>, clients: number): Promise<LoadOutcome> {
  const w = fleet.workers;
  // Expected recipients of a message in a conversation: its connected members but the sender.
  const recipients = new Map<string, number>();
  for (const [conv, members] of convMembers) recipients.set(conv, Math.max(0, members.filter((m) => fleet.connected.has(m)).length - 1));
  const senders = fleet.shards.map((shard) => shard.filter((s) => fleet.connected.has(s.idx) && s.sendConvs.length > 0).length);
  const totalSenders = senders.reduce((a, b) => a + b, 0);
  if (totalSenders === 0) throw new Error('no connected sender: nothing to measure');
  const window = await openWindow(target, fleet);
  const startAt = now() + 300;
  log(`sending ${n0(o.rate)} msg/s for ${o.durationSec} s (max ${o.maxInflight} unacked per socket)…`);
  const loads = await w.all<LoadRes>((i) => ({
    op: 'load',
    rate: (o.rate * senders[i]!) / totalSenders,
    durationMs: o.durationSec * 1000,
    startAt,
    maxInflightPerSocket: o.maxInflight,
    ackTimeoutMs: 30_000,
    bodyPad: o.bodyPad,
  }));
  const sent = sum(loads.map((l) => l.sent));
  const acked = sum(loads.map((l) => l.acked));
  const acks = new Map<string, number[]>();
  for (const l of loads) for (const [conv, seqs] of l.acks) acks.set(conv, [...(acks.get(conv) ?? []), ...seqs]);
  let expected = 0;
  for (const [conv, seqs] of acks) expected += seqs.length * (recipients.get(conv) ?? 0);
  log(`sent ${n0(sent)}, acked ${n0(acked)}; waiting up to ${o.drainSec} s for ${n0(expected)} deliveries…`);
  const drainDeadline = now() + o.drainSec * 1000;
  let last = -1;
  let stableSince = now();
  for (;;) {
    const p = await w.all<ProgressRes>(() => ({ op: 'progress' }));
    const got = sum(p.map((x) => x.totalDelivered));
    if (got >= expected) break;
    if (got !== last) {
      last = got;
      stableSince = now();
    }
    if (now() > drainDeadline) break;
    if (now() - stableSince > Math.min(5_000, o.drainSec * 1000)) break;
    await sleep(100);
  }
  const usage = await closeWindow(window, target, fleet);
  const rec = await w.all<ReceiptsRes>(() => ({ op: 'receipts' }));

  const received = new Map<string, Map<number, number>>();
  for (const r of rec) {
    for (const [conv, seqs, counts] of r.delivered) {
      let m = received.get(conv);
      if (!m) received.set(conv, (m = new Map()));
      seqs.forEach((s, k) => m.set(s, (m.get(s) ?? 0) + counts[k]!));
    }
  }
  let delivered = 0;
  let lost = 0;
  const ackedSet = new Map<string, Set<number>>();
  for (const [conv, seqs] of acks) {
    const r = recipients.get(conv) ?? 0;
    const m = received.get(conv);
    ackedSet.set(conv, new Set(seqs));
    for (const s of seqs) {
      const got = m?.get(s) ?? 0;
      delivered += Math.min(got, r);
      lost += Math.max(0, r - got);
    }
  }
  let unexpected = 0;
  for (const [conv, m] of received) {
    const a = ackedSet.get(conv);
    for (const [s, c] of m) if (!a?.has(s)) unexpected += c;
  }
  const duplicated = sum(rec.map((r) => r.duplicated));
  const ackH = mergeAll(loads.map((l) => l.ackHist)).summary();
  const delH = mergeAll(rec.map((r) => r.deliverHist)).summary();
  const bySecond = deliverTimeline(rec);
  const sendStart = Math.min(...loads.map((l) => l.sendStart));
  const sendEnd = Math.max(...loads.map((l) => l.sendEnd));
  const lastAck = Math.max(...loads.map((l) => l.lastAckAt));
  const lastDelivery = Math.max(...rec.map((r) => r.lastAt));
  const ackRate = acked / Math.max(0.001, (Math.max(lastAck, sendEnd) - sendStart) / 1000);
  const delRate = delivered / Math.max(0.001, (Math.max(lastDelivery, sendEnd) - sendStart) / 1000);
  const errors = mergeCounts(loads.map((l) => l.errors));
  const skipped = sum(loads.map((l) => l.skipped));
  const unacked = sum(loads.map((l) => l.unacked));
  const dupAcks = sum(loads.map((l) => l.duplicateAcks));
  const closed = sum(rec.map((r) => r.closedUnexpectedly));
  const rows: Row[] = [
    ['clients (sockets authenticated)', `${n0(fleet.connected.size)} / ${n0(clients)}`],
    ['target rate (msg/s)', n0(o.rate)],
    ['achieved rate (acked msg/s)', n0(ackRate)],
    ['sent / acked', `${n0(sent)} / ${n0(acked)}`],
    ['skipped (in-flight cap) / unacked', `${n0(skipped)} / ${n0(unacked)}`],
    ['errors', brief(errors)],
    ['expected deliveries', n0(expected)],
    ['delivered', n0(delivered)],
    ['lost', n0(lost)],
    ['duplicated', n0(duplicated)],
    ['unexpected (not acked)', n0(unexpected)],
    ['throughput (deliveries/s)', n0(delRate)],
    ['send→ack ms p50/p95/p99/max', lat(ackH)],
    ['send→deliver ms p50/p95/p99/max', lat(delH)],
    ['send→deliver p99 by second sent (ms)', bySecond.map((b) => n0(b.p99 ?? 0)).join(' ')],
    ['sockets closed by the server', n0(closed)],
    ...usageRows(usage),
    [
      'server CPU per acked message / per delivery',
      usage.server_cpu_s === null || acked === 0 ? '—' : `${n2((usage.server_cpu_s * 1000) / acked)} ms / ${delivered ? n0((usage.server_cpu_s * 1e6) / delivered) : '—'} µs`,
    ],
  ];
  const json = {
    clients,
    connected: fleet.connected.size,
    target_rate: o.rate,
    achieved_rate: round(ackRate, 1),
    duration_s: o.durationSec,
    sent,
    acked,
    skipped,
    unacked,
    duplicate_acks: dupAcks,
    errors,
    expected_deliveries: expected,
    delivered,
    lost,
    duplicated,
    unexpected,
    deliveries_per_s: round(delRate, 1),
    latency_ack_ms: pct(ackH),
    latency_deliver_ms: pct(delH),
    latency_deliver_by_second_ms: bySecond.map((b) => ({ second: b.second, ...pct(b) })),
    closed_by_server: closed,
    ...usage,
    server_cpu_ms_per_acked_msg: usage.server_cpu_s === null || acked === 0 ? null : round((usage.server_cpu_s * 1000) / acked, 3),
    server_cpu_us_per_delivery: usage.server_cpu_s === null || delivered === 0 ? null : round((usage.server_cpu_s * 1e6) / delivered, 1),
  };
  return { rows, json };
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

// ---------------------------------------------------------------------------------------------
// Scenarios

interface Outcome {
  rows: Row[];
  json: Record<string, unknown>;
}

async function scenarioDm(o: Options, target: Target, api: Api): Promise<Outcome> {
  const n = o.clients;
  if (n < 2) throw new UsageError('dm needs at least 2 users');
  const wCount = planWorkers(o, n);
  const { users } = await makeUsers(api, n, o);
  const { convMembers, userConvs } = await makeDms(api, users, Math.max(1, o.dmPeers), o);
  const specs: ClientSpec[] = users.map((u, idx) => ({ idx, userId: u.userId, token: u.token, sendConvs: userConvs[idx]! }));
  await restartForMeasure(o, target);
  const fleet = await connectFleet(target, specs, wCount);
  const out = await messageLoad(o, target, fleet, convMembers, n);
  await fleet.workers.all(() => ({ op: 'close' }));
  fleet.workers.stop();
  return { rows: out.rows, json: { ...out.json, users: n, dm_conversations: convMembers.size, workers: wCount, max_inflight_per_socket: o.maxInflight } };
}

async function scenarioChannel(o: Options, target: Target, api: Api): Promise<Outcome> {
  const g = o.members;
  const wCount = planWorkers(o, g);
  const { owner, users } = await makeUsers(api, g, o);
  const t0 = now();
  const conv = await api.channel(owner, users, o.setupConcurrency);
  log(`channel with ${g} bot members (+ the owner, not connected) in ${n1((now() - t0) / 1000)} s`);
  const convMembers = new Map([[conv, users.map((_, i) => i)]]);
  const specs: ClientSpec[] = users.map((u, idx) => ({ idx, userId: u.userId, token: u.token, sendConvs: [conv] }));
  await restartForMeasure(o, target);
  const fleet = await connectFleet(target, specs, wCount);
  const out = await messageLoad(o, target, fleet, convMembers, g);
  await fleet.workers.all(() => ({ op: 'close' }));
  fleet.workers.stop();
  return {
    rows: [['members (all connected, all send)', n0(g)], ...out.rows],
    json: { ...out.json, members: g, target_deliveries_per_s: o.rate * (g - 1), workers: wCount, max_inflight_per_socket: o.maxInflight },
  };
}

/** N bench users, each in `--dm-peers` DMs on either side of a ring (none with 0), as client specs. */
async function usersWithDms(api: Api, n: number, o: Options): Promise<ClientSpec[]> {
  const { users } = await makeUsers(api, n, o);
  const { userConvs } = n > 1 && o.dmPeers > 0 ? await makeDms(api, users, o.dmPeers, o) : { userConvs: users.map(() => [] as string[]) };
  return users.map((u, idx) => ({ idx, userId: u.userId, token: u.token, sendConvs: userConvs[idx]! }));
}

async function scenarioIdle(o: Options, target: Target, api: Api): Promise<Outcome> {
  const n = o.clients;
  const wCount = planWorkers(o, n);
  const specs = await usersWithDms(api, n, o);
  await restartForMeasure(o, target);
  const pid = target.pid();
  await sleep(3000); // let the fresh server settle before the baseline
  const before = pid ? sampleProc(pid) : null;
  const window = await openWindow(target, null);
  const fleet = await connectFleet(target, specs, wCount);
  const lg0 = await fleet.workers.cpuSec();
  log(`holding ${fleet.connected.size} idle sockets for ${o.durationSec} s…`);
  await sleep(o.durationSec * 1000);
  const after = pid ? sampleProc(pid) : null;
  const prog = await fleet.workers.all<ProgressRes>(() => ({ op: 'progress' }));
  const stillOpen = sum(prog.map((p) => p.open));
  const usage = await closeWindow(window, target, null);
  const lg = (await fleet.workers.cpuSec()) - lg0;
  await fleet.workers.all(() => ({ op: 'close' }));
  fleet.workers.stop();
  const deltaKb = before && after ? after.rssKb - before.rssKb : null;
  const perConnKb = deltaKb === null || fleet.connected.size === 0 ? null : deltaKb / fleet.connected.size;
  const connH = mergeAll(fleet.connect.map((c) => c.connectHist)).summary();
  const rows: Row[] = [
    ['sockets requested / authenticated', `${n0(n)} / ${n0(fleet.connected.size)}`],
    ['still open after the hold', n0(stillOpen)],
    ['connect + auth wall time', `${n1(fleet.connectMs / 1000)} s`],
    ['open→hello ms p50/p95/p99/max', lat(connH)],
    ['server RSS before / after', before && after ? `${n1(before.rssKb / 1024)} MB / ${n1(after.rssKb / 1024)} MB` : '—'],
    ['server memory per connection', perConnKb === null ? '—' : `${n1(perConnKb)} KB`],
    ...usageRows({ ...usage, loadgen_cpu_s: round(lg, 2), loadgen_cpu_pct: round((lg / usage.wall_s) * 100, 1) }),
  ];
  return {
    rows,
    json: {
      clients: n,
      connected: fleet.connected.size,
      still_open: stillOpen,
      dm_peers: o.dmPeers,
      hold_s: o.durationSec,
      connect_s: round(fleet.connectMs / 1000, 2),
      latency_connect_ms: pct(connH),
      rss_before_mb: before ? round(before.rssKb / 1024, 1) : null,
      rss_after_mb: after ? round(after.rssKb / 1024, 1) : null,
      mem_per_conn_kb: perConnKb === null ? null : round(perConnKb, 2),
      workers: wCount,
      ...usage,
      loadgen_cpu_s: round(lg, 2),
    },
  };
}

async function scenarioStorm(o: Options, target: Target, api: Api): Promise<Outcome> {
  if (!target.server) throw new UsageError('storm restarts the server, so it needs the spawned server: drop --url');
  const n = o.clients;
  const wCount = planWorkers(o, n);
  const specs = await usersWithDms(api, n, o);
  await restartForMeasure(o, target);
  const fleet = await connectFleet(target, specs, wCount);
  const w = fleet.workers;
  const synced = await w.all<StormPrepareRes>(() => ({ op: 'storm.prepare', phase: 'sync' }));
  log(`initial sync done (${sum(synced.map((s) => s.convs))} conversation cursors); each client now sends one message so conversations move past those cursors…`);
  const moved = await w.all<StormPrepareRes>(() => ({ op: 'storm.prepare', phase: 'send' }));
  const prepErrors = mergeCounts([...synced, ...moved].map((m) => m.errors));
  // Bounded: 2 minutes, or 30 ms per client for large storms.
  const stormWaitMs = Math.max(120_000, n * 30);
  await w.all(() => ({ op: 'storm.arm', retryMinMs: 100, retryMaxMs: 1000, deadlineMs: now() + stormWaitMs + 120_000, concurrency: 0, requestTimeoutMs: o.stormTimeoutSec * 1000 }));
  const lg0 = await w.cpuSec();
  log('restarting the server (SIGTERM: graceful drain, then a new process on the same port and data)…');
  const tStop = now();
  await target.server.stop();
  const tStopped = now();
  const started = await target.server.start();
  log(`server back: stopped in ${n1((tStopped - tStop) / 1000)} s, /healthz answered ${n1((started.readyAt - tStopped) / 1000)} s after that; waiting for every client to resync…`);
  const window = await openWindow(target, null);
  // The new process's CPU counter starts at its spawn: measure from there.
  window.wallStart = started.spawnedAt;
  if (window.server0) window.server0 = { ...window.server0, cpuSec: 0 };
  const res = await w.all<StormWaitRes>(() => ({ op: 'storm.wait', timeoutMs: stormWaitMs }));
  const usage = await closeWindow(window, target, null);
  const lg = (await w.cpuSec()) - lg0;
  await w.all(() => ({ op: 'close' }));
  w.stop();
  // t0 is the first socket the new server accepted: from then on it is taking the storm. (Its /healthz
  // answer is not used: under the storm it can come late, after clients are already through.)
  const connectedAll = res.flatMap((r) => r.connectedAt);
  const t0 = connectedAll.length ? Math.min(...connectedAll) : started.readyAt;
  const rel = (xs: number[]) => {
    const h = new Histogram();
    for (const x of xs) h.record(Math.max(0, x - t0));
    return h.summary();
  };
  const connected = rel(connectedAll);
  const authed = rel(res.flatMap((r) => r.authedAt));
  const resynced = rel(res.flatMap((r) => r.resyncedAt));
  const done = sum(res.map((r) => r.resynced));
  const lastResync = Math.max(0, ...res.flatMap((r) => r.resyncedAt));
  const allS = done === fleet.connected.size ? (lastResync - t0) / 1000 : null;
  const errors = mergeCounts(res.map((r) => r.errors));
  const rows: Row[] = [
    ['clients connected before / resynced after', `${n0(fleet.connected.size)} / ${n0(done)}`],
    ['client timeout (handshake, auth, each request)', `${o.stormTimeoutSec} s`],
    ['server stop (graceful drain) took', `${n1((tStopped - tStop) / 1000)} s`],
    ['new server: spawn → first socket accepted', `${n1((t0 - started.spawnedAt) / 1000)} s`],
    ['ALL resynced, s after first accept', allS === null ? `not all (${n0(done)}/${n0(fleet.connected.size)})` : n2(allS)],
    ['ALL resynced, s after SIGTERM', allS === null ? '—' : n2((lastResync - tStop) / 1000)],
    ['connected ms after first accept p50/p95/p99/max', lat(connected)],
    ['authenticated ms p50/p95/p99/max', lat(authed)],
    ['resynced ms p50/p95/p99/max', lat(resynced)],
    ['connect attempts (refused)', `${n0(sum(res.map((r) => r.attempts)))} (${n0(sum(res.map((r) => r.refused)))})`],
    ['conversations moved / events fetched', `${n0(sum(res.map((r) => r.convsMoved)))} / ${n0(sum(res.map((r) => r.eventsFetched)))}`],
    ['sync + sync.events requests', n0(sum(res.map((r) => r.syncRequests)))],
    ['errors', brief(errors)],
    ...usageRows({ ...usage, loadgen_cpu_s: round(lg, 2), loadgen_cpu_pct: round((lg / usage.wall_s) * 100, 1) }),
  ];
  return {
    rows,
    json: {
      clients: n,
      client_timeout_s: o.stormTimeoutSec,
      connected_before: fleet.connected.size,
      resynced: done,
      dm_peers: o.dmPeers,
      prepare_errors: prepErrors,
      stop_s: round((tStopped - tStop) / 1000, 2),
      spawn_to_ready_s: round((started.readyAt - started.spawnedAt) / 1000, 2),
      spawn_to_first_accept_s: round((t0 - started.spawnedAt) / 1000, 2),
      all_resynced_after_first_accept_s: allS === null ? null : round(allS, 2),
      all_resynced_after_sigterm_s: allS === null ? null : round((lastResync - tStop) / 1000, 2),
      connected_ms: pct(connected),
      authenticated_ms: pct(authed),
      resynced_ms: pct(resynced),
      attempts: sum(res.map((r) => r.attempts)),
      refused: sum(res.map((r) => r.refused)),
      convs_moved: sum(res.map((r) => r.convsMoved)),
      events_fetched: sum(res.map((r) => r.eventsFetched)),
      sync_requests: sum(res.map((r) => r.syncRequests)),
      errors,
      workers: wCount,
      ...usage,
      loadgen_cpu_s: round(lg, 2),
      loadgen_cpu_pct: round((lg / usage.wall_s) * 100, 1),
    },
  };
}

async function scenarioHistory(o: Options, target: Target, api: Api): Promise<Outcome> {
  if (!target.server || !target.dataDir) throw new UsageError('history seeds the server’s SQLite file directly while it is stopped, so it needs the spawned server: drop --url');
  const p = o.pagers;
  const wCount = planWorkers(o, p);
  const { owner, users } = await makeUsers(api, p, o);
  const conv = await api.channel(owner, users, o.setupConcurrency);
  await stopTarget(target);
  log(`seeding ${n0(o.messages)} messages straight into SQLite (bypasses the API; the server is stopped)…`);
  const seed = seedConversation(target.dataDir, conv, users[0]!.userId, o.messages, (done) => {
    if (done % 200_000 === 0 || done === o.messages) log(`  ${n0(done)} rows`);
  });
  useMeasuredArgs(o, target);
  log(`seeded in ${n1(seed.ms / 1000)} s (${n0(seed.messages / (seed.ms / 1000))} msg/s); database ${n0(seed.dbBytes / 2 ** 20)} MB`);
  const started = await target.server.start();
  log(`server restarted in ${n0(started.readyAt - started.spawnedAt)} ms`);
  const specs: ClientSpec[] = users.map((u, idx) => ({ idx, userId: u.userId, token: u.token, sendConvs: [] }));
  const fleet = await connectFleet(target, specs, wCount);
  const window = await openWindow(target, fleet);
  // Split [firstSeq-1, lastSeq] into one contiguous range per pager.
  const lo = seed.firstSeq - 1;
  const span = seed.lastSeq - lo;
  const perWorker = fleet.shards.map((s) => s.length);
  let k = 0;
  const ranges: [number, number][][] = perWorker.map((cnt) =>
    Array.from({ length: cnt }, () => {
      const a = lo + Math.floor((span * k) / p);
      const b = lo + Math.floor((span * (k + 1)) / p);
      k++;
      return [a, b] as [number, number];
    }),
  );
  const limit = 200;
  log(`${p} pagers reading the whole conversation ${limit} messages a page over the socket (cap ${o.durationSec} s)…`);
  const hist = await fleet.workers.all<HistoryRes>((i) => ({ op: 'history', convId: conv, durationMs: o.durationSec * 1000, limit, ranges: ranges[i]! }));
  const usage = await closeWindow(window, target, fleet);
  // REST: random pages anywhere in the log, one at a time, for a few seconds.
  const rest = new Histogram();
  const restDeadline = now() + 5_000;
  let restPages = 0;
  const restErrors: Counts = {};
  while (now() < restDeadline && restPages < 5_000) {
    const before = lo + 1 + Math.floor(Math.random() * span);
    const t = now();
    const res = await fetch(`${target.url}/api/v1/conversations/${conv}/messages?before_seq=${before}&limit=${limit}`, { headers: { authorization: `Bearer ${users[0]!.token}` } });
    await res.arrayBuffer();
    if (res.ok) rest.record(now() - t);
    else restErrors[String(res.status)] = (restErrors[String(res.status)] ?? 0) + 1;
    restPages++;
  }
  await fleet.workers.all(() => ({ op: 'close' }));
  fleet.workers.stop();
  const pages = sum(hist.map((h) => h.pages));
  const msgs = sum(hist.map((h) => h.messages));
  const ms = Math.max(...hist.map((h) => h.ms));
  const pageH = mergeAll(hist.map((h) => h.pageHist)).summary();
  const restH = rest.summary();
  const complete = sum(hist.map((h) => h.complete));
  const orderErrors = sum(hist.map((h) => h.orderErrors));
  const errors = mergeCounts(hist.map((h) => h.errors));
  const rows: Row[] = [
    ['messages seeded (direct SQLite)', `${n0(seed.messages)} in ${n1(seed.ms / 1000)} s`],
    ['pagers (sockets) / page size', `${p} / ${limit}`],
    ['messages read / expected', `${n0(msgs)} / ${n0(span)}`],
    ['pagers that finished their range', `${complete} / ${p}`],
    ['time to read all, s', msgs >= span ? n2(ms / 1000) : `stopped at the ${o.durationSec} s cap`],
    ['throughput (messages/s)', n0(msgs / (ms / 1000))],
    ['pages/s', n0(pages / (ms / 1000))],
    ['socket page ms p50/p95/p99/max', lat(pageH)],
    ['REST random page ms p50/p95/p99/max', `${lat(restH)} (${n0(restPages)} pages)`],
    ['out-of-order or gaps / errors', `${n0(orderErrors)} / ${Object.keys(errors).length || Object.keys(restErrors).length ? JSON.stringify({ ...errors, ...restErrors }) : 0}`],
    ...usageRows(usage),
  ];
  return {
    rows,
    json: {
      clients: p,
      messages: o.messages,
      seed_s: round(seed.ms / 1000, 2),
      db_mb: round(seed.dbBytes / 2 ** 20, 1),
      page_limit: limit,
      messages_read: msgs,
      expected: span,
      complete_pagers: complete,
      read_all_s: msgs >= span ? round(ms / 1000, 2) : null,
      messages_per_s: round(msgs / (ms / 1000), 1),
      pages_per_s: round(pages / (ms / 1000), 1),
      latency_page_ms: pct(pageH),
      latency_rest_page_ms: pct(restH),
      rest_pages: restPages,
      order_errors: orderErrors,
      errors: { ...errors, ...restErrors },
      workers: wCount,
      ...usage,
    },
  };
}

/**
 * One user in `--conversations` conversations, set up through the API: a tenth DMs (each with
 * its own bot), the rest groups and public channels shared with a few bots, a tenth of the
 * channels left again (listed with `include_left`). Each holds a few messages from others, every
 * third one mentioning the user, and one from the user, so the list has unread and mention
 * counts, last messages and as-of-leaving views to work out. Then the list is requested
 * `--requests` times one after another (after a warm-up), with and without `include_left`.
 */
async function scenarioConversations(o: Options, target: Target, api: Api): Promise<Outcome> {
  const n = o.conversations;
  const dms = Math.max(1, Math.floor(n / 10));
  const { owner, users } = await makeUsers(api, dms + 1, o);
  const me = users[0]!;
  const peers = users.slice(1);
  const meName = (await api.call<{ username: string }>('GET', '/me', undefined, me.token, 'me')).body.username;
  const t0 = now();
  type Kind = 'dm' | 'group' | 'channel';
  const kinds: Kind[] = Array.from({ length: n }, (_, i) => (i < dms ? 'dm' : i % 2 === 0 ? 'group' : 'channel'));
  let made = 0;
  const convs = await pool(kinds, o.setupConcurrency, async (kind, i) => {
    const peer = peers[i % peers.length]!;
    let id: string;
    if (kind === 'dm') id = await api.dm(peer, me);
    else {
      const body =
        kind === 'group'
          ? { kind: 'group', name: `g${i}`, member_ids: [me.userId, peer.userId] }
          : { kind: 'channel', name: `c${i}-${randomTag(6)}`, visibility: 'public', history_visibility: 'full', member_ids: [me.userId, peer.userId] };
      id = (await api.call<{ id: string }>('POST', '/conversations', body, owner.token, `create ${kind}`)).body.id;
    }
    const post = (u: BenchUser, body: string) => api.call<{ seq: number }>('POST', `/conversations/${id}/messages`, { client_msg_id: randomUUID(), body }, u.token, 'send');
    const from = kind === 'dm' ? peer : i % 3 === 0 ? owner : peer;
    await post(from, `first message in ${i}`);
    await post(from, i % 3 === 0 ? `@${meName} look at this (${i})` : `second message in ${i}`);
    await post(me, `my answer in ${i}`);
    await post(from, `last word in ${i}`);
    if (kind === 'channel' && i % 10 === 1) {
      await api.call('POST', `/conversations/${id}/leave`, undefined, me.token, 'leave');
      await post(from, `after the user left ${i}`);
    }
    if (++made % 100 === 0) log(`  ${made}/${n} conversations`);
    return id;
  });
  const setupS = (now() - t0) / 1000;
  log(`${n} conversations (${dms} DMs) with ${n0(n * 4)} messages in ${n1(setupS)} s`);
  await restartForMeasure(o, target);
  const measure = async (query: string) => {
    const h = new Histogram();
    let bytes = 0;
    let listed = 0;
    let errors = 0;
    for (let i = 0; i < o.requests + 10; i++) {
      const t = now();
      const res = await fetch(`${target.url}/api/v1/conversations${query}`, { headers: { authorization: `Bearer ${me.token}` } });
      const text = await res.text();
      const ms = now() - t;
      if (!res.ok) {
        errors++;
        continue;
      }
      // The first ten warm the server's caches and statement cache; they are not counted.
      if (i < 10) continue;
      h.record(ms);
      bytes = text.length;
      listed = (JSON.parse(text) as { conversations: unknown[] }).conversations.length;
    }
    return { h: h.summary(), bytes, listed, errors };
  };
  log(`requesting the list ${o.requests} times (after 10 unmeasured), then ${o.requests} times with include_left…`);
  const window = await openWindow(target, null);
  const active = await measure('');
  const withLeft = await measure('?include_left=true');
  const usage = await closeWindow(window, target, null);
  const rows: Row[] = [
    ['conversations (DMs) / messages', `${n0(n)} (${n0(dms)}) / ${n0(n * 4)}`],
    ['set-up through the API, s', n1(setupS)],
    ['listed / response bytes', `${n0(active.listed)} / ${n0(active.bytes)}`],
    ['GET /conversations ms p50/p95/p99/max', lat(active.h)],
    ['listed with include_left / bytes', `${n0(withLeft.listed)} / ${n0(withLeft.bytes)}`],
    ['…?include_left=true ms p50/p95/p99/max', lat(withLeft.h)],
    ['errors', n0(active.errors + withLeft.errors)],
    ...usageRows(usage),
  ];
  return {
    rows,
    json: {
      conversations: n,
      dms,
      convs_created: convs.length,
      requests: o.requests,
      listed: active.listed,
      listed_with_left: withLeft.listed,
      response_bytes: active.bytes,
      latency_list_ms: pct(active.h),
      latency_list_with_left_ms: pct(withLeft.h),
      errors: active.errors + withLeft.errors,
      ...usage,
    },
  };
}

/** The upload bench (bench/upload.ts) on a fresh measured server: its RSS at rest is the baseline. */
async function scenarioUploadRun(o: Options, target: Target, api: Api): Promise<Outcome> {
  await restartForMeasure(o, target);
  return scenarioUpload({ sizeBytes: o.sizeBytes, concurrency: o.concurrency, images: o.images }, target, api, log);
}

// ---------------------------------------------------------------------------------------------

function installCleanup(): void {
  const cleanup = () => {
    killAllWorkers();
    killAllServers();
    if (tmpRoot && !keepTmp) {
      try {
        fs.rmSync(tmpRoot, { recursive: true, force: true });
      } catch {
        /* best effort */
      }
    }
  };
  process.on('exit', cleanup);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      log(`${sig}: stopping the server and the workers`);
      process.exit(130);
    });
  }
  process.on('uncaughtException', (e) => {
    process.stderr.write(`bench failed: ${e.stack ?? e.message}\n`);
    process.exit(1);
  });
  process.on('unhandledRejection', (e) => {
    process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  });
}

async function main(): Promise<void> {
  // Search has its own set-up (a corpus seeded through the index writer) and options: bench/search.ts.
  if (process.argv[2] === 'search') {
    await (await import('./search.js')).main(process.argv.slice(3));
    process.exit(0);
  }
  // The send writer alone, without sockets (bench/writer.ts).
  if (process.argv[2] === 'writer') {
    await (await import('./writer.js')).main(process.argv.slice(3));
    process.exit(0);
  }
  let o: Options;
  try {
    o = parseOptions(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n\n${USAGE}\n`);
    process.exit(2);
  }
  installCleanup();
  // Refuse sizes this machine cannot hold before starting anything.
  try {
    const sockets = o.scenario === 'channel' ? o.members : o.scenario === 'history' ? o.pagers : o.scenario === 'conversations' || o.scenario === 'upload' ? 1 : o.clients;
    o.workers = planWorkers(o, sockets);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(2);
  }
  const m0 = machine();
  log(
    `${o.scenario}: ${m0.nproc} CPUs (${m0.cpu_model}), ${m0.mem_total_gb} GB, Node ${m0.node}, load average ${m0.loadavg.join(' ')}, CPU pressure ${m0.cpu_pressure ?? '?'} %, ulimit -n ${fdLimit()}`,
  );
  const target = await startTarget(o);
  const api = new Api(target.url);
  const limits = await api.limits();
  if (o.url) log(`limits in force on ${o.url}: send ${limits.send_rate_per_sec}/s burst ${limits.send_burst} per user, frames ${limits.frame_rate_per_sec}/s per socket — the run may measure them`);
  const t0 = now();
  let out: Outcome;
  try {
    const run = { dm: scenarioDm, channel: scenarioChannel, idle: scenarioIdle, storm: scenarioStorm, history: scenarioHistory, conversations: scenarioConversations, upload: scenarioUploadRun }[
      o.scenario
    ];
    out = await run(o, target, api);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(2);
    }
    if (target.server) process.stderr.write(`server log tail:\n${target.server.logTail()}\n`);
    throw e;
  }
  const m1 = machine();
  const peak = target.pid() ? sampleProc(target.pid()!) : null;
  await stopTarget(target);
  const json = {
    bench: 'parley-server',
    scenario: o.scenario,
    git: gitHead(),
    at: new Date().toISOString(),
    spawned: !o.url,
    url: target.url,
    sqlite_synchronous: o.url ? null : o.sqliteSync,
    ...out.json,
    server_peak_rss_mb_final: peak ? round(peak.hwmKb / 1024, 1) : null,
    total_s: round((now() - t0) / 1000, 1),
    machine: {
      ...m0,
      loadavg_start: m0.loadavg,
      loadavg_end: m1.loadavg,
      loadavg: undefined,
      cpu_pressure_start: m0.cpu_pressure,
      cpu_pressure_end: m1.cpu_pressure,
      cpu_pressure: undefined,
      ulimit_n: fdLimit(),
    },
    profile_dir: o.profile && tmpRoot ? path.join(tmpRoot, 'profile') : undefined,
    data_dir: keepTmp && target.dataDir ? target.dataDir : undefined,
  };
  if (!o.jsonOnly) {
    const title = `parley bench: ${o.scenario} — ${o.url ? o.url : 'spawned server'}, ${m0.nproc} CPUs, load ${m0.loadavg[0]}→${m1.loadavg[0]}, CPU pressure ${m0.cpu_pressure ?? '?'}→${m1.cpu_pressure ?? '?'} %`;
    process.stdout.write(`${table(title, [['scenario', o.scenario], ...out.rows])}\n`);
  }
  process.stdout.write(`${JSON.stringify(json)}\n`);
  if (o.profile && tmpRoot) log(`CPU profile of the server: ${path.join(tmpRoot, 'profile')} (summarise with: node --import tsx bench/profile-summary.ts <file>)`);
  process.exit(0);
}

await main();
