/**
 * Shared plumbing for the browser suites: a fresh web build when the sources moved on, a real
 * Parley serving that build, a headless Chromium driven by playwright-core, and small helpers
 * that act the way a user does (through the data-testid contract of the web client).
 *
 * Never downloads a browser: it drives the system's /usr/bin/chromium or skips.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { Message } from '@parley/protocol';
import { api, startServer, type TestServer, type TestUser } from '@parley/server/testing';

/** Debian's Chromium; PARLEY_CHROMIUM points elsewhere (or at nothing, to check the skip path). */
export const CHROMIUM_PATH = process.env.PARLEY_CHROMIUM || '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export const WEB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_ROOT = path.resolve(WEB_DIR, '..', '..');
export const DIST_DIR = path.join(WEB_DIR, 'dist');
export const RESULTS_DIR = path.join(REPO_ROOT, 'test-results');
export const PASSWORD = 'correct horse battery';

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Why the browser suites cannot run here, or null when they can. */
export const browserUnavailable: string | null = isExecutable(CHROMIUM_PATH) ? null : `${CHROMIUM_PATH} not found or not executable (install it with: apt-get install -y chromium)`;

/**
 * Prints the reason for skipping exactly once per test run, however many browser files are
 * skipped: the files of one run share the parent process, so a marker named after it dedupes.
 */
export function announceSkip(): void {
  if (!browserUnavailable) return;
  try {
    fs.writeFileSync(path.join(os.tmpdir(), `parley-e2e-skip-${process.ppid}`), '', { flag: 'wx' });
  } catch {
    return;
  }
  process.stderr.write(`Browser tests skipped: ${browserUnavailable}.\n`);
}

/** The newest modification time of anything under `dir` that feeds the build. */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full));
    else newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

function buildIsStale(): boolean {
  const shell = path.join(DIST_DIR, 'index.html');
  if (!fs.existsSync(shell)) return true;
  const built = fs.statSync(shell).mtimeMs;
  const inputs = [path.join(WEB_DIR, 'src'), path.join(WEB_DIR, 'public')].filter((d) => fs.existsSync(d));
  const newest = Math.max(...inputs.map(newestMtime), ...['index.html', 'vite.config.ts', 'package.json'].map((f) => fs.statSync(path.join(WEB_DIR, f)).mtimeMs));
  return newest > built;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Builds the web client when dist is missing or older than its sources. Several test files may
 * ask at once, so one builds under a lock directory while the others wait for it and re-check.
 */
export async function ensureWebBuild(): Promise<void> {
  const lock = path.join(os.tmpdir(), 'parley-web-build.lock');
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (!buildIsStale()) return;
    try {
      fs.mkdirSync(lock);
    } catch {
      // Someone else is building; a lock older than three minutes is left over from a crash.
      const age = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 180_000) fs.rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error('timed out waiting for another web build to finish');
      await sleep(250);
      continue;
    }
    try {
      if (!buildIsStale()) return;
      // Vitest sets NODE_ENV=test, and Vite builds React's development runtime under any NODE_ENV but
      // production: ten times slower to render (a page froze for 12 s behind 200 messages), and not what
      // users run. The suites test the build `npm start` serves.
      const res = spawnSync('npm', ['run', 'build', '-w', '@parley/web'], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, NODE_ENV: 'production' } });
      if (res.status !== 0) throw new Error(`web build failed (exit ${res.status}):\n${res.stdout}\n${res.stderr}`);
      return;
    } finally {
      fs.rmSync(lock, { recursive: true, force: true });
    }
  }
}

