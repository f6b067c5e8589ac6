import { SETTINGS, type SettingKey } from './settings.js';
import { ConfigError, type Setting } from './setting.js';

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
  /** The public channel made with the first account, that everyone joins on sign-up (auth/default-channel.ts); null: none. */
  defaultChannel: string | null;
  registration: 'open' | 'invite';
  /** HS256 secret for access tokens; generated and kept in the data dir when not given. */
  jwtSecret: string | null;
  accessTokenTtlSec: number;
  refreshTokenTtlSec: number;
  sqliteSynchronous: 'full' | 'normal';
  /** How often a worker thread checkpoints the SQLite WAL; 0 leaves it to SQLite (every 1,000 pages, on the event loop). */
  sqliteCheckpointMs: number;
  /** S3-compatible storage for files: on when a bucket is set (files/s3.ts). */
  s3Bucket: string | null;
  /** Another provider's S3 API; null is AWS S3 itself. */
  s3Endpoint: string | null;
  s3Region: string;
  s3AccessKeyId: string | null;
  s3SecretAccessKey: string | null;
  /** A key prefix for everything Parley stores in the bucket. */
  s3Prefix: string | null;
  /** Path-style URLs (`auto`: with a custom endpoint). */
  s3ForcePathStyle: 'auto' | '1' | '0';
  limits: {
    maxFrameBytes: number;
    maxBodyBytes: number;
    /** Largest file one tus upload may declare. */
    maxUploadBytes: number;
    /** Bytes of uploads one user may hold. */
    userQuotaBytes: number;
    /** Largest picture an avatar upload may send. */
    maxAvatarBytes: number;
    maxMessageChars: number;
    sendRatePerSec: number;
    sendBurst: number;
    frameRatePerSec: number;
    frameBurst: number;
    authRatePerMin: number;
    /** Failed sign-in attempts (password, second step) one account may have in a window before it is locked out (auth/lockouts.ts). */
    loginFailuresPerAccount: number;
    /** The same for one client IP: sign-ins for any accounts, second steps and refreshes with invalid tokens. */
    loginFailuresPerIp: number;
    /** A window's failures are forgotten this long after its first attempt. */
    loginFailureWindowMs: number;
    /** The first lockout's length; each further one doubles it, up to `lockoutMaxMs`. */
    lockoutBaseMs: number;
    lockoutMaxMs: number;
    /** After this long without a failure a key's lockouts are forgotten: the next one is the base length again. */
    lockoutDecayMs: number;
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
    /** Embedded SQLite: sends that must wait before a batch is handed ahead of the one being written. */
    sendPipelineMin: number;
    maxGroupMembers: number;
    maxSocketBufferBytes: number;
    /** Authenticated sockets one user may hold across every node; one more is refused (4009). */
    maxSocketsPerUser: number;
    /** Sends one socket may have waiting for their commit at once (they stay in order: see gateway.ts). */
    socketSendsInFlight: number;
    authTimeoutMs: number;
    /** An HTTP request (headers and body) must have arrived in full within this time, or it gets 408 and the connection is closed. */
    requestTimeoutMs: number;
    /** The longest pause while an HTTP request body arrives (a stalled upload): 408 and closed. */
    bodyTimeoutMs: number;
  };
  editWindowMs: number | null;
  recallWindowMs: number | null;
  /** Workspace retention in days until an admin changes it (messages/retention.ts); null: forever. */
  retentionDays: number | null;
  /** How often each node's retention sweeper runs. */
  retentionSweepMs: number;
  /** How long an upload no message attached is kept; null keeps it forever. */
  uploadExpiryMs: number | null;
  /** How long unreferenced blob bytes are kept after their last use before they are deleted (files/collector.ts). */
  blobGraceMs: number;
  burnMinMs: number;
  pushSubject: string | null;
  metricsToken: string | null;
  metricsPort: number;
  metricsHost: string;
  /** OpenTelemetry's OTLP/HTTP collector (telemetry/tracing.ts); null: no tracing. */
  otlpEndpoint: string | null;
  otlpSampleRatio: number;
  pushTtlMs: number;
  burnMaxMs: number;
  /** One outgoing webhook attempt's deadline. */
  outgoingTimeoutMs: number;
  /** How long a delivery is retried before it is dead. */
  outgoingRetryForMs: number;
  /** The first retry's delay; doubled per attempt, capped at 1 h, jittered. */
  outgoingRetryBaseMs: number;
  /** How long finished deliveries are kept. */
  outgoingHistoryMs: number;
  /** Let receivers sit on loopback, private or link-local addresses. */
  outgoingAllowPrivate: boolean;
  /** Whether message traces (trace/) are written at all. */
  traceEnabled: boolean;
  /** How long message traces (trace/) are kept. */
  traceRetentionMs: number;
  /** Most message traces kept; the oldest go first. */
  traceMaxRows: number;
  heartbeatMs: number;
  typingTtlMs: number;
  shutdownGraceMs: number;
  /** Pending TCP connections the kernel queues before refusing (capped by net.core.somaxconn). */
  listenBacklog: number;
  /** Take client IPs from X-Forwarded-For, and upload URLs' scheme and host from X-Forwarded-Proto/-Host (behind a reverse proxy that sets them). */
  trustProxy: boolean;
  /** PEM certificate chain and private key: set both to serve HTTPS and WSS directly. */
  tlsCert: string | null;
  tlsKey: string | null;
  /** The address people open Parley at; single sign-on's redirect URI is built on it. */
  publicUrl: string | null;
  /** OpenID Connect single sign-on: on when the issuer is set (auth/sso.ts). */
  oidcIssuer: string | null;
  oidcClientId: string | null;
  oidcClientSecret: string | null;
  oidcName: string;
  /** A first sign-on of an unknown identity: link by a verified email an admin set, create an account, or both. */
  oidcAccounts: 'create-or-link' | 'create' | 'link';
  /** `admins`: password sign-in only for owners and admins. */
  passwordLogin: 'everyone' | 'admins';
}

