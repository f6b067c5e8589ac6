/**
 * Web client performance: `npm run bench:web`.
 *
 * 1. Builds the web client and measures the JavaScript a first visit must download: every
 *    script and modulepreload that dist/index.html references, gzipped with node:zlib.
 * 2. Starts a Parley serving that build, seeds one DM with 10,000 messages, opens it in
 *    headless Chromium (a fresh browser context and a UI sign-in per run, so no cache helps),
 *    and measures, in the page's own clock, the time from the conversation's history data
 *    arriving (a REST response or a socket frame carrying its messages or events) to the latest
 *    message being visible on screen.
 *
 * Prints a table and one JSON line, and rewrites the "Web client" section of docs/performance.md.
 * Targets: initial JS < 300 KB gzip; latest page < 300 ms after its data arrives.
 *
 * BENCH_WEB_PROFILE=<dir> also records a CPU profile of the page for each open (click to latest
 * message visible) as <dir>/open-N.cpuprofile, for Chrome DevTools or bench/profile-summary.ts;
 * with PARLEY_WEB_MINIFY=0 the build keeps its function names.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { SocketClient, createConversation, registerUser, startServer, type TestUser } from '@parley/server/testing';
import { CHROMIUM_PATH, launchChromium, loginInUi, snapshotDist } from '../packages/web/e2e/support.js';
import { median as middle } from './load/util.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MESSAGES = Number(process.env.BENCH_WEB_MESSAGES ?? 10_000);
const RUNS = Number(process.env.BENCH_WEB_RUNS ?? 5);
const BURST = Number(process.env.BENCH_WEB_BURST ?? 500);
const PROFILE_DIR = process.env.BENCH_WEB_PROFILE ?? null;
const TARGET_JS_KB = 300;
const TARGET_LATEST_MS = 300;

interface Asset {
  file: string;
  bytes: number;
  gzip: number;
}

/** The JS files a first visit loads before anything lazy: <script src> and <link rel=modulepreload>. */
function initialScripts(html: string): string[] {
  const found: string[] = [];
  for (const tag of html.matchAll(/<(script|link)\b([^>]*)>/gi)) {
    const attrs = new Map<string, string>();
    for (const a of (tag[2] ?? '').matchAll(/([\w-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g)) attrs.set(a[1]!.toLowerCase(), a[2] ?? a[3] ?? a[4] ?? '');
    const url = tag[1]!.toLowerCase() === 'script' ? attrs.get('src') : attrs.get('rel')?.split(/\s+/).includes('modulepreload') ? attrs.get('href') : undefined;
    if (url && !/^[a-z]+:\/\//i.test(url)) found.push(url.split(/[?#]/)[0]!);
  }
  return [...new Set(found)];
}

function measureInitialJs(dist: string): { assets: Asset[]; bytes: number; gzip: number } {
  const html = fs.readFileSync(path.join(dist, 'index.html'), 'utf8');
  const assets = initialScripts(html).map((url) => {
    const data = fs.readFileSync(path.join(dist, url.replace(/^\//, '')));
    return { file: url, bytes: data.length, gzip: zlib.gzipSync(data, { level: 9 }).length };
  });
  return { assets, bytes: assets.reduce((n, a) => n + a.bytes, 0), gzip: assets.reduce((n, a) => n + a.gzip, 0) };
}

/** Sends `count` messages from both users, pipelined over several sockets (devices) each. */
async function seed(server: { wsUrl: string }, convId: string, users: TestUser[], count: number): Promise<{ lastId: string; lastSeq: number; ms: number }> {
  const t0 = performance.now();
  // Several devices per user: one socket answers its requests in order, so spread the load.
  const sockets = await Promise.all(users.flatMap((u) => Array.from({ length: 8 }, () => SocketClient.connect(server, u.token))));
  const texts = [
    (i: number) => `Message ${i}: shall we move the stand-up to half past nine?`,
    (i: number) => `#${i} **Heads-up**: the staging deploy is done, see [the notes](https://example.com/notes/${i}).`,
    (i: number) => `${i}. ok`,
    (i: number) => `Reply ${i} with \`inline code\` and a longer sentence that wraps onto a second line in a narrow window, as real chat often does.`,
    (i: number) => `${i} 好的，我们明天再讨论这个问题。`,
  ];
  const bodies = Array.from({ length: count }, (_, i) =>
    i % 97 === 0 ? `Snippet ${i + 1}:\n\n\`\`\`ts\nconst total = items.reduce((n, x) => n + x.size, 0);\n\`\`\`` : texts[i % texts.length]!(i + 1),
  );
  let next = 0;
  let last = { id: '', seq: 0 };
  // Each socket keeps a window of requests in flight; the server answers them in order.
  await Promise.all(
    sockets.flatMap((s) =>
      Array.from({ length: 16 }, async () => {
        for (let i = next++; i < count; i = next++) {
          const ack = await s.request('message.send', { conv_id: convId, client_msg_id: randomUUID(), body: bodies[i]! }, 60_000);
          if (ack.seq > last.seq) last = { id: ack.id, seq: ack.seq };
        }
      }),
    ),
  );
  await Promise.all(sockets.map((s) => s.close()));
  return { lastId: last.id, lastSeq: last.seq, ms: performance.now() - t0 };
}

interface BenchState {
  arrivals: { t: number; via: string; bytes: number }[];
  clickAt: number | null;
  insertedAt: number | null;
  visibleAt: number | null;
  longTasks: { start: number; duration: number }[];
}

/** Installed before any page script: timestamps history arrivals, the click, and the latest message showing. */
function instrument({ convId, lastId }: { convId: string; lastId: string }): void {
  const state: BenchState = { arrivals: [], clickAt: null, insertedAt: null, visibleAt: null, longTasks: [] };
  (window as unknown as { __bench: BenchState }).__bench = state;
  const carriesHistory = (text: string) => text.includes(convId) && /"(messages|events)"\s*:\s*\[/.test(text);

  const Native = window.WebSocket;
  class Observed extends Native {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      // Added before the app's own listeners, so it fires first: the moment the frame is here.
      this.addEventListener('message', (e: MessageEvent) => {
        if (typeof e.data === 'string' && carriesHistory(e.data)) state.arrivals.push({ t: performance.now(), via: 'socket', bytes: e.data.length });
      });
    }
  }
  window.WebSocket = Observed;

  const history = new RegExp(`/api/v1/conversations/${convId}/(messages|events)`);
  new PerformanceObserver((list) => {
    for (const e of list.getEntries() as PerformanceResourceTiming[]) {
      if (history.test(e.name)) state.arrivals.push({ t: e.responseEnd, via: 'rest', bytes: e.encodedBodySize });
    }
  }).observe({ type: 'resource', buffered: true });

  document.addEventListener(
    'click',
    (e) => {
      if (e.target instanceof Element && e.target.closest('[data-testid="conv-item"]')) state.clickAt = performance.now();
    },
    true,
  );

  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) state.longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });

  const selector = `[data-testid="message"][data-message-id="${lastId}"]`;
  // The moment React puts the newest message into the DOM (it may be on screen a frame or more later).
  const inserted = new MutationObserver(() => {
    if (state.insertedAt === null && document.querySelector(selector)) {
      state.insertedAt = performance.now();
      inserted.disconnect();
    }
  });
  inserted.observe(document, { childList: true, subtree: true });
  const onScreen = (el: Element): boolean => {
    const r = el.getBoundingClientRect();
    if (r.height <= 0 || r.bottom <= 0 || r.top >= window.innerHeight) return false;
    const list = el.closest('[data-testid="message-list"]');
    if (list) {
      const lr = list.getBoundingClientRect();
      if (r.bottom <= lr.top || r.top >= lr.bottom) return false;
    }
    const cs = getComputedStyle(el);
    return cs.visibility !== 'hidden' && cs.display !== 'none' && Number(cs.opacity) > 0;
  };
  const frame = () => {
    const el = document.querySelector(selector);
    if (el && onScreen(el)) state.visibleAt = performance.now();
    else requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}

interface RunResult {
  dataToVisibleMs: number | null;
  dataToDomMs: number | null;
  longTaskMs: number | null;
  lastDataToVisibleMs: number | null;
  clickToVisibleMs: number | null;
  arrivals: number;
  historyBytes: number;
  via: string;
  messageElements: number;
  error?: string;
}

async function oneRun(browser: Browser, baseURL: string, username: string, convId: string, lastId: string, run: number): Promise<RunResult> {
  const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 800 } });
  context.setDefaultTimeout(30_000);
  try {
    // As a string: tsx may wrap nested functions in an `__name` helper that the page lacks.
    await context.addInitScript({ content: `var __name = (f) => f;\n(${instrument.toString()})(${JSON.stringify({ convId, lastId })});` });
    const page: Page = await context.newPage();
    await page.goto('/');
    await loginInUi(page, username);
    const item = page.locator(`[data-testid="conv-item"][data-conv-id="${convId}"]`);
    await item.waitFor();
    const cdp = PROFILE_DIR ? await context.newCDPSession(page) : null;
    if (cdp) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
      await cdp.send('Profiler.start');
    }
    if (!new URL(page.url()).pathname.endsWith(convId)) await item.click();
    await page.waitForFunction(() => (window as unknown as { __bench: BenchState }).__bench.visibleAt !== null, undefined, { timeout: 30_000, polling: 50 });
    if (cdp && PROFILE_DIR) {
      const { profile } = await cdp.send('Profiler.stop');
      fs.mkdirSync(PROFILE_DIR, { recursive: true });
      fs.writeFileSync(path.join(PROFILE_DIR, `open-${run + 1}.cpuprofile`), JSON.stringify(profile));
    }
    const s = await page.evaluate(() => (window as unknown as { __bench: BenchState }).__bench);
    const messageElements = await page.locator('[data-testid="message"]').count();
    const visibleAt = s.visibleAt!;
    const before = s.arrivals.filter((a) => a.t <= visibleAt).sort((x, y) => x.t - y.t);
    const afterClick = s.clickAt !== null && s.clickAt <= visibleAt ? before.filter((a) => a.t >= s.clickAt!) : before;
    // From the first history data of this open (or the click, when the data was already there).
    const start = afterClick[0]?.t ?? (s.clickAt !== null && s.clickAt <= visibleAt ? s.clickAt : null);
    const last = before.at(-1)?.t ?? null;
    return {
      dataToVisibleMs: start === null ? null : visibleAt - start,
      dataToDomMs: start === null || s.insertedAt === null ? null : s.insertedAt - start,
      longTaskMs:
        start === null
          ? null
          : s.longTasks.filter((t) => t.start + t.duration > start && t.start < visibleAt).reduce((n, t) => n + Math.min(t.start + t.duration, visibleAt) - Math.max(t.start, start), 0),
      lastDataToVisibleMs: last === null ? null : visibleAt - Math.max(last, s.clickAt !== null && s.clickAt <= visibleAt ? s.clickAt : 0),
      clickToVisibleMs: s.clickAt !== null && s.clickAt <= visibleAt ? visibleAt - s.clickAt : null,
      arrivals: afterClick.length,
      historyBytes: afterClick.reduce((n, a) => n + a.bytes, 0),
      via: [...new Set(afterClick.map((a) => a.via))].join('+') || 'none',
      messageElements,
    };
  } catch (e) {
    return {
      dataToVisibleMs: null,
      dataToDomMs: null,
      longTaskMs: null,
      lastDataToVisibleMs: null,
      clickToVisibleMs: null,
      arrivals: 0,
      historyBytes: 0,
      via: 'none',
      messageElements: 0,
      error: (e as Error).message.split('\n')[0],
    };
  } finally {
    await context.close();
  }
}

