/**
 * REST history endpoint throughput: `node --import tsx bench/rest-history.ts`.
 *
 * Starts a Parley (SQLite, fresh data directory), seeds one group with 250 messages, then a
 * separate Node process (so the load generator does not share the server's event loop) keeps
 * BENCH_CONCURRENCY requests of `GET /api/v1/conversations/:id/messages?limit=200` in flight for
 * BENCH_SECONDS seconds. Prints requests/s, p50 and p99 latency, the server's CPU time per
 * request and the body size as one JSON line. Run it on two commits to compare
 * (docs/performance.md, "REST history endpoint"). On a shared machine requests/s swings with
 * the neighbours' load; CPU per request is the steadier figure.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { api, createConversation, registerUser, startServer } from '@parley/server/testing';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const MESSAGES = 250;

// The load loop, run by plain `node` in its own process; it prints one JSON line.
const CLIENT = `
const [url, token, seconds, concurrency] = process.argv.slice(1);
const end = performance.now() + Number(seconds) * 1000;
const lat = [];
let bytes = 0;
async function loop() {
  while (performance.now() < end) {
    const t0 = performance.now();
    const res = await fetch(url, { headers: { authorization: 'Bearer ' + token } });
    const text = await res.text();
    if (res.status !== 200) throw new Error('status ' + res.status + ' ' + text.slice(0, 200));
    lat.push(performance.now() - t0);
    bytes = text.length;
  }
}
// A short warm-up so JIT and caches settle before counting.
const warm = performance.now() + 1000;
let warmup = 0;
while (performance.now() < warm) { await (await fetch(url, { headers: { authorization: 'Bearer ' + token } })).text(); warmup++; }
const t0 = performance.now();
await Promise.all(Array.from({ length: Number(concurrency) }, loop));
const took = (performance.now() - t0) / 1000;
lat.sort((a, b) => a - b);
const q = (p) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))];
console.log(JSON.stringify({ requests: lat.length, warmup_requests: warmup, rps: Math.round(lat.length / took), p50_ms: +q(0.5).toFixed(2), p99_ms: +q(0.99).toFixed(2), body_bytes: bytes }));
`;

const server = await startServer();
try {
  const alice = await registerUser(server);
  const bob = await registerUser(server);
  const conv = await createConversation(server, alice.token, { kind: 'group', member_ids: [bob.user.id], name: 'bench' });
  for (let i = 0; i < MESSAGES; i += 25) {
    await Promise.all(
      Array.from({ length: 25 }, (_, j) =>
        api(
          server,
          'POST',
          `/conversations/${conv.id}/messages`,
          { client_msg_id: randomUUID(), body: `message ${i + j}: some ordinary chat text of a typical length, with a **bit** of markdown` },
          (i + j) % 2 ? alice.token : bob.token,
        ),
      ),
    );
  }
  const url = `${server.url}/api/v1/conversations/${conv.id}/messages?limit=200`;
  // The server runs in this process, the load in the child: our CPU time is the server's.
  const cpu0 = process.cpuUsage();
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', CLIENT, url, alice.token, String(SECONDS), String(CONCURRENCY)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout.on('data', (d: Buffer) => (text += d.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(text.trim()) : reject(new Error(`load process exited ${code}`))));
  });
  const cpu = process.cpuUsage(cpu0);
  const result = JSON.parse(out) as { requests: number; warmup_requests: number };
  const served = result.requests + result.warmup_requests;
  console.log(JSON.stringify({ seconds: SECONDS, concurrency: CONCURRENCY, ...result, server_cpu_ms_per_req: +((cpu.user + cpu.system) / 1000 / served).toFixed(3) }));
} finally {
  await server.stop();
}
