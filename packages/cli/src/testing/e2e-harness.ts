/**
 * What the CLI's end-to-end test files share: a real server in its own process (`parley serve`)
 * per file, and `parley` spawned as a user would run it, each test with its own config directory.
 * Split over several files so they run side by side.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { Conversation, Message } from '@parley/protocol';
import { api, createConversation, registerUser, type TestUser } from '@parley/server/testing';
import { freePort } from '@parley/server/testing/ports';
import { writeCredentials } from '../credentials.js';
import { until } from '@parley/protocol/testing';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '../../../..');
export const bin = path.join(repoRoot, 'packages/cli/bin/parley.js');
// One directory per test file, made when the file first needs it and removed after its tests: the
// test runner keeps this module loaded from one file to the next (vitest.config.ts, isolate: false).
let root: string | null = null;
const fileRoot = (): string => (root ??= fs.mkdtempSync(path.join(os.tmpdir(), 'parley-cli-e2e-')));

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment without anything Parley-related leaking in from the developer's shell. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PARLEY_') && k !== 'XDG_CONFIG_HOME') env[k] = v;
  return { ...env, ...extra };
}

let dirCounter = 0;
export function freshDir(label: string): string {
  return fs.mkdtempSync(path.join(fileRoot(), `${label}-${++dirCounter}-`));
}

/** Runs `parley …` to completion with its own config directory, capturing output and the exit code. */
export function parley(args: string[], opts: { configDir: string; env?: Record<string, string>; input?: string; timeoutMs?: number; readStdoutAfterMs?: number; cwd?: string }): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: opts.cwd ?? repoRoot, env: cleanEnv({ PARLEY_CONFIG_DIR: opts.configDir, ...(opts.env ?? {}) }), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    if (opts.readStdoutAfterMs) {
      // A slow reader: the pipe fills up and the command has to wait for it.
      child.stdout.pause();
      setTimeout(() => child.stdout.resume(), opts.readStdoutAfterMs);
    }
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`parley ${args.join(' ')} did not finish in time.\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, opts.timeoutMs ?? 45_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** The complete lines of NDJSON output (a line still being written is left for later). */
export function jsonLines<T>(text: string): T[] {
  const lines = text.split('\n');
  lines.pop();
  return lines.filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as T);
}

/** The shared wait (`@parley/protocol/testing`), here for the CLI's tests that import it from the harness. */
export { until };

// ---- the server, in its own process ------------------------------------------------------------

export let port = 0;
export let url = '';
let serverProc: ChildProcess | null = null;
let serverLog = '';
/** Settings of this file's server on top of the ones below (useCliServer's `env`). */
let serverEnv: Record<string, string> = {};

export async function startServerProcess(): Promise<void> {
  const dataDir = path.join(fileRoot(), 'data');
  const child = spawn(process.execPath, [bin, 'serve', '--port', String(port), '--data-dir', dataDir], {
    cwd: repoRoot,
    env: cleanEnv({
      LOG_LEVEL: 'warn',
      PARLEY_AUTH_RATE_PER_MIN: '100000',
      PARLEY_LOGIN_FAILURES_PER_IP: '100000',
      PARLEY_IP_RATE_PER_SEC: '100000',
      PARLEY_IP_BURST: '100000',
      PARLEY_SEND_RATE_PER_SEC: '1000',
      PARLEY_SEND_BURST: '1000',
      PARLEY_SHUTDOWN_GRACE_MS: '300',
      // The outgoing-webhook test's receiver listens on 127.0.0.1.
      PARLEY_OUTGOING_ALLOW_PRIVATE: '1',
      PARLEY_OUTGOING_RETRY_BASE_MS: '50',
      // No #general: the tests count and list the conversations they make.
      PARLEY_DEFAULT_CHANNEL: 'none',
      ...serverEnv,
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (serverLog += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (serverLog += d));
  serverProc = child;
  await until(
    'the server to answer /healthz',
    async () => {
      if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}:\n${serverLog}`);
      try {
        const res = await fetch(`${url}/healthz`);
        return res.ok ? true : undefined;
      } catch {
        return undefined;
      }
    },
    // Start-up speed is not what these tests are about: four CLI files and the rest of the suite start servers at once.
    60_000,
  );
}

export async function stopServerProcess(): Promise<void> {
  const child = serverProc;
  serverProc = null;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 8_000);
  await exited;
  clearTimeout(timer);
}

// ---- users -------------------------------------------------------------------------------------

export const server = {
  get url() {
    return url;
  },
};
export let owner: TestUser;
let userCounter = 0;

/** A username not taken yet on this file's server. */
export const uniqueName = (label: string) => `${label}${++userCounter}`;

/** A new user registered over REST, with a fresh config directory holding their credentials. */
export async function newUser(label: string): Promise<TestUser & { dir: string }> {
  const u = await registerUser(server, uniqueName(label));
  return { ...u, dir: configFor(u) };
}

export function configFor(u: TestUser): string {
  const dir = freshDir(u.user.username);
  writeCredentials({ server: url, username: u.user.username, access_token: u.token, refresh_token: u.refresh }, { PARLEY_CONFIG_DIR: dir });
  return dir;
}

let channelCounter = 0;
export async function newChannel(creator: TestUser, members: TestUser[] = []): Promise<Conversation> {
  return createConversation(server, creator.token, { kind: 'channel', name: `room-${++channelCounter}`, visibility: 'public', member_ids: members.map((m) => m.user.id) });
}

export async function restSend(u: TestUser, convId: string, body: string): Promise<Message> {
  const res = await api<Message>(server, 'POST', `/conversations/${convId}/messages`, { client_msg_id: globalThis.crypto.randomUUID(), body }, u.token);
  if (res.status !== 201) throw new Error(`send failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/**
 * One server for the calling test file: started before its tests, stopped (and its files removed)
 * after. `env` adds or overrides server settings (`PARLEY_BURN_MIN: '1s'`).
 */
export function useCliServer(opts: { env?: Record<string, string> } = {}): void {
  serverEnv = opts.env ?? {};
  beforeAll(async () => {
    port = await freePort();
    url = `http://127.0.0.1:${port}`;
    serverLog = '';
    await startServerProcess();
    // The first account of a workspace becomes its owner.
    owner = await registerUser(server, 'owner');
    expect(owner.user.role).toBe('owner');
  }, 90_000);

  // A test that failed because the server went away says how it went, and what it said last.
  afterEach(({ task }) => {
    if (task.result?.state !== 'fail' || !serverProc) return;
    const { exitCode, signalCode, pid } = serverProc;
    const state = exitCode === null && signalCode === null ? 'still running' : `exited (code ${exitCode}, signal ${signalCode})`;
    process.stderr.write(`[${task.name}] the CLI tests' server (pid ${pid}, ${url}) is ${state}; the end of its log:\n${serverLog.slice(-4_000)}\n`);
  });

  afterAll(async () => {
    await stopServerProcess();
    if (root) fs.rmSync(root, { recursive: true, force: true });
    root = null;
  }, 15_000);
}