/** The same-origin files a page must load first: the shell's scripts, preloads and styles. */
function shellAssets(html: string): string[] {
  return [...html.matchAll(/(?:src|href)="(\/assets\/[^"?#]+)"/g)].map((m) => m[1]!);
}

/**
 * Copies dist to a private directory and returns it. Someone may rebuild dist while tests run
 * (Vite empties it first), which would leave the page blank; a snapshot whose shell finds every
 * asset it names is immune to that.
 */
export async function snapshotDist(): Promise<{ dir: string; remove(): void }> {
  for (let attempt = 0; ; attempt++) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-web-dist-'));
    try {
      fs.cpSync(DIST_DIR, dir, { recursive: true, filter: (src) => !src.endsWith('.map') });
      const html = fs.readFileSync(path.join(dir, 'index.html'), 'utf8');
      // The service worker is written last (vite-plugin-pwa, after the bundle): a copy without it caught a build midway.
      if (shellAssets(html).every((a) => fs.existsSync(path.join(dir, a))) && fs.existsSync(path.join(dir, 'sw.js'))) return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
    } catch {
      // dist changed under us; try again.
    }
    fs.rmSync(dir, { recursive: true, force: true });
    if (attempt >= 20) throw new Error(`could not take a consistent copy of ${DIST_DIR}`);
    await sleep(500);
    await ensureWebBuild();
  }
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

/** Errors the page threw, kept per page so a failing test can say what the app complained about. */
export const pageErrors = new WeakMap<Page, string[]>();

/**
 * What the server's Content-Security-Policy refused in each page, as Chromium reports it: any
 * refusal fails the test that caused it (browserHarness), so the app can never quietly depend on
 * an inline script or a foreign origin.
 */
export const cspViolations = new WeakMap<Page, string[]>();

export interface Harness {
  server: TestServer;
  browser: Browser;
  /** Every CSP refusal in the pages opened since the last call, emptied by the call. */
  takeCspViolations(): string[];
  /** A fresh, isolated browser (own cookies and storage) with one page on the app's origin. */
  newPage(options?: BrowserContextOptions): Promise<{ context: BrowserContext; page: Page }>;
  close(): Promise<void>;
}

/** Settings for the server a suite runs against (e.g. a small upload quota). */
export type ServerOverrides = NonNullable<Parameters<typeof startServer>[0]>;

/** Build if needed, start a server serving the build, launch Chromium. Call once per file. */
export async function startHarness(overrides: ServerOverrides = {}): Promise<Harness> {
  await ensureWebBuild();
  const web = await snapshotDist();
  const server = await startServer({ ...overrides, webDir: web.dir });
  const browser = await launchChromium();
  const contexts: BrowserContext[] = [];
  const pages: Page[] = [];
  return {
    server,
    browser,
    async newPage(options = {}) {
      // Service workers are blocked: precaching every lazy chunk in each fresh context costs
      // seconds of CPU and is not what these tests are about (the page stays loaded offline).
      const context = await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 800 }, serviceWorkers: 'block', ...options });
      contexts.push(context);
      context.setDefaultTimeout(15_000);
      context.setDefaultNavigationTimeout(30_000);
      const page = await context.newPage();
      const errors: string[] = [];
      pageErrors.set(page, errors);
      page.on('pageerror', (err) => errors.push(err.message));
      page.on('crash', () => errors.push('the page crashed (renderer process gone)'));
      const refused: string[] = [];
      cspViolations.set(page, refused);
      // The page's own report of each refusal (added outside the page's policy, through the DevTools protocol).
      await page.exposeFunction('__parleyCspViolation', (what: string) => refused.push(what));
      await page.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (e) => {
          (window as unknown as { __parleyCspViolation(s: string): void }).__parleyCspViolation(`${e.effectiveDirective} refused ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`);
        });
      });
      pages.push(page);
      return { context, page };
    },
    takeCspViolations() {
      return pages.flatMap((p) => (cspViolations.get(p) ?? []).splice(0));
    },
    async close() {
      await Promise.allSettled(contexts.map((c) => c.close()));
      await browser.close().catch(() => undefined);
      await server.stop();
      web.remove();
    },
  };
}

let userSeq = 0;
/** A username that is valid for the server and unique across files running in parallel. */
/**
 * One Parley server and Chromium for a describe block, started before its tests and closed after
 * them; when a test fails, the pages it opened (`track`) are saved as screenshots.
 */
