import os from 'node:os';
import path from 'node:path';
import { parseWindow } from '../core/duration.js';

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  /** `postgres://…` to store in PostgreSQL instead of the embedded SQLite file. */
  databaseUrl: string | null;
  /** A PostgreSQL schema to use (created if missing); isolates deployments sharing a database. */
  pgSchema: string | null;
  pgPoolSize: number;
  /** `nats://…` to fan events out between nodes; unset means one node with an in-process bus. */
  natsUrl: string | null;
  /** This node's name in logs and on NATS. */
  nodeName: string;
  /** Where the web client's production build lives; served at / when present. */
  webDir: string | null;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  registration: 'open' | 'invite';
  /** HS256 secret for access tokens; generated and kept in the data dir when not given. */
  jwtSecret: string | null;
  accessTokenTtlSec: number;
  refreshTokenTtlSec: number;
  sqliteSynchronous: 'full' | 'normal';
  /** How often a worker thread checkpoints the SQLite WAL; 0 leaves it to SQLite (every 1,000 pages, on the event loop). */
  sqliteCheckpointMs: number;
  limits: {
    maxFrameBytes: number;
    maxBodyBytes: number;
    maxMessageChars: number;
    sendRatePerSec: number;
    sendBurst: number;
    frameRatePerSec: number;
    frameBurst: number;
    authRatePerMin: number;
    /** Failed logins one account (username) takes per minute, from any address; also the burst. */
    loginFailuresPerAccountPerMin: number;
    ipRatePerSec: number;
    ipBurst: number;
    /** Reads (history, thread, sync, sync.events, message and conversation gets, the list) per user, REST and socket alike. */
    readRatePerSec: number;
    readBurst: number;
    historyPageMax: number;
    /** A `sync.events` page stops before this many bytes of events (at least one event is always sent). */
    syncPageBytes: number;
    /** Most sends committed together in one transaction (embedded SQLite's group commit). */
    sendBatchMax: number;
    /** PostgreSQL: send batches written at once, each on its own pooled connection. */
    sendBatchesInFlight: number;
    maxGroupMembers: number;
    maxSocketBufferBytes: number;
    /** Authenticated sockets one user may hold across every node; one more is refused (4009). */
    maxSocketsPerUser: number;
    authTimeoutMs: number;
    /** An HTTP request (headers and body) must have arrived in full within this time, or it gets 408 and the connection is closed. */
    requestTimeoutMs: number;
    /** The longest pause while an HTTP request body arrives (a stalled upload): 408 and closed. */
    bodyTimeoutMs: number;
  };
  editWindowMs: number | null;
  recallWindowMs: number | null;
  heartbeatMs: number;
  typingTtlMs: number;
  shutdownGraceMs: number;
  /** Pending TCP connections the kernel queues before refusing (capped by net.core.somaxconn). */
  listenBacklog: number;
}

export type ConfigOverrides = Partial<Omit<Config, 'limits'>> & { limits?: Partial<Config['limits']> };

type Env = Record<string, string | undefined>;

class ConfigError extends Error {}

