import type {
  AuditEntry,
  AuditFilters,
  MessageTrace,
  AuthOptions,
  ClientFrame,
  Conversation,
  CreateConversationBody,
  EventsPage,
  HelloFrame,
  HistoryPage,
  LogEvent,
  Member,
  MemberRole,
  Message,
  MessageEdit,
  PinsPage,
  RevealedMessage,
  SavedMessage,
  SavedPage,
  NotificationSettings,
  NotifyLevel,
  PushSettings,
  PushSubscribeBody,
  PushSubscription,
  RequestResults,
  RequestType,
  SearchConversation,
  SearchHit,
  SearchPage,
  SlashCommand,
  CommandResult,
  SendAck,
  ServerEvent,
  ServerFrame,
  SyncResult,
  TagCount,
  UpdateConversationBody,
  UpdateProfileBody,
  AvatarCropQuery,
  User,
} from '@parley/protocol';
import { ownAvatarUser } from '@parley/protocol';
import { backoffDelay } from './backoff.js';
import { Emitter } from './emitter.js';
import { ParleyError } from './errors.js';
import { MemoryOutbox, type OutboxEntry, type OutboxStore } from './outbox.js';
import { RestClient, type AuthAnswer, type FetchLike, type Tokens } from './rest.js';
import { browserUploads, uploadThroughTus, type UploadedFile, type UploadOptions, type UploadPlatform, type UploadSource } from './uploads.js';

/** The part of the WebSocket API the SDK uses; the browser's WebSocket and `ws` both have it. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open', fn: () => void): void;
  addEventListener(type: 'message', fn: (ev: { data: unknown }) => void): void;
  addEventListener(type: 'close', fn: (ev: { code: number; reason: string }) => void): void;
  addEventListener(type: 'error', fn: (ev: unknown) => void): void;
}
export type WebSocketCtor = new (url: string) => WebSocketLike;

export type ConnectionState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

/** How the connection is doing, for a "network status" view. */
export interface ConnectionHealth {
  state: ConnectionState;
  /** The last `ping`'s round trip, in milliseconds; null before the first. */
  rtt_ms: number | null;
  /** Connections made after the first, since this client started. */
  reconnects: number;
  /** When the open connection said hello (ms since the epoch); null while not connected. */
  connected_since: number | null;
  /** Messages in the outbox, not yet acknowledged by the server. */
  pending_sends: number;
  /** Typing indicators and presence changes turned off (`setLowBandwidth`). */
  low_bandwidth: boolean;
}

export interface ParleyOptions {
  /** The server's base URL, e.g. `http://localhost:8080`. */
  url: string;
  token?: string;
  refreshToken?: string | null;
  /** Called whenever tokens change (after login or refresh), so an app can persist them. */
  onTokens?: (tokens: Tokens) => void;
  /** The WebSocket class: the browser's by default; `ws` under Node (the `node` export wires it). */
  WebSocket?: WebSocketCtor;
  fetch?: FetchLike;
  /** Where unsent messages wait; memory by default. */
  outbox?: OutboxStore;
  /** Last applied seq per conversation, from a previous run; the SDK resumes from there. */
  cursors?: Record<string, number>;
  /** For a conversation with no cursor: start at its latest seq (default) or replay from the beginning. */
  newConversations?: 'latest' | 'beginning';
  requestTimeoutMs?: number;
  reconnectBaseMs?: number;
  reconnectMaxMs?: number;
  /** How often an open connection is probed with `ping`; a missing answer forces a reconnect. */
  pingIntervalMs?: number;
  /** How often to resync while idle, to repair anything a lost push would hide. */
  idleResyncMs?: number;
  /** Acknowledge delivery of messages from others automatically (default true). */
  deliveryAcks?: boolean;
  deviceName?: string;
  userAgent?: string;
  /** How uploads read sources and keep resumable URLs: the browser's by default; the `node` export sets Node's. */
  uploadPlatform?: UploadPlatform;
}

/** A file being downloaded: its metadata from the answer's headers, and the bytes as a stream. */
export interface DownloadedFile {
  id: string;
  /** The uploader's name for it, as is: strip path separators before using it as a file name. */
  name: string;
  /** Bytes in the whole file (not only in `body` when `offset` was given). */
  size: number;
  /** The type the server sniffed from the bytes. */
  type: string;
  /** Where `body` starts in the file: the `offset` asked for, or 0. */
  offset: number;
  body: ReadableStream<Uint8Array>;
}

export interface DownloadOptions {
  signal?: AbortSignal;
  /** The image's thumbnail (WebP) instead of the file. */
  thumbnail?: boolean;
  /** Start at this byte (to finish a partial download). */
  offset?: number;
}

/** The name from Content-Disposition: the exact UTF-8 `filename*` when given, else the ASCII `filename`. */
function dispositionName(header: string | null): string | null {
  if (!header) return null;
  const star = /filename\*=UTF-8''([^;]+)/i.exec(header);
  if (star?.[1]) {
    try {
      return decodeURIComponent(star[1].trim());
    } catch {
      /* fall back to the plain name */
    }
  }
  const plain = /filename="((?:[^"\\]|\\.)*)"/i.exec(header);
  return plain?.[1] ?? null;
}

export interface ClientEvents extends Record<string, unknown> {
  /** Every event, once: log events in seq order per conversation, ephemeral ones as they come. */
  event: ServerEvent;
  state: ConnectionState;
  hello: HelloFrame;
  /** A conversation summary learned from a resync. */
  conversation: Conversation;
  /** A send from the outbox was acked (also for sends restored from a persistent outbox). */
  sent: SendAck;
  /** A send failed for good (not retried). */
  send_failed: { entry: OutboxEntry; error: ParleyError };
  error: ParleyError;
}

interface ConvCursor {
  applied: number;
  catchingUp: boolean;
  pending: LogEvent[];
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: ParleyError) => void;
  timer: ReturnType<typeof setTimeout>;
}

export interface SearchOptions {
  /** `newest` first (the default) or by `relevance`. */
  order?: 'newest' | 'relevance';
  /** The previous page's `next_cursor`. */
  cursor?: string;
  /** Hits per page, 1 to 100. */
  limit?: number;
  /** IANA time zone for `before:`/`after:`/`on:`; the user's own by default, `null` for the server's default (UTC). */
  tz?: string | null;
  signal?: AbortSignal;
}

/** The time zone this process runs in (the browser's or the machine's), when the runtime knows it. */
function localTimeZone(): string | null {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || null;
  } catch {
    return null;
  }
}

/** Events per page when catching a conversation up (the first page comes with the `sync` answer). */
const CATCH_UP_PAGE = 500;
const OPEN = 1;
const isLog = (e: ServerEvent): e is LogEvent => 'seq' in e && typeof (e as { seq?: unknown }).seq === 'number';