export type ConfigOverrides = Partial<Omit<Config, 'limits'>> & { limits?: Partial<Config['limits']> };

type Env = Record<string, string | undefined>;

const entries = Object.entries(SETTINGS) as [SettingKey, Setting<unknown>][];

function fromEnv(setting: Setting<unknown>, env: Env): unknown {
  // An empty variable counts as unset, as `FOO= parley serve` usually means "not this one".
  const raw = [setting.env, ...(setting.aliases ?? [])].map((name) => env[name]).find((v) => v !== undefined && v !== '');
  return raw === undefined ? setting.fallback() : setting.parse(raw);
}

/**
 * Reads and validates configuration from the environment, then applies `overrides` (settings
 * given in code, as tests and embedders do) through the same checks; throws one clear message
 * for the first bad value.
 */
export function loadConfig(env: Env = process.env, overrides: ConfigOverrides = {}): Config {
  const given = new Map<string, unknown>();
  for (const [key, value] of Object.entries(overrides)) {
    if (key === 'limits' && value !== undefined) {
      for (const [limit, v] of Object.entries(value as object)) given.set(`limits.${limit}`, v);
    } else given.set(key, value);
  }
  const top: Record<string, unknown> = {};
  const limits: Record<string, unknown> = {};
  for (const [key, setting] of entries) {
    const value = given.get(key);
    // `undefined` in an override means "not overridden", as with a spread of optional fields.
    const parsed = value === undefined ? fromEnv(setting, env) : setting.check(value, key);
    given.delete(key);
    if (key.startsWith('limits.')) limits[key.slice('limits.'.length)] = parsed;
    else top[key] = parsed;
  }
  const unknown = [...given.keys()];
  if (unknown.length > 0) throw new ConfigError(`unknown setting ${unknown.join(', ')}`);
  if ((top.tlsCert === null) !== (top.tlsKey === null)) throw new ConfigError('PARLEY_TLS_CERT and PARLEY_TLS_KEY go together: set both to serve HTTPS, or neither');
  if (top.oidcIssuer !== null && (top.oidcClientId === null || top.publicUrl === null)) {
    throw new ConfigError('PARLEY_OIDC_ISSUER needs PARLEY_OIDC_CLIENT_ID and PARLEY_PUBLIC_URL (the identity provider sends people back to PARLEY_PUBLIC_URL/api/v1/auth/sso/callback)');
  }
  if ((top.burnMinMs as number) < 1_000 || (top.burnMinMs as number) > (top.burnMaxMs as number)) {
    throw new ConfigError('PARLEY_BURN_MIN must be at least 1s and at most PARLEY_BURN_MAX (the range of burn-after-reading timers)');
  }
  // Complete by construction: SETTINGS has one entry per Config field, of that field's type.
  return { ...top, limits } as unknown as Config;
}

export { ConfigError };