function int(env: Env, name: string, def: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name}=${raw} is invalid: expected a whole number from ${min} to ${max}`);
  }
  return n;
}

function num(env: Env, name: string, def: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new ConfigError(`${name}=${raw} is invalid: expected a number from ${min} to ${max}`);
  }
  return n;
}

function oneOf<T extends string>(env: Env, name: string, def: T, allowed: readonly T[]): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(`${name}=${raw} is invalid: expected one of ${allowed.join(', ')}`);
  }
  return raw as T;
}

function window(env: Env, name: string, def: string): number | null {
  try {
    return parseWindow(env[name] ?? def);
  } catch (e) {
    throw new ConfigError(`${name}: ${(e as Error).message}`);
  }
}

/** Reads and validates configuration from the environment; throws one clear message per bad variable. */
export function loadConfig(env: Env = process.env, overrides: ConfigOverrides = {}): Config {
  const dataDir = path.resolve(env.DATA_DIR ?? env.PARLEY_DATA_DIR ?? './data');
  if (env.DATABASE_URL && !/^postgres(ql)?:\/\//.test(env.DATABASE_URL)) {
    throw new ConfigError('DATABASE_URL must be a postgres:// URL (leave it unset for the embedded SQLite database)');
  }
  const jwtSecret = env.PARLEY_JWT_SECRET ?? null;
  if (jwtSecret !== null && jwtSecret.length < 32) {
    throw new ConfigError('PARLEY_JWT_SECRET must be at least 32 characters');
  }
  const base: Config = {
    host: env.HOST ?? '0.0.0.0',
    port: int(env, 'PORT', 8080, 0, 65535),
    dataDir,
    databaseUrl: env.DATABASE_URL || null,
    pgSchema: env.PARLEY_PG_SCHEMA || null,
    pgPoolSize: int(env, 'PARLEY_PG_POOL_SIZE', 10, 1, 1000),
    natsUrl: env.NATS_URL || null,
    nodeName: env.PARLEY_NODE_NAME || `parley-${os.hostname()}-${process.pid}`,
    webDir: env.PARLEY_WEB_DIR ? path.resolve(env.PARLEY_WEB_DIR) : null,
    logLevel: oneOf(env, 'LOG_LEVEL', 'info', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    registration: oneOf(env, 'PARLEY_REGISTRATION', 'open', ['open', 'invite']),
    jwtSecret,
    accessTokenTtlSec: int(env, 'PARLEY_ACCESS_TOKEN_TTL_SEC', 900, 10, 86_400),
    refreshTokenTtlSec: int(env, 'PARLEY_REFRESH_TOKEN_TTL_SEC', 30 * 86_400, 60, 365 * 86_400),
    sqliteSynchronous: oneOf(env, 'PARLEY_SQLITE_SYNCHRONOUS', 'full', ['full', 'normal']),
    sqliteCheckpointMs: int(env, 'PARLEY_SQLITE_CHECKPOINT_MS', 250, 0, 60_000),
    limits: {
      maxFrameBytes: int(env, 'PARLEY_MAX_FRAME_BYTES', 64 * 1024, 1024, 16 * 1024 * 1024),
      maxBodyBytes: int(env, 'PARLEY_MAX_BODY_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
      maxMessageChars: int(env, 'PARLEY_MAX_MESSAGE_CHARS', 16_000, 1, 1_000_000),
      sendRatePerSec: num(env, 'PARLEY_SEND_RATE_PER_SEC', 20, 0.01, 1_000_000),
      sendBurst: int(env, 'PARLEY_SEND_BURST', 60, 1, 1_000_000),
      frameRatePerSec: num(env, 'PARLEY_FRAME_RATE_PER_SEC', 100, 0.01, 1_000_000),
      frameBurst: int(env, 'PARLEY_FRAME_BURST', 300, 1, 1_000_000),
      authRatePerMin: int(env, 'PARLEY_AUTH_RATE_PER_MIN', 30, 1, 1_000_000),
      loginFailuresPerAccountPerMin: int(env, 'PARLEY_LOGIN_FAILURES_PER_ACCOUNT_PER_MIN', 10, 1, 1_000_000),
      ipRatePerSec: num(env, 'PARLEY_IP_RATE_PER_SEC', 100, 0.01, 1_000_000),
      ipBurst: int(env, 'PARLEY_IP_BURST', 500, 1, 10_000_000),
      // A reconnecting client asks for one events page per conversation that moved, all at
      // once (SDK resync): the burst lets 1,000 conversations catch up without one refusal.
      readRatePerSec: num(env, 'PARLEY_READ_RATE_PER_SEC', 50, 0.01, 1_000_000),
      readBurst: int(env, 'PARLEY_READ_BURST', 1000, 1, 10_000_000),
      historyPageMax: int(env, 'PARLEY_HISTORY_PAGE_MAX', 200, 10, 1000),
      sendBatchMax: int(env, 'PARLEY_SEND_BATCH_MAX', 512, 1, 100_000),
      sendBatchesInFlight: int(env, 'PARLEY_SEND_BATCHES_IN_FLIGHT', 2, 1, 1000),
      syncPageBytes: int(env, 'PARLEY_SYNC_PAGE_BYTES', 1024 * 1024, 16 * 1024, 256 * 1024 * 1024),
      maxGroupMembers: int(env, 'PARLEY_MAX_GROUP_MEMBERS', 64, 2, 10_000),
      maxSocketBufferBytes: int(env, 'PARLEY_MAX_SOCKET_BUFFER_BYTES', 4 * 1024 * 1024, 64 * 1024, 1024 * 1024 * 1024),
      maxSocketsPerUser: int(env, 'PARLEY_MAX_SOCKETS_PER_USER', 50, 1, 1_000_000),
      authTimeoutMs: int(env, 'PARLEY_AUTH_TIMEOUT_MS', 10_000, 100, 600_000),
      requestTimeoutMs: int(env, 'PARLEY_REQUEST_TIMEOUT_MS', 30_000, 100, 3_600_000),
      bodyTimeoutMs: int(env, 'PARLEY_BODY_TIMEOUT_MS', 10_000, 100, 3_600_000),
    },
    editWindowMs: window(env, 'PARLEY_EDIT_WINDOW', '10m'),
    recallWindowMs: window(env, 'PARLEY_RECALL_WINDOW', '10m'),
    heartbeatMs: int(env, 'PARLEY_HEARTBEAT_MS', 25_000, 100, 600_000),
    typingTtlMs: int(env, 'PARLEY_TYPING_TTL_MS', 6_000, 100, 60_000),
    shutdownGraceMs: int(env, 'PARLEY_SHUTDOWN_GRACE_MS', 5_000, 0, 120_000),
    listenBacklog: int(env, 'PARLEY_LISTEN_BACKLOG', 16_384, 1, 65_535),
  };
  return { ...base, ...overrides, limits: { ...base.limits, ...(overrides.limits ?? {}) } };
}

export { ConfigError };