function newClientMsgId(): string {
  return globalThis.crypto.randomUUID();
}

/**
 * A Parley client: one socket per instance, reconnecting with backoff and jitter, resyncing by
 * seq after every reconnect and on any gap, and sending through an outbox so a message written
 * while disconnected is sent once, with its original client_msg_id, when the socket is back.
 */
export class Parley {
  readonly rest: RestClient;
  private readonly emitter = new Emitter<ClientEvents>();
  private readonly opts: Required<Pick<ParleyOptions, 'requestTimeoutMs' | 'reconnectBaseMs' | 'reconnectMaxMs' | 'pingIntervalMs' | 'idleResyncMs' | 'newConversations' | 'deliveryAcks'>> &
    ParleyOptions;
  private readonly WS: WebSocketCtor;
  private readonly outbox: OutboxStore;
  private readonly uploads: UploadPlatform;
  private readonly cursors = new Map<string, ConvCursor>();
  private readonly pending = new Map<string, Pending>();
  private readonly sendWaiters = new Map<string, { resolve: (a: SendAck) => void; reject: (e: ParleyError) => void }>();
  private queue: OutboxEntry[] = [];
  private queueLoaded: Promise<void> | null = null;
  private pumping = false;
  private ws: WebSocketLike | null = null;
  private stateValue: ConnectionState = 'idle';
  private attempt = 0;
  /** The server refused a socket for the account's socket cap: the next try waits the longest backoff. */
  private holdOff = false;
  private nextId = 1;
  private stopped = false;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private resyncTimer: ReturnType<typeof setInterval> | null = null;
  private resyncing: Promise<void> | null = null;
  private deliveryTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private firstHello: { resolve: (h: HelloFrame) => void; reject: (e: ParleyError) => void } | null = null;
  helloFrame: HelloFrame | null = null;
  private rttMs: number | null = null;
  private hellos = 0;
  private connectedSince: number | null = null;
  private lowBandwidth = false;

