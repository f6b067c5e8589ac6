import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import {
  CloseCodes,
  ClientFrameEnvelope,
  PROTOCOL_LEVEL,
  RequestSchemas,
  plural,
  redactForMember,
  type ConnectionSettings,
  type EventFrame,
  type HelloFrame,
  type Limits,
  type LogEvent,
  type RequestData,
  type RequestType,
} from '@parley/protocol';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { subjects, type Bus } from '../bus/bus.js';
import { decodeBus, encodeEventFrame, type Decoded } from '../bus/envelope.js';
import { SeqOrder } from './seq-order.js';
import { AppError, isStorageUnavailable, toErrorBody } from '../core/errors.js';
import { TokenBuckets } from '../core/rate-limit.js';
import type { Actor } from '../core/context.js';
import type { Db } from '../store/db.js';
import type { Services } from '../services.js';
import { check } from '../http/validation.js';
import { assertWellFormed } from '../http/well-formed.js';
import { Connection } from './connection.js';
import { handlers, type ConnectionPort } from './handlers.js';
import { EncodedJson } from '../core/encoded.js';
import { prepared } from '../store/prepared.js';
import { hasScope, requireScope, SOCKET_SCOPES } from '../auth/scopes.js';

/** How every typing frame starts (encodeEventFrame's output for a `typing` event). */
const TYPING_FRAME = encodeEventFrame({ type: 'typing', conv_id: '', user_id: '', thread_root_id: null, active: false, expires_in_ms: 0 }).split('"conv_id"')[0]!;

interface Fanout {
  unsubscribe: () => void;
  conns: Set<Connection>;
  /** Conversation subjects only: log events in seq order. */
  order?: SeqOrder<Extract<Decoded, { kind: 'frame' }>>;
}

/** A frame for several sockets is UTF-8-encoded once; for one, ws encodes it while writing. */
const once = (frame: string, recipients: number): string | Buffer => (recipients > 1 ? Buffer.from(frame) : frame);

/** Socket requests that charge the per-user read budget (their REST twins charge it too). */
const READS: ReadonlySet<RequestType> = new Set<RequestType>(['history', 'sync', 'sync.events', 'message.get', 'conversation.list', 'conversation.get', 'search']);

/** How long an event waits for an earlier seq that was published later (see SeqOrder). */
const REORDER_WINDOW_MS = 100;

/**
 * The WebSocket transport: frames, sessions, subscriptions and back-pressure. It calls services
 * for every request and relays bus messages to sockets; it holds no domain logic.
 */
export class Gateway {
  private readonly wss: WebSocketServer;
  private readonly conns = new Set<Connection>();
  private readonly byUser = new Map<string, Set<Connection>>();
  private readonly userSubs = new Map<string, () => void>();
  private readonly convFanout = new Map<string, Fanout>();
  private readonly presenceFanout = new Map<string, Fanout>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private draining = false;

  constructor(
    private readonly services: Services,
    private readonly bus: Bus,
    private readonly db: Db,
    private readonly config: Config,
    private readonly log: Logger,
  ) {
    // ws enforces a hard cap (close 1009) well above our own limit, which closes with 1008 and a reason.
    this.wss = new WebSocketServer({ noServer: true, maxPayload: config.limits.maxFrameBytes * 4, skipUTF8Validation: true, perMessageDeflate: false });
    this.heartbeat = setInterval(() => this.beat(), config.heartbeatMs);
    this.heartbeat.unref();
  }

  get connectionCount(): number {
    return this.conns.size;
  }

  /** Sockets open on this node, and those authenticated (read at each metrics scrape). */
  socketCounts(): { open: number; authenticated: number } {
    let authenticated = 0;
    for (const c of this.conns) if (c.actor) authenticated++;
    return { open: this.conns.size, authenticated };
  }

  /** Distinct signed-in users with a socket on this node (the admin console's figures). */
  userCount(): number {
    return this.byUser.size;
  }

