/**
 * Every setting Parley has, in one table: its environment variable, what it accepts, its
 * default and what it means. `loadConfig` parses the environment and checks overrides with it,
 * and `npm run docs:config` writes README's configuration table from it (a test fails when the
 * two drift), so a new setting is added here and nowhere else.
 */
import os from 'node:os';
import type { Config } from './config.js';
import { ConfigError, dir, duration, flag, int, num, oneOf, text, window, type Setting } from './setting.js';

type Limits = Config['limits'];
/** Where a setting lives in Config: `port`, or `limits.maxFrameBytes`. */
export type SettingKey = Exclude<keyof Config, 'limits'> | `limits.${keyof Limits}`;
type ValueAt<K extends SettingKey> = K extends `limits.${infer L extends keyof Limits}` ? Limits[L] : K extends keyof Config ? Config[K] : never;

const KiB = 1024;
const MiB = 1024 * 1024;
const DAY_SEC = 86_400;

/**
 * Written as an object so the compiler insists on one entry per Config field, each of the
 * field's type; its order is README's order.
 */
export const SETTINGS: { [K in SettingKey]: Setting<ValueAt<K>> } = {
  port: int({ env: 'PORT', default: 8080, min: 0, max: 65_535, description: 'HTTP and WebSocket port' }),
  host: text({ env: 'HOST', default: () => '0.0.0.0', shownDefault: '`0.0.0.0`', accepts: 'an address', description: 'listen address' }),
  dataDir: dir({
    env: 'DATA_DIR',
    aliases: ['PARLEY_DATA_DIR'],
    default: './data',
    shownDefault: '`./data`',
    description: 'SQLite database and the generated JWT secret (`PARLEY_DATA_DIR` is read when `DATA_DIR` is unset)',
  }),
  databaseUrl: text({
    env: 'DATABASE_URL',
    default: null,
    shownDefault: 'unset',
    accepts: '`postgres://…`',
    description: '`postgres://…` to store in PostgreSQL instead of SQLite ([scaling](docs/scaling.md))',
    rule: (v, name) => (/^postgres(ql)?:\/\//.test(v) ? null : `${name} must be a postgres:// URL (leave it unset for the embedded SQLite database)`),
  }),
  pgSchema: text({
    env: 'PARLEY_PG_SCHEMA',
    default: null,
    shownDefault: 'unset',
    accepts: 'a lower-case SQL identifier',
    description: 'PostgreSQL schema (created if missing); isolates deployments sharing a database',
    // The name goes into SQL unquoted: checked here so a bad one stops start-up with the others.
    rule: (v, name) => (/^[a-z_][a-z0-9_]{0,62}$/.test(v) ? null : `${name}=${v} is invalid: expected a lower-case SQL identifier (a-z, 0-9, _; at most 63)`),
  }),
  pgPoolSize: int({ env: 'PARLEY_PG_POOL_SIZE', default: 10, min: 1, max: 1000, description: 'PostgreSQL connections per process' }),
  natsUrl: text({ env: 'NATS_URL', default: null, shownDefault: 'unset', accepts: '`nats://…`', description: '`nats://…` to fan events out between nodes and workers' }),
  nodeName: text({
    env: 'PARLEY_NODE_NAME',
    default: () => `parley-${os.hostname()}-${process.pid}`,
    shownDefault: 'host-pid',
    accepts: 'a name',
    description: "this node's name in logs and presence rows",
  }),
  webDir: dir({
    env: 'PARLEY_WEB_DIR',
    default: null,
    shownDefault: 'unset',
    description: "the web client's production build, served at `/` when it holds an `index.html` (`parley serve` points it at `packages/web/dist`)",
  }),
  logLevel: oneOf({ env: 'LOG_LEVEL', default: 'info', values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], description: 'log level' }),
  defaultChannel: {
    env: 'PARLEY_DEFAULT_CHANNEL',
    description:
      'the public channel a new workspace starts with: made when the first account signs up, and everyone who signs up (or first signs in with single sign-on) joins it; `none`: no such channel',
    shownDefault: '`general`',
    accepts: 'a channel name, or `none`',
    fallback: () => 'general',
    parse: (raw: string): string | null => defaultChannelName(raw, 'PARLEY_DEFAULT_CHANNEL'),
    check: (value: unknown, name: string): string | null => (value === null ? null : defaultChannelName(value, name)),
  } satisfies Setting<string | null>,
  registration: oneOf({ env: 'PARLEY_REGISTRATION', default: 'open', values: ['open', 'invite'], description: '`open`, or `invite` (sign-up needs an invite code from `POST /api/v1/invites`)' }),
  jwtSecret: text({
    env: 'PARLEY_JWT_SECRET',
    default: null,
    shownDefault: 'generated',
    accepts: 'at least 32 characters',
    description: 'HS256 secret; by default generated once into `DATA_DIR/jwt.secret` (mode 0600)',
    rule: (v, name) => (v.length >= 32 ? null : `${name} must be at least 32 characters`),
  }),
  accessTokenTtlSec: int({ env: 'PARLEY_ACCESS_TOKEN_TTL_SEC', default: 900, min: 10, max: DAY_SEC, description: 'access token lifetime, in seconds' }),
  refreshTokenTtlSec: int({ env: 'PARLEY_REFRESH_TOKEN_TTL_SEC', default: 30 * DAY_SEC, min: 60, max: 365 * DAY_SEC, description: 'refresh token (device session) idle lifetime, in seconds' }),
  sqliteSynchronous: oneOf({
    env: 'PARLEY_SQLITE_SYNCHRONOUS',
    default: 'full',
    values: ['full', 'normal'],
    description: '`full` (an ack survives power loss) or `normal` (survives a process crash)',
  }),
  editWindowMs: window({ env: 'PARLEY_EDIT_WINDOW', default: '10m', description: 'how long after sending a message its author may edit it' }),
  recallWindowMs: window({ env: 'PARLEY_RECALL_WINDOW', default: '10m', description: 'how long after sending a message its author may recall it (admins always may)' }),
  burnMinMs: duration({
    env: 'PARLEY_BURN_MIN',
    default: '30s',
    description: 'the shortest burn-after-reading timer a sender may set',
  }),
  burnMaxMs: duration({
    env: 'PARLEY_BURN_MAX',
    default: '7d',
    description: 'the longest burn-after-reading timer, and how long an unread burn message waits before it burns anyway (its expires_at cap at most)',
  }),
  retentionDays: {
    env: 'PARLEY_RETENTION_DAYS',
    description: 'the workspace retention until an admin changes it: messages and their files older than this many days are erased for everyone ([retention](docs/operations.md#retention))',
    shownDefault: 'unset (forever)',
    accepts: 'whole number 1–36500, or `forever`',
    fallback: () => null,
    parse: (raw: string): number | null => retentionDays(raw.trim() === 'forever' ? null : Number(raw), 'PARLEY_RETENTION_DAYS', raw),
    check: (value: unknown, name: string): number | null => retentionDays(value, name, value),
  } satisfies Setting<number | null>,
  retentionSweepMs: duration({ env: 'PARLEY_RETENTION_SWEEP', default: '1h', minMs: 1_000, description: 'how often each node looks for messages past their retention' }),
  uploadExpiryMs: window({
    env: 'PARLEY_UPLOAD_EXPIRY',
    default: '24h',
    description: 'how long an upload that no message attached is kept before it is deleted (its quota given back)',
  }),
  blobGraceMs: duration({
    env: 'PARLEY_BLOB_GRACE',
    default: '1h',
    description:
      "how long a file's bytes are kept after the last upload referencing them went (a recalled message, an expired upload) before they are deleted; longer than any upload's completion takes",
  }),
  outgoingTimeoutMs: int({
    env: 'PARLEY_OUTGOING_TIMEOUT_MS',
    default: 5_000,
    min: 100,
    max: 60_000,
    description: 'how long an outgoing webhook receiver has to answer one attempt before it counts as failed (and is retried)',
  }),
  outgoingRetryForMs: duration({
    env: 'PARLEY_OUTGOING_RETRY_FOR',
    default: '24h',
    description: 'how long an outgoing webhook delivery is retried (timeouts, 5xx, 429, refused connections) before it is marked dead',
  }),
  outgoingRetryBaseMs: int({
    env: 'PARLEY_OUTGOING_RETRY_BASE_MS',
    default: 1_000,
    min: 1,
    max: 600_000,
    description: 'the first retry delay of an outgoing webhook delivery; each retry doubles it (at most 1 hour), with jitter',
  }),
  outgoingHistoryMs: duration({
    env: 'PARLEY_OUTGOING_HISTORY',
    default: '7d',
    description: 'how long delivered and dead outgoing webhook deliveries stay in the delivery list (and can be redelivered) before they are deleted',
  }),
  traceEnabled: flag({
    env: 'PARLEY_TRACE',
    default: true,
    description: '`0` turns the message trace off: no trace rows are written (each send skips one insert) and `parley admin trace` answers that tracing is off',
  }),
  traceRetentionMs: duration({
    env: 'PARLEY_TRACE_RETENTION',
    default: '7d',
    minMs: 60_000,
    description: 'how long a message trace (`parley admin trace`: accepted, committed, published, delivered and read per device) is kept',
  }),
  traceMaxRows: int({
    env: 'PARLEY_TRACE_MAX_ROWS',
    default: 1_000_000,
    min: 100,
    max: 1_000_000_000,
    description: 'most message traces kept (and most device delivery and read moves); past it the oldest are deleted first',
  }),
  outgoingAllowPrivate: flag({
    env: 'PARLEY_OUTGOING_ALLOW_PRIVATE',
    default: false,
    description:
      '`1` to let outgoing webhooks reach loopback, private and link-local addresses (a receiver on this machine or the LAN); off, such a URL is refused, so a channel admin cannot make the server probe its own network',
  }),
  s3Bucket: text({
    env: 'PARLEY_S3_BUCKET',
    default: null,
    shownDefault: 'unset',
    accepts: 'an S3 bucket name',
    description: 'store files in this S3-compatible bucket instead of `DATA_DIR/files` (what several nodes share; [scaling](docs/scaling.md)); the bucket must exist',
    rule: (v, name) => (/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(v) ? null : `${name}=${v} is not a bucket name: 3 to 63 lower-case letters, digits, dots and hyphens`),
  }),
  s3Endpoint: text({
    env: 'PARLEY_S3_ENDPOINT',
    default: null,
    shownDefault: 'AWS',
    accepts: '`https://…`',
    description: 'the S3 API of another provider (MinIO, Ceph, R2, …); unset means AWS S3 in `PARLEY_S3_REGION`',
    rule: (v, name) => (/^https?:\/\/[^\s/]+(\/\S*)?$/.test(v) ? null : `${name} must be an http:// or https:// URL`),
  }),
  s3Region: text({ env: 'PARLEY_S3_REGION', default: () => 'us-east-1', shownDefault: '`us-east-1`', accepts: 'a region name', description: "the bucket's region" }),
  s3AccessKeyId: text({
    env: 'PARLEY_S3_ACCESS_KEY_ID',
    default: null,
    shownDefault: 'unset',
    accepts: 'a key id',
    description: "access key (with `PARLEY_S3_SECRET_ACCESS_KEY`); unset uses the AWS SDK's usual chain (`AWS_ACCESS_KEY_ID`, instance role…)",
  }),
  s3SecretAccessKey: text({ env: 'PARLEY_S3_SECRET_ACCESS_KEY', default: null, shownDefault: 'unset', accepts: 'a secret', description: 'the secret of that access key' }),
  s3Prefix: text({
    env: 'PARLEY_S3_PREFIX',
    default: null,
    shownDefault: 'unset',
    accepts: 'a key prefix',
    description: 'a folder in the bucket for everything Parley stores (`blobs/…`, `incoming/…` under it), so deployments can share a bucket',
    rule: (v, name) =>
      /^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*\/?$/.test(v) ? null : `${name}=${v} is invalid: expected key segments like \`parley/prod\` (letters, digits, !_.*'()- separated by /)`,
  }),
  s3ForcePathStyle: oneOf({
    env: 'PARLEY_S3_FORCE_PATH_STYLE',
    default: 'auto',
    values: ['auto', '1', '0'],
    description: '`1` for `endpoint/bucket/key` URLs, `0` for `bucket.endpoint/key`; `auto` is `1` with `PARLEY_S3_ENDPOINT` and `0` on AWS',
  }),
  'limits.maxFrameBytes': int({ env: 'PARLEY_MAX_FRAME_BYTES', default: 64 * KiB, min: KiB, max: 16 * MiB, description: 'largest socket frame; larger closes the socket with 1008' }),
  'limits.maxBodyBytes': int({ env: 'PARLEY_MAX_BODY_BYTES', default: MiB, min: KiB, max: 64 * MiB, description: 'largest REST body (413 above)' }),
  'limits.maxUploadBytes': int({
    env: 'PARLEY_MAX_UPLOAD_BYTES',
    default: 100 * MiB,
    min: 1,
    max: 64 * 1024 * MiB,
    description: 'largest file one upload may declare (`413 payload_too_large` when it is created)',
  }),
  'limits.userQuotaBytes': int({
    env: 'PARLEY_USER_QUOTA_BYTES',
    default: 5 * 1024 * MiB,
    min: 1,
    max: 1024 * 1024 * MiB,
    description: 'bytes of uploads (finished and in progress) one user may hold (`413 quota_exceeded` when an upload would pass it)',
  }),
  'limits.maxAvatarBytes': int({
    env: 'PARLEY_MAX_AVATAR_BYTES',
    default: 5 * MiB,
    min: KiB,
    max: 64 * MiB,
    description: 'largest picture `PUT /me/avatar` accepts (`413 payload_too_large` above); it is stored as a 256×256 WebP',
  }),
  'limits.maxMessageChars': int({ env: 'PARLEY_MAX_MESSAGE_CHARS', default: 16_000, min: 1, max: 1_000_000, description: 'longest message, in characters' }),
  'limits.sendRatePerSec': num({
    env: 'PARLEY_SEND_RATE_PER_SEC',
    default: 20,
    min: 0.01,
    max: 1_000_000,
    description: 'per-user token bucket for messages and reaction adds/removes, shared by REST and socket (and, on PostgreSQL, by every node): tokens per second',
  }),
  'limits.sendBurst': int({ env: 'PARLEY_SEND_BURST', default: 60, min: 1, max: 1_000_000, description: 'the same bucket: its size (sends allowed at once)' }),
  'limits.frameRatePerSec': num({ env: 'PARLEY_FRAME_RATE_PER_SEC', default: 100, min: 0.01, max: 1_000_000, description: 'per-socket frame rate; a flood closes the socket with 1008' }),
  'limits.frameBurst': int({ env: 'PARLEY_FRAME_BURST', default: 300, min: 1, max: 1_000_000, description: 'frames a socket may send at once above that rate' }),
  'limits.authRatePerMin': int({ env: 'PARLEY_AUTH_RATE_PER_MIN', default: 30, min: 1, max: 1_000_000, description: 'register / login / refresh attempts per IP' }),
  // Growing lockouts (auth/lockouts.ts; docs/security.md#brute-force-and-enumeration). The old
  // name is still read: it limited the same thing, failed sign-ins per account, per minute.
  'limits.loginFailuresPerAccount': int({
    env: 'PARLEY_LOGIN_FAILURES_PER_ACCOUNT',
    aliases: ['PARLEY_LOGIN_FAILURES_PER_ACCOUNT_PER_MIN'],
    default: 5,
    min: 1,
    max: 1_000_000,
    description:
      'failed sign-ins (wrong password or second-step code) one account (username, known or not) may have in `PARLEY_LOGIN_FAILURE_WINDOW`, from any address; the next locks it out: every sign-in of it gets `429 rate_limited` with `retry_after_ms`, the password unchecked ([security](docs/security.md#brute-force-and-enumeration)); `PARLEY_LOGIN_FAILURES_PER_ACCOUNT_PER_MIN`, its old name, is read when it is unset',
  }),
  'limits.loginFailuresPerIp': int({
    env: 'PARLEY_LOGIN_FAILURES_PER_IP',
    default: 20,
    min: 1,
    max: 1_000_000,
    description: 'the same per client IP, whatever the accounts: failed sign-ins, second steps and refreshes with an invalid token',
  }),
  'limits.loginFailureWindowMs': duration({
    env: 'PARLEY_LOGIN_FAILURE_WINDOW',
    default: '15m',
    minMs: 1_000,
    description: "how long a key's failed sign-ins count: the window starts at its first attempt and its failures are forgotten when it ends",
  }),
  'limits.lockoutBaseMs': duration({ env: 'PARLEY_LOCKOUT_BASE', default: '1m', minMs: 1_000, description: 'the first lockout of an account or IP; each further one lasts twice as long' }),
  'limits.lockoutMaxMs': duration({ env: 'PARLEY_LOCKOUT_MAX', default: '1h', minMs: 1_000, description: 'the longest lockout' }),
  'limits.lockoutDecayMs': duration({
    env: 'PARLEY_LOCKOUT_DECAY',
    default: '24h',
    minMs: 1_000,
    description: "after this long without a failed sign-in an account's or IP's past lockouts are forgotten (the next one is `PARLEY_LOCKOUT_BASE` again)",
  }),
  'limits.ipRatePerSec': num({ env: 'PARLEY_IP_RATE_PER_SEC', default: 100, min: 0.01, max: 1_000_000, description: 'REST requests and socket requests per client IP, per second' }),
  'limits.ipBurst': int({ env: 'PARLEY_IP_BURST', default: 500, min: 1, max: 10_000_000, description: 'requests one client IP may make at once above that rate' }),
  // A reconnecting client asks for one events page per conversation that moved, all at
  // once (SDK resync): the burst lets 1,000 conversations catch up without one refusal.
  'limits.readRatePerSec': num({
    env: 'PARLEY_READ_RATE_PER_SEC',
    default: 50,
    min: 0.01,
    max: 1_000_000,
    description: 'per-user reads (history, thread, sync, sync events, one message, conversation list and get), REST and socket alike, per second',
  }),
  'limits.readBurst': int({ env: 'PARLEY_READ_BURST', default: 1000, min: 1, max: 10_000_000, description: 'reads a user may make at once; covers a client resyncing 1,000 conversations at once' }),
  'limits.historyPageMax': int({ env: 'PARLEY_HISTORY_PAGE_MAX', default: 200, min: 10, max: 1000, description: 'largest history page' }),
  'limits.syncPageBytes': int({
    env: 'PARLEY_SYNC_PAGE_BYTES',
    default: MiB,
    min: 16 * KiB,
    max: 256 * MiB,
    description: 'a `sync.events` page stops before this many bytes, and so do the pages one `sync` answer carries, together (the client pages on; one event always fits)',
  }),
  sqliteCheckpointMs: int({
    env: 'PARLEY_SQLITE_CHECKPOINT_MS',
    default: 250,
    min: 0,
    max: 60_000,
    description: 'a worker thread copies the SQLite WAL into the database file this often (`0`: SQLite does it itself on the event loop every 1,000 pages)',
  }),
  'limits.sendBatchMax': int({
    env: 'PARLEY_SEND_BATCH_MAX',
    default: 512,
    min: 1,
    max: 100_000,
    description: 'most sends committed together in one transaction (group commit, SQLite and PostgreSQL; each is acked after that commit)',
  }),
  'limits.sendBatchesInFlight': int({
    env: 'PARLEY_SEND_BATCHES_IN_FLIGHT',
    default: 2,
    min: 1,
    max: 1000,
    description: 'send batches in flight at once: on SQLite handed ahead to the writer thread, on PostgreSQL each written on its own pooled connection',
  }),
  'limits.sendPipelineMin': int({
    env: 'PARLEY_SEND_PIPELINE_MIN',
    default: 64,
    min: 1,
    max: 100_000,
    description:
      'embedded SQLite: while a send batch is being written, the next is handed ahead only once this many sends wait; fewer join the batch after it (fewer, larger commits at moderate load; `1` hands any waiting send ahead)',
  }),
  'limits.maxGroupMembers': int({ env: 'PARLEY_MAX_GROUP_MEMBERS', default: 64, min: 2, max: 10_000, description: 'largest group (channels are unbounded)' }),
  'limits.maxSocketBufferBytes': int({
    env: 'PARLEY_MAX_SOCKET_BUFFER_BYTES',
    default: 4 * MiB,
    min: 64 * KiB,
    max: 1024 * MiB,
    description: 'per-socket send buffer; a slower consumer is disconnected (4008) and resyncs',
  }),
  'limits.maxSocketsPerUser': int({
    env: 'PARLEY_MAX_SOCKETS_PER_USER',
    default: 50,
    min: 1,
    max: 1_000_000,
    description: 'authenticated sockets one account may hold across all nodes and workers; one more is refused (`too_many_connections`, close 4009)',
  }),
  'limits.socketSendsInFlight': int({
    env: 'PARLEY_SOCKET_SENDS_IN_FLIGHT',
    default: 32,
    min: 1,
    max: 10_000,
    description:
      "sends one socket may have waiting for their commit at once on the embedded database (on PostgreSQL each waits for the one before it, for order); the socket's next frame waits for one to finish (1: each send waits for the previous one's ack)",
  }),
  'limits.authTimeoutMs': int({ env: 'PARLEY_AUTH_TIMEOUT_MS', default: 10_000, min: 100, max: 600_000, description: 'time a new socket has to send its auth frame' }),
  'limits.requestTimeoutMs': int({
    env: 'PARLEY_REQUEST_TIMEOUT_MS',
    default: 30_000,
    min: 100,
    max: 3_600_000,
    description: 'an HTTP request (headers and body) must arrive in full within this time, or it is answered 408 and its connection closed; WebSocket connections are not affected',
  }),
  'limits.bodyTimeoutMs': int({
    env: 'PARLEY_BODY_TIMEOUT_MS',
    default: 10_000,
    min: 100,
    max: 3_600_000,
    description: 'longest pause while an HTTP request body arrives; a stalled body is answered 408 (`request_timeout`) and its connection closed',
  }),
  heartbeatMs: int({ env: 'PARLEY_HEARTBEAT_MS', default: 25_000, min: 100, max: 600_000, description: 'server ping interval; a socket that misses one is dropped' }),
  typingTtlMs: int({ env: 'PARLEY_TYPING_TTL_MS', default: 6_000, min: 100, max: 60_000, description: 'how long a typing signal lasts' }),
  shutdownGraceMs: int({ env: 'PARLEY_SHUTDOWN_GRACE_MS', default: 5_000, min: 0, max: 120_000, description: 'how long shutdown waits for sockets to close' }),
  listenBacklog: int({
    env: 'PARLEY_LISTEN_BACKLOG',
    default: 16_384,
    min: 1,
    max: 65_535,
    description: "TCP connections the kernel queues while the server accepts (capped by `net.core.somaxconn`); Node's 511 made a reconnect storm of 10,000 clients wait for SYN retransmits",
  }),
  trustProxy: flag({
    env: 'PARLEY_TRUST_PROXY',
    default: false,
    description: '`1` to take client IPs from `X-Forwarded-For`, and the scheme and host of upload URLs from `X-Forwarded-Proto`/`X-Forwarded-Host` (only behind a proxy that sets them)',
  }),
  tlsCert: dir({
    env: 'PARLEY_TLS_CERT',
    default: null,
    shownDefault: 'unset',
    description: 'a PEM certificate chain: with `PARLEY_TLS_KEY`, serve HTTPS and WSS directly (reloaded on `SIGHUP`; [security](docs/security.md#tls))',
  }),
  tlsKey: dir({ env: 'PARLEY_TLS_KEY', default: null, shownDefault: 'unset', description: "the certificate's PEM private key (kept readable by Parley's user only)" }),
  metricsToken: text({
    env: 'PARLEY_METRICS_TOKEN',
    default: null,
    shownDefault: 'unset',
    accepts: 'at least 16 characters',
    description: 'serves Prometheus metrics at `/metrics` on the main port to requests with `Authorization: Bearer` this token; unset: not on the main port',
    rule: (v, name) => (v.length >= 16 ? null : `${name} must be at least 16 characters`),
  }),
  metricsPort: int({
    env: 'PARLEY_METRICS_PORT',
    default: 0,
    min: 0,
    max: 65_535,
    description: 'a second listener serving only `/metrics`, without a token, on PARLEY_METRICS_HOST (keep it off the public network); 0: none',
  }),
  otlpEndpoint: text({
    env: 'PARLEY_OTLP_ENDPOINT',
    default: null,
    shownDefault: 'unset',
    accepts: '`http(s)://…`',
    description:
      "an OpenTelemetry collector's OTLP/HTTP address (`http://collector:4318`; `/v1/traces` is added unless given): each message's send, queue, commit, publish and per-node delivery become spans of one trace ([operations](docs/operations.md#opentelemetry-traces)); unset: no tracing at all",
    rule: (v, name) => (/^https?:\/\/\S+$/.test(v) ? null : `${name}=${v} is invalid: expected an http:// or https:// URL`),
  }),
  otlpSampleRatio: num({
    env: 'PARLEY_OTLP_SAMPLE',
    default: 1,
    min: 0.0001,
    max: 1,
    description: 'the share of messages traced when PARLEY_OTLP_ENDPOINT is set (every node picks the same messages)',
  }),
  metricsHost: text({ env: 'PARLEY_METRICS_HOST', default: () => '127.0.0.1', shownDefault: '`127.0.0.1`', accepts: 'an address', description: 'the metrics listener address' }),
  pushSubject: text({
    env: 'PARLEY_PUSH_SUBJECT',
    default: null,
    shownDefault: 'unset',
    accepts: '`mailto:…` or `https://…`',
    description:
      "who push services contact about this server's Web Push (VAPID `sub`); unset: PARLEY_PUBLIC_URL when it is https, else `mailto:postmaster@localhost` (Apple's service needs a real one)",
    rule: (v, name) => (/^(mailto:[^@\s]+@[^@\s]+|https:\/\/\S+)$/.test(v) ? null : `${name}=${v} is invalid: expected mailto:someone@example.com or an https URL`),
  }),
  pushTtlMs: duration({
    env: 'PARLEY_PUSH_TTL',
    default: '10m',
    description: 'how long a push notification is retried, and kept by the push service for a browser that is offline; older news is not worth a notification',
  }),
  publicUrl: text({
    env: 'PARLEY_PUBLIC_URL',
    default: null,
    shownDefault: 'unset',
    accepts: '`https://…`',
    description: 'the address people open Parley at (`https://chat.example.com`); single sign-on sends the identity provider back to it',
    rule: (v, name) => (/^https?:\/\/[^/?#]+\/?$/.test(v) ? null : `${name}=${v} is invalid: expected a scheme and host only, such as https://chat.example.com`),
  }),
  oidcIssuer: text({
    env: 'PARLEY_OIDC_ISSUER',
    default: null,
    shownDefault: 'unset',
    accepts: '`https://…`',
    description: "an OpenID Connect provider's issuer URL: turns on “Sign in with SSO” ([security](docs/security.md#single-sign-on)); needs `PARLEY_PUBLIC_URL`",
    rule: (v, name) => (/^https?:\/\/[^\s]+$/.test(v) ? null : `${name}=${v} is invalid: expected the issuer's https:// URL`),
  }),
  oidcClientId: text({ env: 'PARLEY_OIDC_CLIENT_ID', default: null, shownDefault: 'unset', accepts: 'a client id', description: "Parley's client id at the identity provider" }),
  oidcClientSecret: text({
    env: 'PARLEY_OIDC_CLIENT_SECRET',
    default: null,
    shownDefault: 'unset',
    accepts: 'a secret',
    description: "Parley's client secret at the identity provider (unset: a public client with PKCE only)",
  }),
  oidcName: text({ env: 'PARLEY_OIDC_NAME', default: () => 'SSO', shownDefault: '`SSO`', accepts: 'a name', description: "the provider's name on the sign-in button (“Sign in with …”)" }),
  oidcAccounts: oneOf({
    env: 'PARLEY_OIDC_ACCOUNTS',
    default: 'create-or-link',
    values: ['create-or-link', 'create', 'link'],
    description:
      "a first single sign-on of someone Parley does not know yet: `create-or-link` links the account whose email an admin set to the provider's verified email, else creates one; `create` always creates one; `link` only links (no new accounts)",
  }),
  passwordLogin: oneOf({
    env: 'PARLEY_PASSWORD_LOGIN',
    default: 'everyone',
    values: ['everyone', 'admins'],
    description: '`admins`: only owners and admins sign in with a password (everyone else through single sign-on), and sign-up by password is closed',
  }),
};

/** PARLEY_DEFAULT_CHANNEL: `none` turns the channel off; anything else must be a channel name. */
function defaultChannelName(value: unknown, name: string): string | null {
  if (value === 'none') return null;
  if (typeof value !== 'string' || !/^[^\s#@][^#@]{0,79}$/.test(value))
    throw new ConfigError(`${name}=${String(value)} is invalid: expected a channel name (no # or @, at most 80 characters) or none`);
  return value;
}

/** A retention in days (1–36500), or null for forever. */
function retentionDays(value: unknown, name: string, shown: unknown): number | null {
  if (value === null) return null;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 36_500)
    throw new ConfigError(`${name}=${String(shown)} is invalid: expected a whole number of days from 1 to 36500, or forever`);
  return value;
}