  constructor(options: ParleyOptions) {
    this.opts = {
      requestTimeoutMs: 15_000,
      reconnectBaseMs: 300,
      reconnectMaxMs: 15_000,
      pingIntervalMs: 25_000,
      idleResyncMs: 60_000,
      newConversations: 'latest',
      deliveryAcks: true,
      ...options,
    };
    const WS = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketCtor }).WebSocket;
    if (!WS) throw new Error('No WebSocket implementation: pass { WebSocket } (from the "ws" package under Node 20).');
    this.WS = WS;
    // Bound: browsers throw "Illegal invocation" when fetch is called as a method of another object.
    const fetchImpl = options.fetch ?? (globalThis.fetch.bind(globalThis) as unknown as FetchLike);
    const base = options.url.replace(/\/+$/, '');
    this.rest = new RestClient(
      base,
      options.token ? { access_token: options.token, refresh_token: options.refreshToken ?? null } : null,
      fetchImpl,
      (t) => options.onTokens?.(t),
      options.userAgent ?? null,
    );
    this.outbox = options.outbox ?? new MemoryOutbox();
    this.uploads = options.uploadPlatform ?? browserUploads;
    for (const [conv, seq] of Object.entries(options.cursors ?? {})) this.cursors.set(conv, { applied: seq, catchingUp: false, pending: [] });
  }

  // ---- accounts ----------------------------------------------------------------------------

  /**
   * Signs in. With two-factor sign-in on, pass the authenticator `code` (or a `recovery_code`), or
   * catch the `ParleyError` whose code is `mfa_required` and answer its `challenge` with
   * `loginSecondFactor()` once the user has typed the code.
   */
  async login(username: string, password: string, second: { code?: string; recovery_code?: string } = {}): Promise<AuthAnswer> {
    const res = await this.rest.raw<AuthAnswer>('POST', '/auth/login', { username, password, ...second, ...(this.opts.deviceName ? { device_name: this.opts.deviceName } : {}) }, undefined, null);
    this.rest.setTokens({ access_token: res.access_token, refresh_token: res.refresh_token });
    return res;
  }

  /** The second step of a sign-in: the challenge of an `mfa_required` error and the code (or a recovery code). */
  async loginSecondFactor(challenge: string, proof: { code?: string; recovery_code?: string }): Promise<AuthAnswer> {
    const res = await this.rest.raw<AuthAnswer>('POST', '/auth/login/2fa', { challenge, ...proof }, undefined, null);
    this.rest.setTokens({ access_token: res.access_token, refresh_token: res.refresh_token });
    return res;
  }

  /** How the server signs people in: password for everyone or admins only, sign-up, single sign-on. */
  authOptions(): Promise<AuthOptions> {
    return this.rest.raw<AuthOptions>('GET', '/auth/options', undefined, undefined, null);
  }

  /**
   * Finishes a single sign-on: the `sso_code` the server's callback put in the address (after
   * `#`) for a session. Open `authOptions().sso.start_url` (with `?return_to=`) to begin one.
   */
  async loginWithSso(code: string): Promise<AuthAnswer> {
    const res = await this.rest.raw<AuthAnswer>('POST', '/auth/sso/exchange', { code, ...(this.opts.deviceName ? { device_name: this.opts.deviceName } : {}) }, undefined, null);
    this.rest.setTokens({ access_token: res.access_token, refresh_token: res.refresh_token });
    return res;
  }

  async register(username: string, password: string, extra: { display_name?: string; invite_code?: string } = {}): Promise<AuthAnswer> {
    const res = await this.rest.raw<AuthAnswer>('POST', '/auth/register', { username, password, ...extra, ...(this.opts.deviceName ? { device_name: this.opts.deviceName } : {}) }, undefined, null);
    this.rest.setTokens({ access_token: res.access_token, refresh_token: res.refresh_token });
    return res;
  }

  me(): Promise<User> {
    return this.rest.request<User>('GET', '/me');
  }

  /**
   * Changes my profile: display name, status (text, emoji and when it clears; a status set
   * without `status_expires_at` stays), time zone (IANA). Fields left out keep their value;
   * other devices and everyone sharing a conversation get `user.updated`.
   */
  updateProfile(patch: UpdateProfileBody): Promise<User> {
    return this.rest.request<User>('PATCH', '/me', patch);
  }

  /**
   * Uploads my avatar: PNG, JPEG, WebP or GIF bytes with their type, and optionally the square to
   * keep (source pixels; default the largest centred square). The server stores a 256×256 WebP
   * and answers me with `avatar_url` set to its same-origin path (see `downloadAvatar`).
   */
  setAvatar(image: Uint8Array<ArrayBuffer>, type: string, crop?: Required<AvatarCropQuery>): Promise<User> {
    const query = crop ? `?x=${crop.x}&y=${crop.y}&size=${crop.size}` : '';
    return this.rest.requestBytes<User>('PUT', `/me/avatar${query}`, image, type);
  }

  /** Removes my avatar; clients show initials again. */
  removeAvatar(): Promise<User> {
    return this.rest.request<User>('DELETE', '/me/avatar');
  }

  /**
   * An uploaded avatar's bytes (256×256 WebP), for a user whose `avatar_url` is one of the
   * server's own avatar paths; it needs the bearer token, so an <img src> cannot load it directly.
   */
  async downloadAvatar(user: Pick<User, 'avatar_url'>, signal?: AbortSignal): Promise<Blob> {
    // The versioned path itself, so an HTTP cache keeps it (it never changes under its URL).
    if (!ownAvatarUser(user.avatar_url)) throw new ParleyError('not_found', 'This user has no uploaded avatar.');
    const res = await this.rest.stream(user.avatar_url!.slice('/api/v1'.length), {}, signal);
    return new Response(res.body).blob();
  }

  // ---- events ------------------------------------------------------------------------------

  on<K extends keyof ClientEvents>(name: K, fn: (value: ClientEvents[K]) => void): () => void {
    return this.emitter.on(name, fn);
  }

  /** Every event as an async iterator (`for await (const e of client.events())`), until `signal` aborts. */
  events(signal?: AbortSignal): AsyncIterableIterator<ServerEvent> {
    return this.emitter.iterate('event', signal);
  }

  /** Round trip, reconnects, pending sends: what a user asks when the chat feels slow. */
  health(): ConnectionHealth {
    return {
      state: this.stateValue,
      rtt_ms: this.rttMs,
      reconnects: Math.max(0, this.hellos - 1),
      connected_since: this.connectedSince,
      pending_sends: this.queue.length,
      low_bandwidth: this.lowBandwidth,
    };
  }

  /** Pings now and returns the round trip in milliseconds (also kept for `health()`). */
  async measureRtt(): Promise<number> {
    const ws = this.ws;
    if (!ws || this.stateValue !== 'open') throw new ParleyError('disconnected', 'Not connected.');
    const t0 = Date.now();
    await this.rawRequest(ws, 'ping', {}, this.opts.requestTimeoutMs);
    this.rttMs = Date.now() - t0;
    return this.rttMs;
  }

  /**
   * On a slow or metered link: the server stops sending this client typing indicators and
   * presence changes (on this connection and every reconnection), and the caller should stop
   * sending its own typing. Messages are unaffected.
   */
  async setLowBandwidth(on: boolean): Promise<void> {
    this.lowBandwidth = on;
    const ws = this.ws;
    if (ws && this.stateValue === 'open') await this.rawRequest(ws, 'connection.set', { typing: !on, presence: !on }, this.opts.requestTimeoutMs);
  }

  get state(): ConnectionState {
    return this.stateValue;
  }

  /** Last applied seq per conversation: persist it to resume after a restart. */
  cursorSnapshot(): Record<string, number> {
    return Object.fromEntries([...this.cursors].map(([k, v]) => [k, v.applied]));
  }

  // ---- connection --------------------------------------------------------------------------

  /** Opens the socket; resolves on the first hello. After that, the SDK reconnects by itself until `close()`. */
  connect(): Promise<HelloFrame> {
    this.stopped = false;
    const p = new Promise<HelloFrame>((resolve, reject) => (this.firstHello = { resolve, reject }));
    this.queueLoaded ??= this.outbox.load().then((entries) => {
      const known = new Set(this.queue.map((e) => e.client_msg_id));
      this.queue.unshift(...entries.filter((e) => !known.has(e.client_msg_id)));
    });
    this.open();
    this.pingTimer ??= setInterval(() => this.probe(), this.opts.pingIntervalMs);
    this.resyncTimer ??= setInterval(() => {
      if (this.stateValue === 'open') this.resync().catch((e: unknown) => this.backgroundFailed('idle resync', e));
    }, this.opts.idleResyncMs);
    return p;
  }

  /** Closes for good: no reconnect. Unsent messages stay in the outbox store. */
  async close(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.pingTimer) clearInterval(this.pingTimer);
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    for (const t of this.deliveryTimers.values()) clearTimeout(t);
    this.deliveryTimers.clear();
    this.pingTimer = this.resyncTimer = this.reconnectTimer = null;
    const ws = this.ws;
    this.ws = null;
    if (ws && ws.readyState <= OPEN) ws.close(1000, 'client closed');
    this.failPending(new ParleyError('disconnected', 'The client was closed.'));
    this.setState('closed');
    this.firstHello?.reject(new ParleyError('disconnected', 'The client was closed before it connected.'));
    this.firstHello = null;
  }

  /**
   * Skips the backoff wait and reconnects at once. Apps call it when they learn the network is
   * back (a browser's `online` event): after a long outage the backoff may have grown to
   * `reconnectMaxMs`. An open socket is probed instead of replaced, since it may be healthy.
   */
  reconnectNow(): void {
    if (this.stopped || this.stateValue === 'idle') return;
    if (this.stateValue === 'open') {
      this.probe();
      return;
    }
    this.attempt = 0;
    if (this.reconnectTimer) {
      clearTimeout(this.reconnectTimer);
      this.reconnectTimer = null;
      this.open();
    }
  }

  private setState(s: ConnectionState): void {
    if (this.stateValue === s) return;
    this.stateValue = s;
    this.emitter.emit('state', s);
  }

  private open(): void {
    if (this.stopped) return;
    this.setState(this.attempt === 0 && !this.helloFrame ? 'connecting' : 'reconnecting');
    const wsUrl = `${this.rest.baseUrl.replace(/^http/, 'ws')}/ws`;
    let ws: WebSocketLike;
    try {
      ws = new this.WS(wsUrl);
    } catch (e) {
      this.emitter.emit('error', new ParleyError('network', `Cannot open ${wsUrl}: ${(e as Error).message}`));
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    ws.addEventListener('open', () => {
      if (this.ws !== ws) return;
      this.authenticate(ws).catch((e: unknown) => this.onAuthFailure(ws, e));
    });
    ws.addEventListener('message', (ev) => {
      if (this.ws === ws) this.onFrame(typeof ev.data === 'string' ? ev.data : String(ev.data));
    });
    ws.addEventListener('close', (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.onClose(ev.code, ev.reason);
    });
    ws.addEventListener('error', () => undefined);
  }

  private async authenticate(ws: WebSocketLike): Promise<void> {
    const token = await this.rest.freshToken();
    const hello = (await this.rawRequest(ws, 'auth', { token, ...(this.opts.deviceName ? { device_name: this.opts.deviceName } : {}) }, this.opts.requestTimeoutMs)) as HelloFrame;
    if (this.ws !== ws) return;
    this.attempt = 0;
    this.helloFrame = hello;
    this.hellos++;
    this.connectedSince = Date.now();
    // Settings of a socket live as long as it does: a new one is told again.
    if (this.lowBandwidth) this.rawRequest(ws, 'connection.set', { typing: false, presence: false }, this.opts.requestTimeoutMs).catch((e: unknown) => this.backgroundFailed('low-bandwidth mode', e));
    this.setState('open');
    this.emitter.emit('hello', hello);
    await this.resync();
    this.firstHello?.resolve(hello);
    this.firstHello = null;
    await this.queueLoaded;
    void this.pump();
  }

  private async onAuthFailure(ws: WebSocketLike, e: unknown): Promise<void> {
    const err = e instanceof ParleyError ? e : new ParleyError('network', String(e));
    if (err.code === 'invalid_token' && this.rest.accessToken) {
      try {
        await this.rest.refresh();
        if (this.ws === ws) ws.close(1000, 'retrying with a refreshed token');
        return;
      } catch (re) {
        this.fatal(re instanceof ParleyError ? re : err);
        return;
      }
    }
    if (err.code === 'session_revoked' || err.code === 'unauthenticated' || err.code === 'invalid_token') {
      this.fatal(err);
      return;
    }
    // The account holds as many sockets as the server allows: retrying soon cannot help, so the
    // next try waits the longest backoff (the server closes this socket with 4009).
    if (err.code === 'too_many_connections') this.holdOff = true;
    this.emitter.emit('error', err);
    if (this.ws === ws) ws.close(1000, 'auth did not complete');
  }

  /**
   * A request the SDK made on its own (no caller to reject) failed. If the socket closed
   * meanwhile, the resync after reconnecting redoes the work and the app hears of the close
   * through `state`; any other failure (rate limited, refused, a server fault) is an `error` event.
   */
  private backgroundFailed(what: string, e: unknown): void {
    if (this.stopped || this.stateValue !== 'open') return;
    const err =
      e instanceof ParleyError ? new ParleyError(e.code, `${what}: ${e.message}`, e.status, e.retryAfterMs) : new ParleyError('network', `${what}: ${e instanceof Error ? e.message : String(e)}`);
    this.emitter.emit('error', err);
  }

  /** An error no retry can fix (revoked session, no credentials): stop and tell the app. */
  private fatal(err: ParleyError): void {
    this.emitter.emit('error', err);
    const first = this.firstHello;
    this.firstHello = null;
    void this.close();
    first?.reject(err);
  }

  private onClose(code: number, reason: string): void {
    this.connectedSince = null;
    this.failPending(new ParleyError('disconnected', `The connection closed (${code}${reason ? `: ${reason}` : ''}).`));
    for (const c of this.cursors.values()) c.catchingUp = false;
    if (this.stopped) return;
    if (code === 4003) {
      this.fatal(new ParleyError('session_revoked', 'This session was revoked.'));
      return;
    }
    if (code === 4009 || this.holdOff) {
      this.holdOff = false;
      this.scheduleReconnect(this.opts.reconnectMaxMs);
      return;
    }
    this.scheduleReconnect();
  }

  private scheduleReconnect(delayMs?: number): void {
    if (this.stopped || this.reconnectTimer) return;
    this.setState('reconnecting');
    const delay = delayMs ?? backoffDelay(this.attempt++, this.opts.reconnectBaseMs, this.opts.reconnectMaxMs);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.open();
    }, delay);
  }

  private probe(): void {
    const ws = this.ws;
    if (!ws || this.stateValue !== 'open') return;
    const t0 = Date.now();
    this.rawRequest(ws, 'ping', {}, Math.min(10_000, this.opts.pingIntervalMs)).then(
      () => {
        if (this.ws === ws) this.rttMs = Date.now() - t0;
      },
      () => {
        // No answer: the connection is dead even if the OS has not noticed. Start over.
        if (this.ws === ws) {
          this.ws = null;
          try {
            ws.close(4000, 'ping timeout');
          } catch {
            /* already closing */
          }
          this.onClose(4000, 'ping timeout');
        }
      },
    );
  }

  private failPending(err: ParleyError): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.pending.clear();
  }

  // ---- requests ----------------------------------------------------------------------------

  /** A typed socket request; waits for the connection when it is (re)connecting. */
  async request<T extends RequestType>(type: T, data: ClientFrame<T>['data'], opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<RequestResults[T]> {
    const timeoutMs = opts.timeoutMs ?? this.opts.requestTimeoutMs;
    const deadline = Date.now() + timeoutMs;
    while (!this.ws || this.stateValue !== 'open') {
      if (this.stopped) throw new ParleyError('disconnected', 'The client is closed.');
      if (opts.signal?.aborted) throw new ParleyError('aborted', 'The request was aborted.');
      if (Date.now() > deadline) throw new ParleyError('timeout', `${type} timed out waiting for a connection.`);
      await new Promise<void>((r) => {
        const off = this.emitter.on('state', () => {
          off();
          r();
        });
        setTimeout(
          () => {
            off();
            r();
          },
          Math.min(250, Math.max(1, deadline - Date.now())),
        );
      });
    }
    return (await this.rawRequest(this.ws, type, data, Math.max(1, deadline - Date.now()), opts.signal)) as RequestResults[T];
  }

  private rawRequest(ws: WebSocketLike, type: string, data: unknown, timeoutMs: number, signal?: AbortSignal): Promise<unknown> {
    const id = String(this.nextId++);
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(new ParleyError('aborted', 'The request was aborted.'));
        return;
      }
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new ParleyError('timeout', `${type} got no answer within ${timeoutMs} ms.`));
      }, timeoutMs);
      const onAbort = () => {
        clearTimeout(timer);
        this.pending.delete(id);
        reject(new ParleyError('aborted', 'The request was aborted.'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        resolve: (v) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(v);
        },
        reject: (e) => {
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
        timer,
      });
      try {
        ws.send(JSON.stringify({ id, type, data }));
      } catch (e) {
        clearTimeout(timer);
        this.pending.delete(id);
        reject(new ParleyError('disconnected', `Cannot send: ${(e as Error).message}`));
      }
    });
  }

  private onFrame(text: string): void {
    let frame: ServerFrame;
    try {
      frame = JSON.parse(text) as ServerFrame;
    } catch {
      return;
    }
    switch (frame.type) {
      case 'hello':
      case 'result': {
        const p = this.pending.get(frame.id);
        if (!p) return;
        this.pending.delete(frame.id);
        clearTimeout(p.timer);
        p.resolve(frame.type === 'hello' ? frame : frame.data);
        return;
      }
      case 'error': {
        if (frame.id === null) {
          this.emitter.emit('error', ParleyError.from(frame.error));
          return;
        }
        const p = this.pending.get(frame.id);
        if (!p) return;
        this.pending.delete(frame.id);
        clearTimeout(p.timer);
        p.reject(ParleyError.from(frame.error));
        return;
      }
      case 'event':
        this.onEvent(frame.event);
        return;
      case 'reconnect': {
        const ws = this.ws;
        this.ws = null;
        ws?.close(1000, 'server asked to reconnect');
        this.failPending(new ParleyError('disconnected', frame.reason));
        this.scheduleReconnect(Math.max(50, frame.retry_after_ms * (0.5 + Math.random())));
        return;
      }
    }
  }

  // ---- ordering and resync -----------------------------------------------------------------

  private cursor(convId: string, startAt: number): ConvCursor {
    let c = this.cursors.get(convId);
    if (!c) this.cursors.set(convId, (c = { applied: startAt, catchingUp: false, pending: [] }));
    return c;
  }

  private onEvent(e: ServerEvent): void {
    if (e.type === 'conversation.added') {
      this.cursor(e.conversation.id, e.conversation.last_seq);
      this.emitter.emit('event', e);
      return;
    }
    if (!isLog(e)) {
      this.emitter.emit('event', e);
      return;
    }
    const c = this.cursor(e.conv_id, e.seq - 1);
    if (c.catchingUp) {
      c.pending.push(e);
      return;
    }
    if (e.seq <= c.applied) return;
    if (e.seq === c.applied + 1) {
      this.apply(c, e);
      return;
    }
    c.pending.push(e);
    void this.catchUp(e.conv_id);
  }

  private apply(c: ConvCursor, e: LogEvent): void {
    c.applied = e.seq;
    this.emitter.emit('event', e);
    if (this.opts.deliveryAcks && e.type === 'message.created' && e.message.sender_id !== this.helloFrame?.user.id) this.scheduleDeliveryAck(e.conv_id);
  }

  private scheduleDeliveryAck(convId: string): void {
    if (this.deliveryTimers.has(convId)) return;
    this.deliveryTimers.set(
      convId,
      setTimeout(() => {
        this.deliveryTimers.delete(convId);
        const c = this.cursors.get(convId);
        if (c && this.stateValue === 'open') this.request('delivery.ack', { conv_id: convId, seq: c.applied }).catch((e: unknown) => this.backgroundFailed('delivery ack', e));
      }, 200),
    );
  }

  /**
   * Runs a read again after the server's `retry_after_ms` while it answers `rate_limited` (the
   * server budgets reads per user and requests per address), so a resync or an export wider than
   * the burst finishes slower instead of stalling (a socket resync until the next reconnect).
   * It gives up once the client is closed, the signal aborts, or (socket requests) the socket closes.
   */
  private async paced<T>(run: () => Promise<T>, opts: { overSocket: boolean; signal?: AbortSignal | undefined }): Promise<T> {
    for (;;) {
      try {
        return await run();
      } catch (e) {
        if (!(e instanceof ParleyError) || e.code !== 'rate_limited' || this.stopped || opts.signal?.aborted) throw e;
        if (opts.overSocket && this.stateValue !== 'open') throw e;
        await new Promise((r) => setTimeout(r, Math.max(50, e.retryAfterMs ?? 1000) * (1 + Math.random() / 4)));
      }
    }
  }

  /** Pulls the events after the cursor, page by page, then applies what arrived live meanwhile. */
  private async catchUp(convId: string): Promise<void> {
    const c = this.cursors.get(convId);
    if (!c || c.catchingUp) return;
    c.catchingUp = true;
    try {
      for (;;) {
        const page: EventsPage = await this.paced(() => this.request('sync.events', { conv_id: convId, after_seq: c.applied, limit: CATCH_UP_PAGE }), { overSocket: true });
        for (const e of page.events) if (e.seq > c.applied) this.apply(c, e);
        if (!page.has_more) break;
      }
    } catch (e) {
      if (e instanceof ParleyError && e.code === 'not_found') {
        this.cursors.delete(convId);
        return;
      }
      // A dropped connection ends the catch-up; the resync after reconnecting finishes it.
      c.catchingUp = false;
      return;
    }
    c.catchingUp = false;
    const pending = c.pending.sort((a, b) => a.seq - b.seq);
    c.pending = [];
    for (const e of pending) {
      if (e.seq <= c.applied) continue;
      if (e.seq === c.applied + 1) this.apply(c, e);
      else {
        c.pending.push(e);
        void this.catchUp(convId);
        return;
      }
    }
  }

  /** Asks which conversations moved past the cursors and catches each one up. Runs once at a time. */
  resync(): Promise<void> {
    this.resyncing ??= (async () => {
      try {
        // The first page of each moved conversation comes with the answer: one round trip for a
        // client that was briefly away, `sync.events` only for what did not fit.
        const res: SyncResult = await this.paced(() => this.request('sync', { cursors: this.cursorSnapshot(), events_limit: CATCH_UP_PAGE }), { overSocket: true });
        for (const id of res.removed) this.cursors.delete(id);
        const pages = new Map((res.events ?? []).map((p) => [p.conv_id, p]));
        const work: Promise<void>[] = [];
        for (const conv of res.conversations) {
          this.emitter.emit('conversation', conv);
          if (!this.cursors.has(conv.id)) {
            const start = this.opts.newConversations === 'latest' ? conv.last_seq : Math.max(0, (conv.membership?.visible_from_seq ?? 1) - 1);
            this.cursor(conv.id, start);
          }
          const c = this.cursors.get(conv.id)!;
          const page = pages.get(conv.id);
          // The page starts right after the cursor sent; what was applied live since is skipped.
          // A catch-up already under way applies it itself.
          if (page && !c.catchingUp) for (const e of page.events) if (e.seq > c.applied) this.apply(c, e);
          if (c.applied < conv.last_seq || page?.has_more || c.pending.length > 0) work.push(this.catchUp(conv.id));
        }
        await Promise.all(work);
      } finally {
        this.resyncing = null;
      }
    })();
    return this.resyncing;
  }

  // ---- sending -----------------------------------------------------------------------------

  /**
   * Sends a message through the outbox. Resolves with the server's ack once the message is
   * durable; if the connection is down it waits, and a retry after a reconnect reuses the same
   * client_msg_id, so the message is stored once whatever happens.
   */
  async send(
    convId: string,
    body: string,
    opts: {
      replyTo?: string;
      clientMsgId?: string;
      attachments?: string[];
      /** Burn after reading: each recipient sees it this long from their first `reveal` (seconds, or `30s`…`7d`). */
      burnAfter?: number | string;
      /** With `burnAfter`: gone for everyone at this time at the latest. */
      expiresAt?: Date | string;
    } = {},
  ): Promise<SendAck> {
    const entry: OutboxEntry = {
      client_msg_id: opts.clientMsgId ?? newClientMsgId(),
      conv_id: convId,
      body,
      created_at: Date.now(),
      ...(opts.replyTo ? { reply_to: opts.replyTo } : {}),
      ...(opts.attachments && opts.attachments.length > 0 ? { attachments: [...opts.attachments] } : {}),
      ...(opts.burnAfter !== undefined ? { burn_after: opts.burnAfter } : {}),
      ...(opts.expiresAt !== undefined ? { expires_at: typeof opts.expiresAt === 'string' ? opts.expiresAt : opts.expiresAt.toISOString() } : {}),
    };
    await this.outbox.put(entry);
    const p = new Promise<SendAck>((resolve, reject) => this.sendWaiters.set(entry.client_msg_id, { resolve, reject }));
    this.queue.push(entry);
    void this.pump();
    return p;
  }

  /** Messages not yet acked, in send order. */
  pendingSends(): OutboxEntry[] {
    return [...this.queue];
  }

  /** Sends queued messages one at a time, in order, while the socket is open. */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0 && this.stateValue === 'open' && !this.stopped) {
        const entry = this.queue[0]!;
        try {
          const ack = await this.request('message.send', {
            conv_id: entry.conv_id,
            client_msg_id: entry.client_msg_id,
            body: entry.body,
            ...(entry.reply_to ? { reply_to: entry.reply_to } : {}),
            ...(entry.attachments && entry.attachments.length > 0 ? { attachments: entry.attachments } : {}),
            ...(entry.burn_after !== undefined ? { burn_after: entry.burn_after } : {}),
            ...(entry.expires_at !== undefined ? { expires_at: entry.expires_at } : {}),
          });
          this.queue.shift();
          await this.outbox.delete(entry.client_msg_id);
          this.sendWaiters.get(entry.client_msg_id)?.resolve(ack);
          this.sendWaiters.delete(entry.client_msg_id);
          this.emitter.emit('sent', ack);
        } catch (e) {
          const err = e instanceof ParleyError ? e : new ParleyError('internal', String(e));
          if (err.code === 'rate_limited') {
            await new Promise((r) => setTimeout(r, err.retryAfterMs ?? 1000));
            continue;
          }
          if (err.transient) break; // reconnect (or the next hello) pumps again
          this.queue.shift();
          await this.outbox.delete(entry.client_msg_id);
          this.sendWaiters.get(entry.client_msg_id)?.reject(err);
          this.sendWaiters.delete(entry.client_msg_id);
          this.emitter.emit('send_failed', { entry, error: err });
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  // ---- files -------------------------------------------------------------------------------

  /**
   * Uploads a file (tus, resumable): a dropped connection is retried with backoff from the
   * server's offset; with `resume` a later call for the same file (after a reload or a restart)
   * continues the unfinished upload. Resolves with the upload id to pass in `send`'s
   * `attachments`. Aborting `signal` terminates the upload on the server. Errors are
   * ParleyErrors with the server's code (`payload_too_large`, `quota_exceeded`, ...).
   */
  uploadFile(file: UploadSource, opts: UploadOptions = {}): Promise<UploadedFile> {
    return uploadThroughTus(this.rest, this.uploads, file, opts);
  }

  /** A file's (or its thumbnail's) download URL; it needs the bearer token, so `downloadFile` is usually simpler. */
  fileUrl(id: string, opts: { thumbnail?: boolean } = {}): string {
    return `${this.rest.baseUrl}/api/v1/files/${encodeURIComponent(id)}${opts.thumbnail ? '/thumbnail' : ''}`;
  }

  /**
   * Downloads an attached file (or its thumbnail) as a stream, with its name, size and type.
   * 404 (`not_found`) for anyone who may not read the message that carries it.
   */
  async downloadFile(id: string, opts: DownloadOptions = {}): Promise<DownloadedFile> {
    const offset = opts.offset && opts.offset > 0 ? Math.floor(opts.offset) : 0;
    const res = await this.rest.stream(`/files/${encodeURIComponent(id)}${opts.thumbnail ? '/thumbnail' : ''}`, offset > 0 ? { range: `bytes=${offset}-` } : {}, opts.signal);
    const range = /\/(\d+)$/.exec(res.headers.get('content-range') ?? '');
    const partial = res.status === 206 && range;
    const size = partial ? Number(range[1]) : Number(res.headers.get('content-length') ?? NaN);
    return {
      id,
      name: dispositionName(res.headers.get('content-disposition')) ?? id,
      size: Number.isFinite(size) ? size : -1,
      type: res.headers.get('content-type') ?? 'application/octet-stream',
      offset: partial ? offset : 0,
      body: res.body,
    };
  }

  // ---- REST conveniences -------------------------------------------------------------------

  listConversations(includeLeft = false): Promise<Conversation[]> {
    return this.rest.request<{ conversations: Conversation[] }>('GET', `/conversations${includeLeft ? '?include_left=true' : ''}`).then((r) => r.conversations);
  }

  createConversation(body: CreateConversationBody): Promise<Conversation> {
    return this.rest.request<Conversation>('POST', '/conversations', body);
  }

  /** Renames, sets the topic or purpose, archives or unarchives, or sets what members added later read. */
  updateConversation(convId: string, patch: UpdateConversationBody): Promise<Conversation> {
    return this.rest.request<Conversation>('PATCH', `/conversations/${encodeURIComponent(convId)}`, patch);
  }

  /** The current members (as of my leaving, if I left). */
  members(convId: string): Promise<Member[]> {
    return this.rest.request<{ members: Member[] }>('GET', `/conversations/${encodeURIComponent(convId)}/members`).then((r) => r.members);
  }

  /** Adds someone (adding a member already in is a no-op). */
  addMember(convId: string, userId: string): Promise<Conversation> {
    return this.rest.request<Conversation>('POST', `/conversations/${encodeURIComponent(convId)}/members`, { user_id: userId });
  }

  /** Removes a member (admins of the conversation). */
  async removeMember(convId: string, userId: string): Promise<void> {
    await this.rest.request<void>('DELETE', `/conversations/${encodeURIComponent(convId)}/members/${encodeURIComponent(userId)}`);
  }

  /** Makes a member an owner, admin or plain member. */
  setMemberRole(convId: string, userId: string, role: MemberRole): Promise<Member> {
    return this.rest.request<Member>('PATCH', `/conversations/${encodeURIComponent(convId)}/members/${encodeURIComponent(userId)}`, { role });
  }

  async leaveConversation(convId: string): Promise<void> {
    await this.rest.request<void>('POST', `/conversations/${encodeURIComponent(convId)}/leave`);
  }

  /** A message's earlier versions, newest first (its sender and the conversation's admins). */
  messageEdits(messageId: string): Promise<MessageEdit[]> {
    return this.rest.request<{ edits: MessageEdit[] }>('GET', `/messages/${encodeURIComponent(messageId)}/edits`).then((r) => r.edits);
  }

  /** A page of history; `tag` keeps only the messages carrying that tag. */
  history(convId: string, q: { after_seq?: number; before_seq?: number; limit?: number; tag?: string } = {}): Promise<HistoryPage> {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(q)) if (v !== undefined) qs.set(k, String(v));
    const s = qs.toString();
    return this.rest.request<HistoryPage>('GET', `/conversations/${encodeURIComponent(convId)}/messages${s ? `?${s}` : ''}`);
  }

  /** Every message after `afterSeq` (with `tag`: those carrying it), in order, page by page. */
  async *allMessages(convId: string, afterSeq = 0, signal?: AbortSignal, tag?: string): AsyncIterableIterator<Message> {
    let after = afterSeq;
    for (;;) {
      if (signal?.aborted) return;
      const page = await this.paced(() => this.history(convId, { after_seq: after, limit: 200, ...(tag !== undefined ? { tag } : {}) }), { overSocket: false, signal });
      for (const m of page.messages) yield m;
      if (!page.has_more || page.messages.length === 0) return;
      after = page.messages[page.messages.length - 1]!.seq;
    }
  }

  /** A conversation's tags with how many of the messages I may read carry each, most used first. */
  async tags(convId: string): Promise<TagCount[]> {
    return (await this.rest.request<{ tags: TagCount[] }>('GET', `/conversations/${encodeURIComponent(convId)}/tags`)).tags;
  }

  /**
   * A burn-after-reading message's text and files, for this user (the shared message never
   * carries them). The first reveal, on any of the user's devices, starts their timer: `burns_at`
   * says when it ends (null for the sender). After it, a `ParleyError` with code `burned`. Keep
   * what it returns in memory only.
   */
  reveal(messageId: string): Promise<RevealedMessage> {
    return this.rest.request<RevealedMessage>('POST', `/messages/${encodeURIComponent(messageId)}/reveal`);
  }

  /**
   * An online backup of the server's embedded database and files, as a gzipped tar stream
   * (workspace owners; `conflict` on PostgreSQL, which is backed up with pg_dump).
   */
  async backup(signal?: AbortSignal): Promise<ReadableStream<Uint8Array>> {
    return (await this.rest.stream('/admin/backup', {}, signal)).body;
  }

  /** Web Push: the server's VAPID public key (for `pushManager.subscribe`), my `previews` setting and my subscribed browsers. */
  pushSettings(): Promise<PushSettings> {
    return this.rest.request<PushSettings>('GET', '/me/push');
  }

  /** Message text in my push notifications (true), or only who wrote where. */
  setPushPreviews(previews: boolean): Promise<PushSettings> {
    return this.rest.request<PushSettings>('PATCH', '/me/push', { previews });
  }

  /** Registers this browser's push subscription (`subscription.toJSON()`) for this device session. */
  subscribePush(subscription: PushSubscribeBody): Promise<PushSubscription> {
    return this.rest.request<PushSubscription>('POST', '/me/push/subscriptions', subscription);
  }

  /** Stops pushing to one of my browsers. */
  async unsubscribePush(id: string): Promise<void> {
    await this.rest.request<void>('DELETE', `/me/push/subscriptions/${encodeURIComponent(id)}`);
  }

  /**
   * What notifies me in a conversation: every message (`all`), only mentions of me (`mentions`),
   * or `nothing`; answers the conversation with `membership.notify`. My other devices get
   * `conversation.muted`.
   */
  setNotifyLevel(convId: string, level: NotifyLevel): Promise<Conversation> {
    return this.rest.request<Conversation>('PUT', `/conversations/${encodeURIComponent(convId)}/notify`, { level });
  }

  /** My Do Not Disturb (`dnd_until`, null when off) and sounds setting. */
  notificationSettings(): Promise<NotificationSettings> {
    return this.rest.request<NotificationSettings>('GET', '/me/notifications');
  }

  /** Do Not Disturb until a time in the future (at most a year away), or off with null. My other devices get `notifications.updated`. */
  setDoNotDisturb(until: Date | string | null): Promise<NotificationSettings> {
    return this.rest.request<NotificationSettings>('PATCH', '/me/notifications', { dnd_until: until instanceof Date ? until.toISOString() : until });
  }

  /** Whether clients play a sound with a notification. */
  setSounds(on: boolean): Promise<NotificationSettings> {
    return this.rest.request<NotificationSettings>('PATCH', '/me/notifications', { sounds: on });
  }

  /** Tags a message after it was sent (`/tag`), or takes such a tag off; answers the message as it is now. */
  tag(messageId: string, tag: string, op: 'add' | 'remove' = 'add'): Promise<Message> {
    return op === 'add'
      ? this.rest.request<Message>('POST', `/messages/${encodeURIComponent(messageId)}/tags`, { tag })
      : this.rest.request<Message>('DELETE', `/messages/${encodeURIComponent(messageId)}/tags/${encodeURIComponent(tag)}`);
  }

  /**
   * Pins a message to its conversation, or unpins it (`op: 'remove'`); answers the message as it
   * is now (`pinned_at`, `pinned_by`). Members who may post pin; whoever pinned a message, an
   * admin of the conversation or either side of a DM unpins. Every member gets a `message.pinned`
   * event. A burn-after-reading message cannot be pinned (`conflict`).
   */
  pin(messageId: string, op: 'add' | 'remove' = 'add'): Promise<Message> {
    return this.rest.request<Message>(op === 'add' ? 'POST' : 'DELETE', `/messages/${encodeURIComponent(messageId)}/pin`);
  }

  /** Unpins a message: `pin(messageId, 'remove')`. */
  unpin(messageId: string): Promise<Message> {
    return this.pin(messageId, 'remove');
  }

  /** A page of a conversation's pinned messages, newest pin first; the next page: `before_seq` = the last pin's `seq`. */
  pins(convId: string, q: { before_seq?: number; limit?: number } = {}): Promise<PinsPage> {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(q)) if (v !== undefined) qs.set(k, String(v));
    const s = qs.toString();
    return this.rest.request<PinsPage>('GET', `/conversations/${encodeURIComponent(convId)}/pins${s ? `?${s}` : ''}`);
  }

  /**
   * Saves a message for this user alone (no one else learns of it; the user's other devices get a
   * `saved.changed` event). Saving it again changes nothing. Recalled and burn-after-reading
   * messages cannot be saved (`conflict`).
   */
  save(messageId: string): Promise<SavedMessage> {
    return this.rest.request<SavedMessage>('PUT', `/messages/${encodeURIComponent(messageId)}/saved`);
  }

  /** Unsaves a message (nothing happens when it was not saved). */
  async unsave(messageId: string): Promise<void> {
    await this.rest.request<void>('DELETE', `/messages/${encodeURIComponent(messageId)}/saved`);
  }

  /**
   * A page of my saved messages, last saved first, each as I may read it now: one I can no longer
   * read (I left before it, it was recalled or burned) is not listed. The next page: `cursor` = `next_cursor`.
   */
  saved(q: { cursor?: string; limit?: number } = {}): Promise<SavedPage> {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(q)) if (v !== undefined) qs.set(k, String(v));
    const s = qs.toString();
    return this.rest.request<SavedPage>('GET', `/me/saved${s ? `?${s}` : ''}`);
  }

  /**
   * Searches the messages this user may read (the query language is in docs/search.md). Over
   * REST, like `history()`, so it works without a socket. Dates in `before:`/`after:`/`on:` are
   * days in `tz`, the user's own time zone unless given. A query the server cannot read is a
   * `ParleyError` with code `invalid_query` and a message naming the problem; an unknown `in:` or
   * `from:` name is `not_found`.
   */
  search(q: string, opts: SearchOptions = {}): Promise<SearchPage> {
    const qs = new URLSearchParams({ q });
    if (opts.order) qs.set('order', opts.order);
    if (opts.cursor) qs.set('cursor', opts.cursor);
    if (opts.limit !== undefined) qs.set('limit', String(opts.limit));
    const tz = opts.tz === undefined ? localTimeZone() : opts.tz;
    if (tz) qs.set('tz', tz);
    return this.rest.request<SearchPage>('GET', `/search?${qs.toString()}`, undefined, opts.signal);
  }

  /**
   * Runs a custom slash command (`/deploy api` is `runCommand(conv, 'deploy', 'api')`). Its
   * ephemeral answer comes back here and, as a `message.ephemeral` event, to this user's other
   * devices; an `in_channel` answer is posted in the conversation. A failing endpoint is a
   * `ParleyError` with code `command_failed`.
   */
  runCommand(convId: string, command: string, text: string, opts: { threadRootId?: string } = {}): Promise<CommandResult> {
    return this.rest.request<CommandResult>('POST', '/commands/run', { conv_id: convId, command, text, ...(opts.threadRootId ? { thread_root_id: opts.threadRootId } : {}) });
  }

  /** The workspace's custom slash commands, for suggestions. */
  commands(): Promise<SlashCommand[]> {
    return this.rest.request<{ commands: SlashCommand[] }>('GET', '/commands').then((r) => r.commands);
  }

  /**
   * A page of the audit log, newest first (workspace owners and admins; others get a
   * `ParleyError` with code `forbidden`). `actor` is a username or a user id; `action` an action
   * (`auth.login`) or a prefix (`auth.`, `auth.*`); `since` (inclusive) and `until` (exclusive)
   * are `Date`s, milliseconds or ISO 8601 text. The next page: `before` = the last entry's id. A
   * filter the server cannot read is `invalid_request`, naming it.
   */
  audit(filters: AuditFilters = {}, signal?: AbortSignal): Promise<AuditEntry[]> {
    const qs = new URLSearchParams();
    const time = (t: string | number | Date) => (t instanceof Date ? t.toISOString() : String(t));
    if (filters.actor !== undefined) qs.set('actor', filters.actor);
    if (filters.action !== undefined) qs.set('action', filters.action);
    if (filters.since !== undefined) qs.set('since', time(filters.since));
    if (filters.until !== undefined) qs.set('until', time(filters.until));
    if (filters.limit !== undefined) qs.set('limit', String(filters.limit));
    if (filters.before !== undefined) qs.set('before', filters.before);
    const s = qs.toString();
    return this.rest.request<{ entries: AuditEntry[] }>('GET', `/admin/audit${s ? `?${s}` : ''}`, undefined, signal).then((r) => r.entries);
  }

  /**
   * Where a message went (workspace owners and admins; others get `forbidden`, an unknown or
   * expired trace `not_found`): when the server accepted it, its batch's commit and publish, and
   * for each recipient device when it was delivered and read, or why it is still pending.
   */
  trace(messageId: string, signal?: AbortSignal): Promise<MessageTrace> {
    return this.rest.request<MessageTrace>('GET', `/admin/messages/${encodeURIComponent(messageId)}/trace`, undefined, signal);
  }

  /** Every hit of a query, page by page (waiting out rate limits), until the last page or `signal` aborts. */
  async *searchAll(q: string, opts: Omit<SearchOptions, 'cursor'> = {}): AsyncIterableIterator<{ hit: SearchHit; conversation: SearchConversation | undefined }> {
    let cursor: string | undefined;
    for (;;) {
      if (opts.signal?.aborted) return;
      const page = await this.paced(() => this.search(q, { ...opts, ...(cursor ? { cursor } : {}) }), { overSocket: false, signal: opts.signal });
      const convs = new Map(page.conversations.map((c) => [c.id, c]));
      for (const hit of page.hits) yield { hit, conversation: convs.get(hit.message.conv_id) };
      if (!page.next_cursor || page.hits.length === 0) return;
      cursor = page.next_cursor;
    }
  }

  /**
   * Resolves a human target to a conversation: `#name` (a channel I am in or a public one),
   * `@username` (opens the DM), or a conversation id. Channel names are unique among public
   * channels only (a private channel's name is not, so that it is never revealed), so `#name`
   * looks among my channels first and refuses to guess between two of them.
   */
  async resolveTarget(target: string): Promise<Conversation> {
    if (target.startsWith('#')) {
      const name = target.slice(1).toLowerCase();
      const mine = await this.listConversations();
      const hits = mine.filter((c) => c.kind === 'channel' && c.name?.toLowerCase() === name);
      if (hits.length > 1) {
        throw new ParleyError('conflict', `You are in ${hits.length} channels named #${name}; use a conversation id: ${hits.map((c) => c.id).join(', ')}.`, 409);
      }
      const hit = hits[0];
      if (hit) return hit;
      const pub = await this.rest.request<{ conversations: Conversation[] }>('GET', `/channels?query=${encodeURIComponent(name)}`);
      const p = pub.conversations.find((c) => c.name?.toLowerCase() === name);
      if (p) return p;
      throw new ParleyError('not_found', `No channel named #${name} that you can see.`, 404);
    }
    if (target.startsWith('@')) {
      const username = target.slice(1).toLowerCase();
      const res = await this.rest.request<{ users: User[] }>('GET', `/users?query=${encodeURIComponent(username)}&limit=50`);
      const u = res.users.find((x) => x.username === username);
      if (!u) throw new ParleyError('not_found', `No user named @${username}.`, 404);
      return this.createConversation({ kind: 'dm', user_id: u.id });
    }
    if (/^[0-9A-HJKMNP-TV-Z]{26}$/.test(target)) return this.rest.request<Conversation>('GET', `/conversations/${target}`);
    throw new ParleyError('invalid_request', `"${target}" is not a target: use #channel, @user or a conversation id.`, 400);
  }
}