export function browserHarness(overrides: ServerOverrides = {}): { readonly h: Harness; track(page: Page): Page } {
  let harness: Harness | undefined;
  let pages: Page[] = [];
  beforeAll(async () => {
    harness = await startHarness(overrides);
  }, 180_000);
  afterEach(async ({ task }) => {
    const failed = task.result?.state === 'fail';
    const state = failed ? await recordFailure(task.name, pages) : '';
    pages = [];
    const refused = harness?.takeCspViolations() ?? [];
    if (refused.length > 0) throw new Error(`the Content-Security-Policy refused:\n  ${refused.join('\n  ')}`);
    // Thrown so that the state of the pages lands in the run's summary of failures, which is what CI keeps.
    if (failed) throw new Error(`where the pages were when the test failed:\n${state}`);
  });
  afterAll(async () => {
    await harness?.close();
  });
  return {
    get h() {
      if (!harness) throw new Error('the browser harness has not started');
      return harness;
    },
    track(page) {
      pages.push(page);
      return page;
    },
  };
}

export function uniqueName(prefix: string): string {
  return `${prefix}${process.pid.toString(36)}${(++userSeq).toString(36)}${randomUUID().slice(0, 4)}`;
}

/** Puts the auth screen in the wanted mode; the display-name field only exists when registering. */
async function authMode(page: Page, mode: 'login' | 'register'): Promise<void> {
  await page.getByTestId('auth-username').waitFor();
  const registering = await page.getByTestId('auth-display-name').isVisible();
  if (registering !== (mode === 'register')) await page.getByTestId('auth-toggle').click();
  if (mode === 'register') await page.getByTestId('auth-display-name').waitFor();
  else await page.getByTestId('auth-display-name').waitFor({ state: 'hidden' });
}

/** Registers through the UI and waits for the signed-in shell. */
export async function registerInUi(page: Page, username: string, displayName: string): Promise<void> {
  if (!page.url().startsWith('http')) await page.goto('/');
  await authMode(page, 'register');
  await page.getByTestId('auth-username').fill(username);
  await page.getByTestId('auth-password').fill(PASSWORD);
  await page.getByTestId('auth-display-name').fill(displayName);
  await page.getByTestId('auth-submit').click();
  await page.getByTestId('sidebar').waitFor();
}

/** Signs in through the UI (the account exists already) and waits for the signed-in shell. */
export async function loginInUi(page: Page, username: string): Promise<void> {
  if (!page.url().startsWith('http')) await page.goto('/');
  await authMode(page, 'login');
  await page.getByTestId('auth-username').fill(username);
  await page.getByTestId('auth-password').fill(PASSWORD);
  await page.getByTestId('auth-submit').click();
  await page.getByTestId('sidebar').waitFor();
}

/** The conversation id in the page's URL (/c/<conv_id>), or null. */
export function convIdFromUrl(page: Page): string | null {
  return convIdFromPath(new URL(page.url()).pathname);
}

/** Opens the conversation by clicking it in the sidebar and waits for its message list. */
export async function openConversation(page: Page, convId: string): Promise<void> {
  await page.locator(`[data-testid="conv-item"][data-conv-id="${convId}"]`).click();
  await page.waitForURL(`**/c/${convId}`);
  await page.getByTestId('message-list').waitFor();
}

/** A new tracked page of the suite, signed in as `u` on the home screen. */
export async function signedIn(suite: { readonly h: Harness; track(page: Page): Page }, u: TestUser): Promise<Page> {
  const { page } = await suite.h.newPage();
  suite.track(page);
  await page.goto('/');
  await loginInUi(page, u.user.username);
  return page;
}

/** The rendered messages whose body contains `text`. */
export function messagesWithText(page: Page, text: string) {
  return page.getByTestId('message').filter({ has: page.getByTestId('message-body').filter({ hasText: text }) });
}

