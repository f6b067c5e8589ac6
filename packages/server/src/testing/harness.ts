/**
 * Test helpers shared by every server test: a real Parley on a real port with its own data
 * directory, users made through the public API, and a socket client that speaks the protocol.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import WebSocket from 'ws';
import type { ClientFrame, Conversation, ErrorBody, HelloFrame, RequestResults, RequestType, ServerEvent, ServerFrame, User } from '@parley/protocol';
import { build, type BuildOptions, type Parley } from '../app.js';
import { loadConfig, type ConfigOverrides } from '../config/config.js';

export interface TestServer {
  parley: Parley;
  url: string;
  wsUrl: string;
  dataDir: string;
  stop(): Promise<void>;
}

/** Starts a server on a free port. Limits that would slow a test suite down are raised explicitly. */
/**
 * `PARLEY_TEST_DB=postgres` (with `PARLEY_TEST_PG_URL`) runs the suite on PostgreSQL: each data
 * directory maps to its own schema, so a restart on the same directory finds the same data.
 */
export function testDatabase(dataDir: string): { databaseUrl: string; pgSchema: string } | null {
  const url = process.env.PARLEY_TEST_PG_URL;
  if (process.env.PARLEY_TEST_DB !== 'postgres' || !url) return null;
  return { databaseUrl: url, pgSchema: `parley_t_${crypto.createHash('sha1').update(dataDir).digest('hex').slice(0, 20)}` };
}

export const onPostgres = () => process.env.PARLEY_TEST_DB === 'postgres' && !!process.env.PARLEY_TEST_PG_URL;

/** `beforeListen` may add hooks to the built app (a test that watches what handlers return). */
export async function startServer(overrides: ConfigOverrides = {}, dataDir?: string, options: BuildOptions = {}, beforeListen?: (parley: Parley) => void): Promise<TestServer> {
  const dir = dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'parley-test-'));
  const config = loadConfig(
    { DATA_DIR: dir },
    {
      port: 0,
      host: '127.0.0.1',
      logLevel: 'silent',
      shutdownGraceMs: 200,
      ...(testDatabase(dir) ?? {}),
      // No #general unless a test asks for it: the suite counts and lists the conversations it makes.
      defaultChannel: null,
      ...overrides,
      limits: {
        authRatePerMin: 100_000,
        loginFailuresPerAccount: 100_000,
        loginFailuresPerIp: 100_000,
        readRatePerSec: 100_000,
        readBurst: 100_000,
        ipRatePerSec: 100_000,
        ipBurst: 100_000,
        sendRatePerSec: 10_000,
        sendBurst: 10_000,
        frameRatePerSec: 10_000,
        frameBurst: 10_000,
        ...(overrides.limits ?? {}),
      },
    },
  );
  const parley = await build(config, { logger: pino({ level: 'silent' }), ...options });
  beforeListen?.(parley);
  await parley.app.listen({ host: '127.0.0.1', port: config.port });
  const addr = parley.app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    parley,
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    dataDir: dir,
    stop: () => parley.close(),
  };
}

export interface ApiResult<T = unknown> {
  status: number;
  body: T;
}

/** A tiny REST client: JSON in, JSON out, bearer token when given. */
export async function api<T = unknown>(server: { url: string }, method: string, route: string, body?: unknown, token?: string): Promise<ApiResult<T>> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${server.url}/api/v1${route}`, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

export interface TestUser {
  user: User;
  token: string;
  refresh: string;
  sessionId: string;
}

let userCounter = 0;

export async function registerUser(server: { url: string }, name?: string): Promise<TestUser> {
  const username = name ?? `user${process.pid}x${++userCounter}`;
  const res = await api<{ user: User; access_token: string; refresh_token: string; session_id: string }>(server, 'POST', '/auth/register', {
    username,
    password: 'correct horse battery',
    display_name: username,
  });
  if (res.status !== 201) throw new Error(`register ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { user: res.body.user, token: res.body.access_token, refresh: res.body.refresh_token, sessionId: res.body.session_id };
}

export async function login(server: { url: string }, username: string): Promise<TestUser> {
  const res = await api<{ user: User; access_token: string; refresh_token: string; session_id: string }>(server, 'POST', '/auth/login', { username, password: 'correct horse battery' });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { user: res.body.user, token: res.body.access_token, refresh: res.body.refresh_token, sessionId: res.body.session_id };
}