interface BurstResult {
  messages: number;
  sendMs: number;
  /** From the last message's ack to that message on screen (the page's backlog of events to draw). */
  lastVisibleAfterAckMs: number;
  longestTaskMs: number;
  longTasksMs: number;
}

/**
 * A burst into the conversation the reader has open: `count` messages from the other member,
 * pipelined on one socket as fast as the server acks them. A page that draws every event on its
 * own falls behind and freezes; the figures say how far behind the page is when the burst ends.
 */
async function burst(browser: Browser, baseURL: string, reader: TestUser, sender: TestUser, server: { wsUrl: string }, convId: string, count: number): Promise<BurstResult> {
  const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 800 } });
  context.setDefaultTimeout(60_000);
  try {
    const page = await context.newPage();
    await page.goto('/');
    await loginInUi(page, reader.user.username);
    await page.locator(`[data-testid="conv-item"][data-conv-id="${convId}"]`).click();
    await page.getByTestId('message-list').waitFor();
    await page.locator('[data-testid="message"]').first().waitFor();
    await page.evaluate(() => {
      const tasks: number[] = [];
      (window as unknown as { __burstTasks: number[] }).__burstTasks = tasks;
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) tasks.push(e.duration);
      }).observe({ type: 'longtask' });
    });
    const socket = await SocketClient.connect(server, sender.token);
    const t0 = performance.now();
    let next = 0;
    let last = { id: '', seq: 0 };
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        for (let i = next++; i < count; i = next++) {
          const ack = await socket.request(
            'message.send',
            { conv_id: convId, client_msg_id: randomUUID(), body: `Burst ${i + 1}: the build on main is green again, **deploying** \`v1.${i}\`` },
            60_000,
          );
          if (ack.seq > last.seq) last = { id: ack.id, seq: ack.seq };
        }
      }),
    );
    const acked = performance.now();
    await page.locator(`[data-testid="message"][data-message-id="${last.id}"]`).waitFor();
    const visible = performance.now();
    await socket.close();
    const tasks = await page.evaluate(() => (window as unknown as { __burstTasks: number[] }).__burstTasks);
    return {
      messages: count,
      sendMs: Math.round(acked - t0),
      lastVisibleAfterAckMs: Math.round(visible - acked),
      longestTaskMs: Math.round(Math.max(0, ...tasks)),
      longTasksMs: Math.round(tasks.reduce((n, t) => n + t, 0)),
    };
  } finally {
    await context.close();
  }
}