/** Sends a message over REST, as a bot or another device would. */
export async function sendViaApi(server: TestServer, token: string, convId: string, body: string, replyTo?: string): Promise<Message> {
  const res = await api<Message>(server, 'POST', `/conversations/${convId}/messages`, { client_msg_id: randomUUID(), body, ...(replyTo ? { reply_to: replyTo } : {}) }, token);
  if (res.status !== 201) throw new Error(`send failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Every message of a conversation, read page by page over REST. */
export async function historyViaApi(server: TestServer, token: string, convId: string): Promise<Message[]> {
  const all: Message[] = [];
  let after = 0;
  for (;;) {
    const res = await api<{ messages: Message[]; has_more: boolean }>(server, 'GET', `/conversations/${convId}/messages?after_seq=${after}&limit=200`, undefined, token);
    if (res.status !== 200) throw new Error(`history failed: ${res.status} ${JSON.stringify(res.body)}`);
    all.push(...res.body.messages);
    const last = res.body.messages.at(-1);
    if (!res.body.has_more || !last) return all;
    after = last.seq;
  }
}

/** Saves a screenshot under test-results/ and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const file = path.join(RESULTS_DIR, `${name}.png`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await page.screenshot({ path: file, fullPage: false, animations: 'disabled' });
  return file;
}

/** For failing tests: a screenshot of each open page and the errors the app threw. */
export async function recordFailure(testName: string, pages: Page[]): Promise<string> {
  const slug = testName
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 60);
  const lines: string[] = [];
  for (const [i, page] of pages.entries()) {
    const errors = pageErrors.get(page) ?? [];
    if (page.isClosed()) {
      lines.push(`  page ${i}: closed${errors.length ? `; it threw: ${errors.join(' | ')}` : ''}`);
      continue;
    }
    await screenshot(page, `failures/${slug}-${i}`).catch(() => undefined);
    const seen = await page
      .evaluate(() => ({ sidebar: document.querySelector('[data-testid="sidebar"]') !== null, text: (document.body?.innerText ?? '').replace(/\s+/g, ' ').slice(0, 240) }))
      .catch((err: unknown) => ({ sidebar: false, text: `(could not read the page: ${String(err)})` }));
    lines.push(`  page ${i}: ${page.url()} sidebar=${seen.sidebar} text="${seen.text}"${errors.length ? `; it threw: ${errors.join(' | ')}` : ''}`);
  }
  return lines.join('\n');
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  /** Where, and axe's own words on why (kept in the JSON report under test-results/). */
  nodes: { target: unknown[]; html?: string; summary?: string }[];
}

const requireFromHere = createRequire(import.meta.url);
export const AXE_PATH = requireFromHere.resolve('axe-core/axe.min.js');

/** Runs axe-core in the page and returns its violations. */
export async function runAxe(page: Page): Promise<AxeViolation[]> {
  // Evaluated through the DevTools protocol: the page's policy rightly refuses an injected <script>.
  await page.evaluate(fs.readFileSync(AXE_PATH, 'utf8'));
  return page.evaluate(async () => {
    type Found = Omit<AxeViolation, 'nodes'> & { nodes: { target: unknown[]; html: string; failureSummary?: string }[] };
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: Found[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target, html: n.html.slice(0, 300), ...(n.failureSummary ? { summary: n.failureSummary } : {}) })),
    }));
  });
}

const CONV_URL = /\/c\/[0-9A-Z]{26}$/;

/**
 * Opens (or creates) a DM the way a user does: new-dm, search, pick the person. Some dialogs
 * open the DM on the pick, others want a confirming click; both are accepted.
 */
export async function startDmInUi(page: Page, username: string): Promise<string> {
  const before = convIdFromUrl(page);
  await page.getByTestId('new-dm').click();
  await page.getByTestId('dialog').waitFor();
  await page.getByTestId('user-search').fill(username);
  await page.locator(`[data-testid="user-option"][data-username="${username}"]`).click();
  const opened = (): Promise<'opened' | 'timeout'> =>
    page
      .waitForURL((url) => CONV_URL.test(url.pathname) && convIdFromPath(url.pathname) !== before)
      .then(() => 'opened' as const)
      .catch(() => 'timeout' as const);
  const asked = page
    .getByTestId('dialog-submit')
    .waitFor()
    .then(() => 'asked' as const)
    .catch(() => 'timeout' as const);
  const first = await Promise.race([opened(), asked]);
  if (first === 'asked' && convIdFromUrl(page) === before) {
    await page.getByTestId('dialog-submit').click();
    if ((await opened()) === 'timeout') throw new Error('the DM did not open after confirming the dialog');
  } else if (first === 'timeout') {
    throw new Error('picking a user neither opened a DM nor offered dialog-submit');
  }
  const convId = convIdFromUrl(page);
  if (!convId) throw new Error(`expected /c/<conv_id> after opening a DM, got ${page.url()}`);
  await page.getByTestId('message-list').waitFor();
  return convId;
}

function convIdFromPath(pathname: string): string | null {
  return /\/c\/([0-9A-Z]{26})/.exec(pathname)?.[1] ?? null;
}