  /** The limits in force: the environment's, with the windows admins changed at run time (workspace/settings.ts). */
  async limits(): Promise<Limits> {
    const l = this.config.limits;
    const live = await this.services.workspace.shared();
    return {
      max_frame_bytes: l.maxFrameBytes,
      max_body_bytes: l.maxBodyBytes,
      max_message_chars: l.maxMessageChars,
      send_rate_per_sec: l.sendRatePerSec,
      send_burst: l.sendBurst,
      frame_rate_per_sec: l.frameRatePerSec,
      frame_burst: l.frameBurst,
      edit_window_ms: live.edit_window_ms,
      recall_window_ms: live.recall_window_ms,
      burn_min_s: Math.round(this.config.burnMinMs / 1000),
      burn_max_s: Math.round(this.config.burnMaxMs / 1000),
      history_page_max: l.historyPageMax,
      heartbeat_ms: this.config.heartbeatMs,
      typing_ttl_ms: this.config.typingTtlMs,
      max_sockets_per_user: l.maxSocketsPerUser,
    };
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/ws' || this.draining) {
      socket.end(this.draining ? 'HTTP/1.1 503 Service Unavailable\r\n\r\n' : 'HTTP/1.1 404 Not Found\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, req));
  }

  private accept(ws: WebSocket, req: IncomingMessage): void {
    const l = this.config.limits;
    const conn = new Connection(ws, req.socket.remoteAddress ?? '', new TokenBuckets(l.frameRatePerSec, l.frameBurst), l.maxSocketBufferBytes);
    this.conns.add(conn);
    // Stop fanning out to a socket the moment we decide to close it (a slow consumer's close
    // frame waits behind its full buffer; nothing more should pile up behind it).
    conn.onClosing = () => this.drop(conn);
    conn.onSlow = () => this.services.metrics.slowConsumers.inc();
    const authTimer = setTimeout(() => {
      if (!conn.actor) conn.close(CloseCodes.authTimeout, 'authentication timeout: send an auth frame first');
    }, l.authTimeoutMs);
    authTimer.unref();
    ws.on('pong', () => (conn.alive = true));
    ws.on('message', (data, isBinary) => this.onFrame(conn, data, isBinary));
    ws.on('error', (err) => this.log.debug({ err, conn: conn.id }, 'socket error'));
    ws.on('close', () => {
      clearTimeout(authTimer);
      this.drop(conn);
    });
  }

  private onFrame(conn: Connection, data: RawData, isBinary: boolean): void {
    conn.alive = true;
    const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    if (buf.length > this.config.limits.maxFrameBytes) {
      conn.close(CloseCodes.policyViolation, `frame too large: the limit is ${this.config.limits.maxFrameBytes} bytes`);
      return;
    }
    if (conn.frameLimiter.take('f') > 0) {
      conn.close(CloseCodes.policyViolation, `flooding: more than ${plural(this.config.limits.frameRatePerSec, 'frame')} per second`);
      return;
    }
    if (isBinary) {
      conn.error(null, { code: 'invalid_frame', message: 'Send JSON text frames, not binary.' });
      return;
    }
    let text: string;
    try {
      text = this.decoder.decode(buf);
    } catch {
      conn.error(null, { code: 'invalid_utf8', message: 'The frame is not valid UTF-8.' });
      return;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      conn.error(null, { code: 'invalid_json', message: 'The frame is not valid JSON.' });
      return;
    }
    const maybeId = typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'string' ? (raw as { id: string }).id.slice(0, 64) : null;
    try {
      assertWellFormed(text, raw);
    } catch (e) {
      const body = toErrorBody(e);
      conn.error(body.field === '/id' ? null : maybeId, body);
      return;
    }
    let env: { id: string; type: string; data?: unknown };
    try {
      env = check(ClientFrameEnvelope, raw);
    } catch (e) {
      conn.error(maybeId, { code: 'invalid_frame', message: `A frame is {"id": string, "type": string, "data"?: object}: ${(e as Error).message}` });
      return;
    }
    if (!Object.prototype.hasOwnProperty.call(RequestSchemas, env.type)) {
      conn.error(env.id, { code: 'unknown_frame', message: `Unknown frame type "${env.type.slice(0, 64)}".` });
      return;
    }
    const type = env.type as RequestType;
    const body = env.data ?? {};
    // Sends are pipelined: the next frame starts once a send has its place in the commit order,
    // not once it is acked, so one socket keeps several sends in a group commit (one at a time
    // capped a socket at one send per commit round trip). Any other request waits for the sends
    // before it to finish, so it sees them as it always did.
    if (type === 'message.send') conn.queue = conn.queue.then(() => this.pipelineSend(conn, env.id, body));
    else conn.queue = conn.queue.then(() => this.afterSends(conn)).then(() => this.run(conn, env.id, type, body));
  }

  /**
   * Starts a send once fewer than `limits.socketSendsInFlight` of this socket's wait for their
   * commit, and resolves when it has its place in the commit order (or has finished: refused,
   * or a path that orders only by finishing, as PostgreSQL's parallel batches do).
   */
  private async pipelineSend(conn: Connection, id: string, data: unknown): Promise<void> {
    while (conn.sendsInFlight >= this.config.limits.socketSendsInFlight) await conn.sendFinished();
    conn.sendsInFlight++;
    let placed!: () => void;
    const inOrder = new Promise<void>((resolve) => (placed = resolve));
    void this.run(conn, id, 'message.send', data, placed).finally(() => {
      placed();
      conn.finishSend();
    });
    await inOrder;
  }

  private async afterSends(conn: Connection): Promise<void> {
    while (conn.sendsInFlight > 0) await conn.sendFinished();
  }

  /** Never rejects: a failure answers the request with an error frame. */
  private async run(conn: Connection, id: string, type: RequestType, data: unknown, placed?: () => void): Promise<void> {
    if (conn.closed) return;
    try {
      const valid = check<Record<string, unknown>>(RequestSchemas[type], data, '/data');
      if (type === 'auth') {
        await this.charge(null, conn.ip, type);
        await this.authenticate(conn, id, valid as { token: string });
        return;
      }
      if (!conn.actor) throw new AppError('unauthenticated', 'Send an auth frame first.');
      await this.charge(conn.actor.userId, conn.ip, type);
      const actor = await this.currentActor(conn, id);
      if (!actor) return;
      requireScope(actor, SOCKET_SCOPES[type]);
      const handler = handlers[type] as (s: Services, a: Actor, d: unknown, c: ConnectionPort) => unknown;
      const result = await handler(this.services, actor, valid, { subscribePresence: (ids) => this.subscribePresence(conn, ids), settings: (change) => this.settings(conn, change), placed });
      conn.sendRaw(`{"type":"result","id":${JSON.stringify(id)},"data":${result instanceof EncodedJson ? result.json : JSON.stringify(result)}}`);
      this.services.metrics.socketRequests.inc({ type, outcome: 'ok' });
    } catch (e) {
      if (isStorageUnavailable(e)) this.log.warn({ err: e, type }, 'storage unavailable');
      else if (!(e instanceof AppError)) this.log.error({ err: e, type }, 'socket request failed');
      const body = toErrorBody(e);
      this.services.metrics.socketRequests.inc({ type, outcome: body.code });
      this.services.metrics.errors.inc({ code: body.code, transport: 'socket' });
      conn.error(id, body);
    }
  }

  /**
   * Every request is judged by the account as it is now, not as it was at `auth`: the role is
   * re-read with the session or token (one indexed read), so a demotion, deactivation or
   * revocation made on any node holds from the next request on. A credential that is no longer
   * good answers this request and closes the socket.
   */
  private async currentActor(conn: Connection, id: string): Promise<Actor | null> {
    try {
      conn.actor = await this.services.auth.current(conn.actor!);
      if (conn.actor.mustEnrol2fa) throw new AppError('mfa_enrolment_required');
      return conn.actor;
    } catch (e) {
      if (!(e instanceof AppError) || (e.code !== 'invalid_token' && e.code !== 'session_revoked' && e.code !== 'mfa_enrolment_required')) throw e;
      conn.error(id, e.toBody());
      conn.close(CloseCodes.sessionRevoked, 'credentials no longer valid');
      return null;
    }
  }

  /**
   * A socket request costs what the same request over REST costs: one unit of its address's
   * budget, and reads one unit of the user's read budget too, so moving a flood from REST to a
   * socket buys nothing. A refused request gets `rate_limited` for its id; the socket stays open.
   */
  private async charge(userId: string | null, ip: string, type: RequestType): Promise<void> {
    const { ip: ipLimiter, read } = this.services.limits;
    const [ipWait, readWait] = await Promise.all([ipLimiter.take(ip), userId !== null && READS.has(type) ? read.take(userId) : 0]);
    if (ipWait > 0) throw new AppError('rate_limited', 'Too many requests from this address; retry later.', { retry_after_ms: ipWait });
    if (readWait > 0) throw new AppError('rate_limited', `Too many reads: at most ${read.ratePerSec} per second; retry later.`, { retry_after_ms: readWait });
  }

  private async authenticate(conn: Connection, id: string, data: { token: string }): Promise<void> {
    if (conn.actor) throw new AppError('already_authenticated');
    let actor;
    try {
      actor = await this.services.auth.authenticate(data.token);
    } catch (e) {
      conn.error(id, toErrorBody(e));
      conn.close(CloseCodes.authFailed, 'authentication failed');
      return;
    }
    if (conn.closed) return;
    // A socket carries every live event of the user's conversations: only a token that may read.
    if (!hasScope(actor, 'read')) {
      conn.error(id, { code: 'forbidden', message: 'This API token lacks the "read" scope a socket needs; post over REST.' });
      conn.close(CloseCodes.authFailed, 'authentication failed');
      return;
    }
    if (actor.mustEnrol2fa) {
      conn.error(id, { code: 'mfa_enrolment_required', message: 'This workspace requires two-factor sign-in: turn it on to continue.' });
      conn.close(CloseCodes.authFailed, 'authentication failed');
      return;
    }
    // Each socket costs ~10 KB and a share of every fan-out: one account (or a stolen token)
    // must not be able to hold thousands. The new socket is refused; the ones open stay.
    const max = this.config.limits.maxSocketsPerUser;
    const refuse = () => {
      conn.error(id, { code: 'too_many_connections', message: `This account already has ${plural(max, 'open connection')}; close one and retry.` });
      conn.close(CloseCodes.tooManyConnections, 'too many connections');
    };
    if ((this.byUser.get(actor.userId)?.size ?? 0) >= max) return refuse();
    const presence = this.services.presence;
    if (presence.shared) {
      // Other nodes hold sockets too (their presence rows count them). Reserve first, count
      // after: of two nodes racing for the last place, the later reader sees both reservations,
      // so the cap is never passed; both may be refused, and a refused client retries later.
      // On this node the reservations are ordered: this socket counts only those before it.
      const position = presence.localSockets(actor.userId) + 1;
      if (position > max) return refuse();
      const release = () => presence.disconnected(actor.userId).catch((err: unknown) => this.log.warn({ err }, 'presence update failed'));
      let total: number;
      try {
        await presence.connected(actor.userId);
        total = position + (await presence.socketsElsewhere(actor.userId));
      } catch (e) {
        void release();
        throw e;
      }
      if (conn.closed || total > max) {
        void release();
        if (!conn.closed) refuse();
        return;
      }
    }
    conn.actor = { ...actor, ip: conn.ip };
    this.services.trace.recorder.connected(actor);
    let set = this.byUser.get(actor.userId);
    if (!set) {
      set = new Set();
      this.byUser.set(actor.userId, set);
      const userId = actor.userId;
      this.userSubs.set(
        userId,
        this.bus.subscribe(subjects.user(userId), (p) => this.onUserMessage(userId, p)),
      );
    }
    set.add(conn);
    // Subscribed to the user subject first, so a join that lands while we list is not missed.
    const rows = await subscriptionsOf(this.db, { userId: actor.userId });
    for (const r of rows) this.subscribeConv(conn, r.conv_id, Number(r.visible_from_seq), Number(r.last_seq) + 1);
    // Across nodes the subscriptions must reach the broker before `hello`, or a message sent
    // to this user right after could pass this node by (it would come back only by resync).
    await Promise.all([this.bus.flush(), presence.shared ? undefined : presence.connected(actor.userId)]);
    const user = await this.services.users.getUser(actor.userId);
    const hello: HelloFrame = {
      type: 'hello',
      id,
      protocol_level: PROTOCOL_LEVEL,
      user,
      session_id: actor.sessionId,
      server_time: new Date().toISOString(),
      limits: await this.limits(),
    };
    conn.send(hello);
  }

  /** `nextSeq`, when known, is the conversation's next seq as read before subscribing (see SeqOrder). */
  private subscribeConv(conn: Connection, convId: string, visibleFrom: number, nextSeq: number | null): void {
    if (conn.convs.has(convId)) return;
    conn.convs.add(convId);
    conn.visibleFrom.set(convId, visibleFrom);
    conn.subscribedAt.set(convId, (nextSeq ?? 1) - 1);
    let f = this.convFanout.get(convId);
    if (!f) {
      const conns = new Set<Connection>();
      const order = new SeqOrder<Extract<Decoded, { kind: 'frame' }>>((m) => this.deliverConv(conns, convId, m), REORDER_WINDOW_MS, nextSeq);
      f = {
        conns,
        order,
        unsubscribe: this.bus.subscribe(subjects.conv(convId), (p) => {
          const msg = decodeBus(p);
          if (msg.kind !== 'frame') return;
          if (msg.seq === null) this.deliverConv(conns, convId, msg);
          else order.push(msg.seq, msg);
        }),
      };
      this.convFanout.set(convId, f);
    }
    f.conns.add(conn);
  }

  private unsubscribeConv(conn: Connection, convId: string): void {
    if (!conn.convs.delete(convId)) return;
    conn.visibleFrom.delete(convId);
    conn.subscribedAt.delete(convId);
    const f = this.convFanout.get(convId);
    if (!f) return;
    f.conns.delete(conn);
    if (f.conns.size === 0) {
      f.unsubscribe();
      f.order?.close();
      this.convFanout.delete(convId);
    }
  }

  private settings(conn: Connection, change: RequestData<'connection.set'>): ConnectionSettings {
    if (change.typing !== undefined) conn.typing = change.typing;
    if (change.presence !== undefined) {
      conn.presenceOn = change.presence;
      if (!change.presence) this.unsubscribePresence(conn);
    }
    return { typing: conn.typing, presence: conn.presenceOn };
  }

  private unsubscribePresence(conn: Connection): void {
    for (const u of conn.presence) {
      const f = this.presenceFanout.get(u);
      if (!f) continue;
      f.conns.delete(conn);
      if (f.conns.size === 0) {
        f.unsubscribe();
        this.presenceFanout.delete(u);
      }
    }
    conn.presence.clear();
  }

  private subscribePresence(conn: Connection, userIds: string[]): void {
    // A socket that turned presence off still gets the answer's snapshot, not the changes after it.
    if (!conn.presenceOn) return;
    for (const u of userIds) {
      if (conn.presence.has(u)) continue;
      if (conn.presence.size >= 5000) break;
      conn.presence.add(u);
      let f = this.presenceFanout.get(u);
      if (!f) {
        const conns = new Set<Connection>();
        f = { conns, unsubscribe: this.bus.subscribe(subjects.presence(u), (p) => this.fanout(conns, p)) };
        this.presenceFanout.set(u, f);
      }
      f.conns.add(conn);
    }
  }

  private fanout(conns: Set<Connection>, payload: string): void {
    const msg = decodeBus(payload);
    if (msg.kind !== 'frame') return;
    const frame = once(msg.frame, conns.size);
    for (const c of conns) c.sendRaw(frame);
  }

  /** Hands one encoded frame to every subscribed socket; members who may not see the message get a `hidden` event. */
  private deliverConv(conns: Set<Connection>, convId: string, msg: Extract<Decoded, { kind: 'frame' }>): void {
    const tracing = this.services.deps.tracing;
    const startedAt = tracing && msg.seq !== null ? this.services.deps.now() : 0;
    this.deliverConvFrame(conns, convId, msg);
    if (tracing && msg.seq !== null) tracing.delivered(convId, msg.seq, msg.frame, startedAt, this.services.deps.now(), conns.size);
  }

  private deliverConvFrame(conns: Set<Connection>, convId: string, msg: Extract<Decoded, { kind: 'frame' }>): void {
    const frame = once(msg.frame, conns.size);
    if (msg.messageSeq === null) {
      // Typing indicators are the only frames outside the log sent to a conversation's sockets.
      const typing = msg.seq === null && msg.frame.startsWith(TYPING_FRAME);
      for (const c of conns) if (c.typing || !typing) c.sendRaw(frame);
      if (msg.leftUserId) this.stopAtLeave(conns, convId, msg.leftUserId, msg.seq!);
      return;
    }
    let hidden: string | null = null;
    for (const c of conns) {
      if ((c.visibleFrom.get(convId) ?? 1) <= msg.messageSeq) {
        c.sendRaw(frame);
        continue;
      }
      hidden ??= encodeEventFrame(redactForMember((JSON.parse(msg.frame) as EventFrame).event as LogEvent, Number.MAX_SAFE_INTEGER));
      c.sendRaw(hidden);
    }
  }

  /**
   * A member's sockets stop at their own member.left event, in the conversation's seq order:
   * nothing after it reaches them, whichever node published it and however late the user's
   * `leave` control arrives. A leave older than the socket's subscription (they left and came back)
   * does not count.
   */
  private stopAtLeave(conns: Set<Connection>, convId: string, userId: string, seq: number): void {
    for (const c of [...conns]) {
      if (c.actor?.userId === userId && seq > (c.subscribedAt.get(convId) ?? 0)) this.unsubscribeConv(c, convId);
    }
  }

  private onUserMessage(userId: string, payload: string): void {
    const conns = this.byUser.get(userId);
    if (!conns) return;
    const msg = decodeBus(payload);
    if (msg.kind === 'frame') {
      const frame = once(msg.frame, conns.size);
      for (const c of conns) c.sendRaw(frame);
      return;
    }
    const ctl = msg.control;
    for (const c of [...conns]) {
      if (ctl.op === 'join') {
        if (c.convs.has(ctl.conv_id)) continue;
        this.subscribeConv(c, ctl.conv_id, ctl.visible_from_seq, ctl.next_seq ?? null);
        for (const f of ctl.frames) c.sendRaw(f);
      } else if (ctl.op === 'leave') {
        if ((ctl.seq ?? Number.MAX_SAFE_INTEGER) > (c.subscribedAt.get(ctl.conv_id) ?? 0)) this.unsubscribeConv(c, ctl.conv_id);
      } else if (ctl.op === 'revoke' && c.actor?.sessionId === ctl.session_id) {
        c.close(CloseCodes.sessionRevoked, 'session revoked');
      } else if (ctl.op === 'close_user') {
        c.close(CloseCodes.sessionRevoked, ctl.reason);
      }
    }
  }

  private drop(conn: Connection): void {
    conn.closed = true;
    if (!this.conns.delete(conn)) return;
    for (const convId of [...conn.convs]) this.unsubscribeConv(conn, convId);
    this.unsubscribePresence(conn);
    const actor = conn.actor;
    if (!actor) return;
    this.services.trace.recorder.disconnected(actor);
    const set = this.byUser.get(actor.userId);
    set?.delete(conn);
    if (set && set.size === 0) {
      this.byUser.delete(actor.userId);
      this.userSubs.get(actor.userId)?.();
      this.userSubs.delete(actor.userId);
    }
    // While draining, presence.stop() takes every user of this node offline in a few statements;
    // one update per socket made stopping a node with 10,000 sockets take 20 s.
    if (this.draining) return;
    this.services.presence.disconnected(actor.userId).catch((err: unknown) => this.log.warn({ err }, 'presence update failed'));
  }

  /** Pings every socket; one that did not answer the previous ping is terminated. */
  private beat(): void {
    for (const c of this.conns) {
      if (!c.alive) {
        c.ws.terminate();
        continue;
      }
      c.alive = false;
      c.ws.ping();
    }
  }

  /** Graceful shutdown: refuse new sockets, ask every client to reconnect elsewhere, close. */
  async drain(graceMs: number): Promise<void> {
    this.draining = true;
    clearInterval(this.heartbeat);
    for (const c of this.conns) {
      c.send({ type: 'reconnect', reason: 'server shutting down', retry_after_ms: 1000 });
      c.close(CloseCodes.goingAway, 'server shutting down');
    }
    const deadline = Date.now() + graceMs;
    while (this.conns.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    for (const c of this.conns) c.ws.terminate();
    this.wss.close();
  }
}

/** Where a socket subscribes at authentication: every conversation its user is in, and how far each is. */
const subscriptionsOf = prepared((db, p: { userId: string }) =>
  db
    .selectFrom('members')
    .innerJoin('conversations', 'conversations.id', 'members.conv_id')
    .select(['members.conv_id', 'members.visible_from_seq', 'conversations.last_seq'])
    .where('members.user_id', '=', p.userId)
    .where('members.left_seq', 'is', null),
);