export async function createConversation(server: { url: string }, token: string, body: unknown): Promise<Conversation> {
  const res = await api<Conversation>(server, 'POST', '/conversations', body, token);
  if (res.status !== 201 && res.status !== 200) throw new Error(`create conversation failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export class RequestError extends Error {
  constructor(readonly error: ErrorBody) {
    super(`${error.code}: ${error.message}`);
  }
}

/** A protocol-level socket client for tests: requests by id, every pushed event recorded in order. */
export class SocketClient {
  readonly ws: WebSocket;
  readonly events: ServerEvent[] = [];
  readonly frames: ServerFrame[] = [];
  hello: HelloFrame | null = null;
  closeInfo: { code: number; reason: string } | null = null;
  private nextId = 1;
  private readonly pending = new Map<string, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly waiters: { pred: (e: ServerEvent) => boolean; resolve: (e: ServerEvent) => void }[] = [];
  readonly opened: Promise<void>;
  readonly closed: Promise<{ code: number; reason: string }>;

  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    this.closed = new Promise((resolve) => {
      this.ws.on('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString() };
        for (const p of this.pending.values()) p.reject(new Error(`socket closed ${code} ${reason.toString()}`));
        this.pending.clear();
        resolve(this.closeInfo);
      });
    });
    this.ws.on('message', (data) => this.onMessage(data.toString()));
  }

  static async connect(server: { wsUrl: string }, token: string): Promise<SocketClient> {
    const c = new SocketClient(server.wsUrl);
    await c.opened;
    c.hello = (await c.request('auth', { token })) as unknown as HelloFrame;
    return c;
  }

  private onMessage(text: string): void {
    const frame = JSON.parse(text) as ServerFrame;
    this.frames.push(frame);
    if (frame.type === 'result' || frame.type === 'hello') {
      const p = frame.id ? this.pending.get(frame.id) : undefined;
      if (p) {
        this.pending.delete(frame.id);
        p.resolve(frame.type === 'hello' ? frame : frame.data);
      }
    } else if (frame.type === 'error') {
      const p = frame.id ? this.pending.get(frame.id) : undefined;
      if (p && frame.id) {
        this.pending.delete(frame.id);
        p.reject(new RequestError(frame.error));
      }
    } else if (frame.type === 'event') {
      this.events.push(frame.event);
      for (let i = this.waiters.length - 1; i >= 0; i--) {
        const w = this.waiters[i]!;
        if (w.pred(frame.event)) {
          this.waiters.splice(i, 1);
          w.resolve(frame.event);
        }
      }
    }
  }

  /** Sends a request frame and resolves with its result, or rejects with a RequestError. */
  request<T extends RequestType>(type: T, data: ClientFrame<T>['data'] | Record<string, unknown>, timeoutMs = 10_000): Promise<RequestResults[T]> {
    const id = String(this.nextId++);
    return new Promise<RequestResults[T]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`request ${type} #${id} timed out`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as RequestResults[T]);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.ws.send(JSON.stringify({ id, type, data }));
    });
  }

  /** Sends raw text (for bad-input tests). */
  sendRaw(data: string | Buffer): void {
    this.ws.send(data);
  }

  /** Resolves with the first event (already received or future) matching `pred`. */
  waitFor<E extends ServerEvent = ServerEvent>(pred: (e: ServerEvent) => boolean, timeoutMs = 5_000): Promise<E> {
    const found = this.events.find(pred);
    if (found) return Promise.resolve(found as E);
    return new Promise<E>((resolve, reject) => {
      const w = { pred, resolve: (e: ServerEvent) => resolve(e as E) };
      this.waiters.push(w);
      setTimeout(() => {
        const i = this.waiters.indexOf(w);
        if (i >= 0) {
          this.waiters.splice(i, 1);
          reject(new Error('timed out waiting for an event'));
        }
      }, timeoutMs);
    });
  }

  /** Waits until `count` events match `pred`. */
  async waitForCount(pred: (e: ServerEvent) => boolean, count: number, timeoutMs = 10_000): Promise<ServerEvent[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const got = this.events.filter(pred);
      if (got.length >= count) return got;
      if (Date.now() > deadline) throw new Error(`timed out: ${got.length}/${count} events`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** The next frame of any kind that matches (error frames with a null id, for instance). */
  async waitForFrame(pred: (f: ServerFrame) => boolean, timeoutMs = 5_000): Promise<ServerFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const f = this.frames.find(pred);
      if (f) return f;
      if (Date.now() > deadline) throw new Error('timed out waiting for a frame');
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  close(): Promise<{ code: number; reason: string }> {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close();
    return this.closed;
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The error code a failing request was refused with (throws if it succeeded). */
export async function errorCode(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof RequestError) return e.error.code;
    throw e;
  }
  throw new Error('expected the request to fail');
}