/** The median, or null when nothing was measured. */
const median = (xs: number[]): number | null => (xs.length ? middle(xs) : null);
const roundedMedian = (xs: number[]): number | null => {
  const m = median(xs);
  return m === null ? null : Math.round(m);
};
const fmt = (n: number | null, unit = 'ms') => (n === null ? 'n/a' : `${n.toFixed(unit === 'ms' ? 0 : 1)} ${unit}`);

function machine(chromiumVersion: string) {
  const cpus = os.cpus();
  return {
    nproc: os.availableParallelism(),
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    memory_gb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    chromium: chromiumVersion,
    /** Other work on the machine skews the timings; recorded so a reader can tell. */
    load_avg_1m: Math.round(os.loadavg()[0]! * 100) / 100,
  };
}

function writeDoc(section: string): string {
  const file = path.join(ROOT, 'docs', 'performance.md');
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Performance\n\nMeasured figures, with the machine they were measured on. Re-run the named script to refresh a section.\n';
  const start = current.search(/^## Web client\s*$/m);
  let next: string;
  if (start < 0) next = `${current.trimEnd()}\n\n${section}`;
  else {
    const rest = current.slice(start + 1);
    const end = rest.search(/^## /m);
    next = current.slice(0, start) + section + (end < 0 ? '' : `\n${rest.slice(end)}`);
  }
  fs.writeFileSync(file, `${next.trimEnd()}\n`);
  return file;
}

async function main(): Promise<void> {
  if (!fs.existsSync(CHROMIUM_PATH)) throw new Error(`${CHROMIUM_PATH} not found: install Chromium (apt-get install -y chromium) to run this benchmark`);
  process.stdout.write('building the web client…\n');
  const build = spawnSync('npm', ['run', 'build', '-w', '@parley/web'], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`web build failed:\n${build.stdout}\n${build.stderr}`);
  // A private copy: a rebuild of dist by someone else during the run must not break the page.
  const web = await snapshotDist();
  const js = measureInitialJs(web.dir);

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-web-'));
  const server = await startServer(
    {
      webDir: web.dir,
      // Seeding speed only: the page measurement does not depend on the commit mode.
      sqliteSynchronous: 'normal',
      limits: { sendRatePerSec: 1_000_000, sendBurst: 1_000_000, frameRatePerSec: 1_000_000, frameBurst: 1_000_000, maxSocketBufferBytes: 256 * 1024 * 1024 },
    },
    dataDir,
  );
  const browser = await launchChromium();
  try {
    const alice = await registerUser(server, 'bench-alice');
    const bob = await registerUser(server, 'bench-bob');
    const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
    process.stdout.write(`seeding ${MESSAGES} messages…\n`);
    const seeded = await seed(server, dm.id, [alice, bob], MESSAGES);
    process.stdout.write(`seeded in ${(seeded.ms / 1000).toFixed(1)} s (${Math.round(MESSAGES / (seeded.ms / 1000))} msg/s); opening it ${RUNS} times…\n`);

    const runs: RunResult[] = [];
    for (let i = 0; i < RUNS; i++) runs.push(await oneRun(browser, server.url, alice.user.username, dm.id, seeded.lastId, i));
    process.stdout.write(`a burst of ${BURST} messages into the open conversation…\n`);
    const burstResult = await burst(browser, server.url, alice, bob, server, dm.id, BURST);
    const ok = runs.filter((r) => r.dataToVisibleMs !== null);
    const dataMs = ok.map((r) => r.dataToVisibleMs!);
    const result = {
      bench: 'web',
      date: new Date().toISOString(),
      initial_js_gzip_kb: Math.round((js.gzip / 1024) * 10) / 10,
      initial_js_raw_kb: Math.round((js.bytes / 1024) * 10) / 10,
      initial_js_files: js.assets.map((a) => a.file),
      messages: MESSAGES,
      runs: RUNS,
      measured_runs: ok.length,
      latest_page_after_data_ms: {
        first: runs[0]?.dataToVisibleMs === null || runs[0] === undefined ? null : Math.round(runs[0].dataToVisibleMs),
        median: median(dataMs) === null ? null : Math.round(median(dataMs)!),
        max: dataMs.length ? Math.round(Math.max(...dataMs)) : null,
      },
      latest_message_in_dom_after_data_ms_median: roundedMedian(ok.flatMap((r) => (r.dataToDomMs === null ? [] : [r.dataToDomMs]))),
      long_tasks_between_data_and_visible_ms_median: roundedMedian(ok.flatMap((r) => (r.longTaskMs === null ? [] : [r.longTaskMs]))),
      latest_page_after_last_data_ms_median: (() => {
        const m = median(ok.map((r) => r.lastDataToVisibleMs ?? r.dataToVisibleMs!));
        return m === null ? null : Math.round(m);
      })(),
      click_to_latest_page_ms_median: (() => {
        const m = median(ok.filter((r) => r.clickToVisibleMs !== null).map((r) => r.clickToVisibleMs!));
        return m === null ? null : Math.round(m);
      })(),
      history_via: [...new Set(ok.map((r) => r.via))].join(', ') || 'none',
      history_requests_per_open: median(ok.map((r) => r.arrivals)),
      history_kb_per_open: (() => {
        const m = median(ok.map((r) => r.historyBytes));
        return m === null ? null : Math.round((m / 1024) * 10) / 10;
      })(),
      message_elements_in_dom: median(ok.map((r) => r.messageElements)),
      burst: burstResult,
      errors: [...new Set(runs.flatMap((r) => (r.error ? [r.error] : [])))],
      machine: machine(browser.version()),
    };
    const jsPass = result.initial_js_gzip_kb < TARGET_JS_KB;
    const latest = result.latest_page_after_data_ms.median;
    const latestPass = latest !== null && latest < TARGET_LATEST_MS;

    const rows: [string, string, string, string][] = [
      [
        'Initial JS (gzip)',
        `${result.initial_js_gzip_kb} KB (${js.assets.length} ${js.assets.length === 1 ? 'file' : 'files'}, ${result.initial_js_raw_kb} KB raw)`,
        `< ${TARGET_JS_KB} KB`,
        jsPass ? 'pass' : 'FAIL',
      ],
      [`Latest page after history data, median of ${ok.length}/${RUNS}`, fmt(latest), `< ${TARGET_LATEST_MS} ms`, latest === null ? 'not measured' : latestPass ? 'pass' : 'FAIL'],
      ['Latest page after history data, first run / slowest run', `${fmt(result.latest_page_after_data_ms.first)} / ${fmt(result.latest_page_after_data_ms.max)}`, '', ''],
      ['Latest page after the last history data, median', fmt(result.latest_page_after_last_data_ms_median), '', ''],
      ['Newest message in the DOM after history data, median', fmt(result.latest_message_in_dom_after_data_ms_median), '', ''],
      ['Main-thread long tasks in that window, median', fmt(result.long_tasks_between_data_and_visible_ms_median), '', ''],
      ['Click on the conversation to latest page, median', fmt(result.click_to_latest_page_ms_median), '', ''],
      [
        'History fetched per open',
        `${result.history_requests_per_open ?? 'n/a'} ${result.history_requests_per_open === 1 ? 'response' : 'responses'}, ${result.history_kb_per_open ?? 'n/a'} KB, via ${result.history_via}`,
        '',
        '',
      ],
      ['Message elements in the DOM', String(result.message_elements_in_dom ?? 'n/a'), '', ''],
      [`Burst of ${burstResult.messages} messages into the open conversation (sent in ${burstResult.sendMs} ms): last one on screen after its ack`, fmt(burstResult.lastVisibleAfterAckMs), '', ''],
      ['During that burst: longest main-thread task / all long tasks', `${fmt(burstResult.longestTaskMs)} / ${fmt(burstResult.longTasksMs)}`, '', ''],
    ];
    const widths = [0, 1, 2, 3].map((c) => Math.max(...rows.map((r) => r[c]!.length), ['Metric', 'Value', 'Target', ''][c]!.length));
    const line = (r: string[]) => r.map((x, c) => x.padEnd(widths[c]!)).join('  ');
    process.stdout.write(`\n${line(['Metric', 'Value', 'Target', ''])}\n${line(widths.map((w) => '-'.repeat(w)))}\n${rows.map(line).join('\n')}\n`);
    if (result.errors.length) process.stdout.write(`\nruns that could not be measured: ${result.errors.join(' | ')}\n`);
    process.stdout.write(`\n${JSON.stringify(result)}\n`);

    const m = result.machine;
    const doc = [
      '## Web client',
      '',
      `Measured by \`npm run bench:web\` (bench/web.ts) on ${result.date.slice(0, 10)}: ${m.nproc} CPUs (${m.cpu}), ${m.memory_gb} GB memory, ${m.os}, Node ${m.node}, Chromium ${m.chromium} headless; 1-minute load average ${m.load_avg_1m} when the measurement ended.`,
      '',
      '| Metric | Value | Target | |',
      '|---|---|---|---|',
      ...rows.map((r) => `| ${r[0]} | ${r[1]} | ${r[2]} | ${r[3]} |`),
      '',
      `- **Initial JS** is every script and \`modulepreload\` that \`dist/index.html\` references (${result.initial_js_files.join(', ') || 'none'}), gzipped at level 9 with node:zlib; lazily loaded chunks (such as the syntax highlighter) are not counted.`,
      `- **Burst**: the other member sends ${burstResult.messages} messages as fast as the server acks them (16 in flight on one socket) while the reader has the conversation open at its end; the figure is how long after the last ack that message is on screen, which is how far behind the page fell.`,
      `- **Latest page** is measured in the page's own clock over ${RUNS} ${RUNS === 1 ? 'open' : 'opens'} of a DM holding ${MESSAGES.toLocaleString('en')} messages (a fresh browser context and a sign-in each time, so nothing is cached): from the first response or socket frame carrying that conversation's history after the click, to the first animation frame in which its newest message is on screen.`,
      ...(latest !== null && result.long_tasks_between_data_and_visible_ms_median !== null && result.long_tasks_between_data_and_visible_ms_median > latest / 2
        ? [
            `- Main-thread long tasks fill ${Math.round((100 * result.long_tasks_between_data_and_visible_ms_median) / latest)}% of that window: the time goes to the page's own script work after the data is in, not to the network. A CPU profile (Chrome DevTools, or CDP \`Profiler\`) of the click shows where.`,
          ]
        : []),
      ...(m.load_avg_1m > m.nproc
        ? [`- The machine was busy with other work (load average ${m.load_avg_1m} on ${m.nproc} CPUs), so the timings are pessimistic; re-run on a quiet machine for release figures.`]
        : []),
      ...(result.errors.length ? [`- Runs that could not be measured: ${result.errors.map((e) => e.replace(/\.+$/, '')).join('; ')}.`] : []),
      '',
      '```json',
      JSON.stringify(result),
      '```',
      '',
    ].join('\n');
    const file = writeDoc(doc);
    process.stdout.write(`wrote ${path.relative(ROOT, file)}\n`);
  } finally {
    await browser.close().catch(() => undefined);
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    web.remove();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:web failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
