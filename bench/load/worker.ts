/**
 * A load worker: a child process (forked by bench/run.ts) that drives many raw `ws` sockets
 * speaking the Parley protocol directly. It answers the orchestrator's requests one at a time
 * over IPC (see ipc.ts) and never talks to anything but the server under test on 127.0.0.1.
 *
 * The hot paths (send acks and pushed message events) are read with a few anchored regexes
 * instead of JSON.parse, so one worker can take ~100k frames/s; anything that does not match the
 * expected shape falls back to JSON.parse, so the fast path never guesses.
 */
import WebSocket, { type RawData } from 'ws';
import { Histogram } from './hist.js';
import { now, pool, sleep } from './util.js';
import type {
  ClientSpec,
  ConnectReq,
  ConnectRes,
  Counts,
  CpuRes,
  Envelope,
  HistoryReq,
  HistoryRes,
  LoadReq,
  LoadRes,
  ProgressRes,
  ReceiptsRes,
  Reply,
  StormArmReq,
  StormPrepareReq,
  StormPrepareRes,
  StormWaitReq,
  StormWaitRes,
} from './ipc.js';

/** What the bench reads of a conversation in a sync answer. */
interface ConversationListLike {
  id: string;
  last_seq: number;
}

const WORKER_TAG = `${process.pid.toString(36)}${Math.floor(Math.random() * 36 ** 3).toString(36)}`;

const CONV_SEQ = /^\{"type":"event","event":\{"conv_id":"([0-9A-Z]{26})","seq":(\d+),/;
const ACK = /^\{"type":"result","id":"([^"]+)","data":\{"id":"[0-9A-Z]{26}","conv_id":"([0-9A-Z]{26})","seq":(\d+),"client_msg_id":"([^"]+)","created_at":"[^"]*","duplicate":(true|false),/;
const RESULT_ID = /^\{"type":"result","id":"([^"]+)"/;

interface SendPending {
  kind: 'send';
  t0: number;
  sock: Sock;
  cmid: string;
}
interface ReqPending {
  kind: 'req';
  sock: Sock;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

class RequestFailed extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

/** One simulated device. */
class Sock {
  ws: WebSocket | null = null;
  authed = false;
  closing = false;
  inflight = 0;
  /** Per conversation, a bitmap of the message seqs this socket has received (duplicates show up here). */
  readonly seen = new Map<string, Uint8Array>();
  /** Storm: the last seq applied per conversation, learned by sync and advanced by sync.events. */
  readonly cursors = new Map<string, number>();
  connectedAt = 0;
  authedAt = 0;
  resyncedAt = 0;
  attempts = 0;
  failed = false;
  constructor(readonly spec: ClientSpec) {}
}

const socks: Sock[] = [];
const pending = new Map<string, SendPending | ReqPending>();
let nextId = 1;
let passive = false;
let closedUnexpectedly = 0;

// Delivery accounting: per conversation, how many distinct sockets here got each seq.
const deliveredCounts = new Map<string, Uint32Array>();
const deliverHist = new Histogram();
/** The same latencies by the second of the load run in which each message was sent (its body's time). */
const deliverBySecond = new Map<number, Histogram>();
/** When the current load run began sending (every worker is told the same instant). */
let loadStartAt = 0;
let totalDelivered = 0;
let duplicated = 0;
let otherEvents = 0;
let firstDeliveryAt = 0;
let lastDeliveryAt = 0;

// Send accounting for the current load run.
let ackHist = new Histogram();
let acked = 0;
let duplicateAcks = 0;
let lastAckAt = 0;
let sendErrors: Counts = {};
let ackSeqs = new Map<string, number[]>();

function bump(c: Counts, key: string, n = 1): void {
  c[key] = (c[key] ?? 0) + n;
}

function grow(a: Uint8Array | Uint32Array | undefined, need: number, make: (n: number) => Uint8Array | Uint32Array): Uint8Array | Uint32Array {
  if (a && a.length > need) return a;
  let n = a ? a.length : 64;
  while (n <= need) n *= 2;
  const b = make(n);
  if (a) b.set(a);
  return b;
}

function onMessageCreated(sock: Sock, text: string, conv: string, seq: number): void {
  const s = text.indexOf('"sender_id":"');
  if (s < 0) return onSlowEvent(sock, text);
  const sender = text.substr(s + 13, 26);
  if (sender === sock.spec.userId) return; // the sender's own echo: not a delivery
  const b = text.indexOf('"body":"bench:', s);
  if (b < 0) {
    otherEvents++;
    return;
  }
  const end = text.indexOf(':', b + 14);
  const ts = Number(text.slice(b + 14, end));
  recordDelivery(sock, conv, seq, ts);
}

function recordDelivery(sock: Sock, conv: string, seq: number, ts: number): void {
  const byte = seq >> 3;
  const bit = 1 << (seq & 7);
  let bm = sock.seen.get(conv);
  if (!bm || bm.length <= byte) {
    bm = grow(bm, byte, (n) => new Uint8Array(n)) as Uint8Array;
    sock.seen.set(conv, bm);
  }
  if (bm[byte]! & bit) {
    duplicated++;
    return;
  }
  bm[byte]! |= bit;
  let counts = deliveredCounts.get(conv);
  if (!counts || counts.length <= seq) {
    counts = grow(counts, seq, (n) => new Uint32Array(n)) as Uint32Array;
    deliveredCounts.set(conv, counts);
  }
  counts[seq]! += 1;
  totalDelivered++;
  const t = now();
  if (firstDeliveryAt === 0) firstDeliveryAt = t;
  lastDeliveryAt = t;
  if (Number.isFinite(ts)) {
    deliverHist.record(t - ts);
    if (loadStartAt > 0 && ts >= loadStartAt) {
      const second = Math.floor((ts - loadStartAt) / 1000);
      let h = deliverBySecond.get(second);
      if (!h) deliverBySecond.set(second, (h = new Histogram()));
      h.record(t - ts);
    }
  }
}

/** The slow, exact path for an event frame the fast path did not recognise. */
function onSlowEvent(sock: Sock, text: string): void {
  const f = JSON.parse(text) as { event?: { type?: string; conv_id?: string; seq?: number; message?: { sender_id?: string; body?: string } } };
  const e = f.event;
  if (!e || e.type !== 'message.created' || !e.message || typeof e.conv_id !== 'string' || typeof e.seq !== 'number') {
    otherEvents++;
    return;
  }
  if (e.message.sender_id === sock.spec.userId) return;
  const body = e.message.body ?? '';
  if (!body.startsWith('bench:')) {
    otherEvents++;
    return;
  }
  recordDelivery(sock, e.conv_id, e.seq, Number(body.slice(6, body.indexOf(':', 6))));
}

function onFrame(sock: Sock, data: RawData): void {
  const text = data.toString();
  if (text.startsWith('{"type":"event"')) {
    if (passive) return;
    if (text.indexOf('"type":"message.created"') < 0) {
      otherEvents++;
      return;
    }
    const m = CONV_SEQ.exec(text);
    if (!m) return onSlowEvent(sock, text);
    onMessageCreated(sock, text, m[1]!, Number(m[2]));
    return;
  }
  if (text.startsWith('{"type":"result"')) {
    const idm = RESULT_ID.exec(text);
    const p = idm ? pending.get(idm[1]!) : undefined;
    if (!p || !idm) return;
    pending.delete(idm[1]!);
    if (p.kind === 'send') {
      onAck(p, text);
      return;
    }
    clearTimeout(p.timer);
    p.resolve((JSON.parse(text) as { data: unknown }).data);
    return;
  }
  if (text.startsWith('{"type":"hello"') || text.startsWith('{"type":"error"')) {
    const f = JSON.parse(text) as { type: string; id: string | null; error?: { code: string; message: string } };
    const p = f.id === null ? undefined : pending.get(f.id);
    if (!p || f.id === null) {
      if (f.type === 'error') bump(sendErrors, `frame:${f.error?.code ?? 'unknown'}`);
      return;
    }
    pending.delete(f.id);
    if (p.kind === 'send') {
      p.sock.inflight--;
      bump(sendErrors, f.error?.code ?? 'unknown');
      return;
    }
    clearTimeout(p.timer);
    if (f.type === 'hello') p.resolve(f);
    else p.reject(new RequestFailed(f.error?.code ?? 'unknown', f.error?.message ?? ''));
  }
  // `reconnect` frames need nothing: the close that follows drives reconnection.
}

function onAck(p: SendPending, text: string): void {
  p.sock.inflight--;
  let conv: string;
  let seq: number;
  let cmid: string;
  let dup: boolean;
  const m = ACK.exec(text);
  if (m) {
    conv = m[2]!;
    seq = Number(m[3]);
    cmid = m[4]!;
    dup = m[5] === 'true';
  } else {
    const d = (JSON.parse(text) as { data: { conv_id: string; seq: number; client_msg_id: string; duplicate: boolean } }).data;
    conv = d.conv_id;
    seq = d.seq;
    cmid = d.client_msg_id;
    dup = d.duplicate;
  }
  // Only a real result for this very message.send counts as an ack.
  if (cmid !== p.cmid) {
    bump(sendErrors, 'ack_mismatch');
    return;
  }
  const t = now();
  acked++;
  lastAckAt = t;
  if (dup) duplicateAcks++;
  ackHist.record(t - p.t0);
  let list = ackSeqs.get(conv);
  if (!list) ackSeqs.set(conv, (list = []));
  list.push(seq);
}

function request<T>(sock: Sock, type: string, data: unknown, timeoutMs = 30_000): Promise<T> {
  const ws = sock.ws;
  if (!ws || ws.readyState !== WebSocket.OPEN) return Promise.reject(new RequestFailed('not_open', 'socket is not open'));
  const id = `r${nextId++}`;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      pending.delete(id);
      reject(new RequestFailed('timeout', `${type} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    pending.set(id, { kind: 'req', sock, resolve: resolve as (v: unknown) => void, reject, timer });
    ws.send(JSON.stringify({ id, type, data }));
  });
}

function failPendingOf(sock: Sock): void {
  for (const [id, p] of pending) {
    if (p.sock !== sock) continue;
    pending.delete(id);
    if (p.kind === 'req') {
      clearTimeout(p.timer);
      p.reject(new RequestFailed('closed', 'socket closed'));
    } else {
      p.sock.inflight--;
      bump(sendErrors, 'socket_closed');
    }
  }
}

function errCode(e: unknown): string {
  if (e instanceof RequestFailed) return e.code;
  const c = (e as { code?: unknown }).code;
  return typeof c === 'string' ? c : (e as Error).message?.slice(0, 60) || 'error';
}

/** Opens a socket and authenticates; resolves once the hello frame is in. */
function openAndAuth(url: string, sock: Sock, timeoutMs: number, onClose: (sock: Sock) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    let up = false; // authenticated: only then does a later close count as this socket dropping
    const ws = new WebSocket(url, { perMessageDeflate: false, skipUTF8Validation: true, handshakeTimeout: timeoutMs });
    sock.ws = ws;
    sock.authed = false;
    const timer = setTimeout(() => fail(new RequestFailed('timeout', 'connect+auth timed out')), timeoutMs);
    const fail = (e: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ws.terminate();
      reject(e);
    };
    ws.on('message', (d) => onFrame(sock, d));
    ws.on('error', (e) => fail(e));
    ws.on('close', () => {
      sock.authed = false;
      failPendingOf(sock);
      if (!settled) fail(new RequestFailed('closed', 'closed before hello'));
      else if (up && sock.ws === ws) onClose(sock);
    });
    ws.on('open', () => {
      sock.connectedAt = now();
      request(sock, 'auth', { token: sock.spec.token }, timeoutMs)
        .then(() => {
          if (settled) return;
          settled = true;
          up = true;
          clearTimeout(timer);
          sock.authed = true;
          sock.authedAt = now();
          resolve();
        })
        .catch((e: unknown) => fail(e as Error));
    });
  });
}

let stormArm: StormArmReq | null = null;
let stormUrl = '';
let stormStats = { refused: 0, syncRequests: 0, eventsFetched: 0, convsMoved: 0, errors: {} as Counts };

function onSockClosed(sock: Sock): void {
  if (sock.closing) return;
  closedUnexpectedly++;
  if (stormArm) void reconnect(sock);
}

async function connect(req: ConnectReq): Promise<ConnectRes> {
  const t0 = now();
  const hist = new Histogram();
  const errors: Counts = {};
  let ok = 0;
  let failed = 0;
  const failedIdx: number[] = [];
  stormUrl = req.wsUrl;
  await pool(req.clients, req.concurrency, async (spec) => {
    const sock = new Sock(spec);
    const start = now();
    try {
      await openAndAuth(req.wsUrl, sock, req.timeoutMs, onSockClosed);
      socks.push(sock);
      hist.record(now() - start);
      ok++;
    } catch (e) {
      failed++;
      failedIdx.push(spec.idx);
      bump(errors, errCode(e));
    }
  });
  return { ok, failed, failedIdx, errors, ms: now() - t0, connectHist: hist.toData() };
}

async function load(req: LoadReq): Promise<LoadRes> {
  ackHist = new Histogram();
  acked = 0;
  duplicateAcks = 0;
  sendErrors = {};
  ackSeqs = new Map();
  const senders = socks.filter((s) => s.authed && s.spec.sendConvs.length > 0);
  const total = Math.round((req.rate * req.durationMs) / 1000);
  const pad = 'x'.repeat(Math.max(0, req.bodyPad));
  let issued = 0;
  let sent = 0;
  let skipped = 0;
  loadStartAt = req.startAt;
  const wait = req.startAt - now();
  if (wait > 0) await sleep(wait);
  const start = now();
  const sendOne = (): boolean => {
    for (let attempt = 0; attempt < 4; attempt++) {
      const sock = senders[Math.floor(Math.random() * senders.length)];
      if (!sock || !sock.authed || sock.inflight >= req.maxInflightPerSocket || !sock.ws) continue;
      const convs = sock.spec.sendConvs;
      const conv = convs[convs.length === 1 ? 0 : Math.floor(Math.random() * convs.length)]!;
      const id = String(nextId++);
      const cmid = `${WORKER_TAG}-${id}`;
      const t = now();
      sock.ws.send(`{"id":"${id}","type":"message.send","data":{"conv_id":"${conv}","client_msg_id":"${cmid}","body":"bench:${t.toFixed(3)}:${pad}"}}`);
      pending.set(id, { kind: 'send', t0: t, sock, cmid });
      sock.inflight++;
      return true;
    }
    return false;
  };
  if (senders.length > 0 && total > 0) {
    await new Promise<void>((resolve) => {
      const tick = (): void => {
        const el = Math.min(now() - start, req.durationMs);
        let due = Math.min(total, Math.floor((req.rate * el) / 1000)) - issued;
        while (due-- > 0) {
          issued++;
          if (sendOne()) sent++;
          else skipped++;
        }
        if (issued >= total || el >= req.durationMs) {
          skipped += total - issued;
          resolve();
          return;
        }
        setTimeout(tick, 1);
      };
      tick();
    });
  } else {
    skipped = total;
  }
  const sendEnd = now();
  // Wait for the acks of everything sent (bounded).
  const deadline = now() + req.ackTimeoutMs;
  while (now() < deadline) {
    let out = 0;
    for (const p of pending.values()) if (p.kind === 'send') out++;
    if (out === 0) break;
    await sleep(20);
  }
  let unacked = 0;
  for (const [id, p] of pending) {
    if (p.kind !== 'send') continue;
    unacked++;
    p.sock.inflight--;
    pending.delete(id);
  }
  return {
    sent,
    acked,
    skipped,
    unacked,
    duplicateAcks,
    errors: sendErrors,
    ackHist: ackHist.toData(),
    acks: [...ackSeqs.entries()],
    sendStart: start,
    sendEnd,
    lastAckAt,
  };
}

function receipts(): ReceiptsRes {
  const delivered: [string, number[], number[]][] = [];
  for (const [conv, counts] of deliveredCounts) {
    const seqs: number[] = [];
    const ns: number[] = [];
    for (let s = 0; s < counts.length; s++) {
      if (counts[s]! > 0) {
        seqs.push(s);
        ns.push(counts[s]!);
      }
    }
    delivered.push([conv, seqs, ns]);
  }
  return {
    delivered,
    duplicated,
    otherEvents,
    deliverHist: deliverHist.toData(),
    deliverBySecond: [...deliverBySecond].map(([second, h]) => [second, h.toData()]),
    totalDelivered,
    firstAt: firstDeliveryAt,
    lastAt: lastDeliveryAt,
    closedUnexpectedly,
  };
}

function progress(): ProgressRes {
  return { totalDelivered, lastAt: lastDeliveryAt, open: socks.filter((s) => s.authed).length };
}

async function stormPrepare(req: StormPrepareReq): Promise<StormPrepareRes> {
  passive = true; // storm clients keep cursors from sync only; live events are not applied
  const errors: Counts = {};
  let sent = 0;
  let ackedN = 0;
  const convs = new Set<string>();
  await pool(
    socks.filter((s) => s.authed),
    64,
    async (sock) => {
      try {
        if (req.phase === 'sync') {
          const r = await request<{ conversations: ConversationListLike[] }>(sock, 'sync', { cursors: {} });
          for (const c of r.conversations) {
            sock.cursors.set(c.id, c.last_seq);
            convs.add(c.id);
          }
          return;
        }
        const conv = sock.spec.sendConvs[0];
        if (!conv) return;
        sent++;
        await request(sock, 'message.send', { conv_id: conv, client_msg_id: `${WORKER_TAG}-s${nextId++}`, body: `bench:${now().toFixed(3)}:storm` });
        ackedN++;
      } catch (e) {
        bump(errors, errCode(e));
      }
    },
  );
  return { clients: socks.length, convs: convs.size, sent, acked: ackedN, errors };
}

/** After a server restart: reconnect with jittered backoff, authenticate, resync by cursors. */
async function reconnect(sock: Sock): Promise<void> {
  const arm = stormArm;
  if (!arm) return;
  sock.resyncedAt = 0;
  sock.connectedAt = 0;
  sock.authedAt = 0;
  for (let k = 0; now() < arm.deadlineMs; k++) {
    const ceiling = Math.min(arm.retryMaxMs, arm.retryMinMs * 2 ** k);
    await sleep(arm.retryMinMs / 2 + Math.random() * (ceiling - arm.retryMinMs / 2));
    sock.attempts++;
    try {
      await openAndAuth(stormUrl, sock, arm.requestTimeoutMs, onSockClosed);
    } catch (e) {
      const code = errCode(e);
      if (code === 'ECONNREFUSED') stormStats.refused++;
      else bump(stormStats.errors, `connect:${code}`);
      continue;
    }
    // Resync on this socket; a request that times out is retried (as a client would) while the socket is up.
    while (now() < arm.deadlineMs) {
      try {
        await resync(sock, arm.requestTimeoutMs);
        sock.resyncedAt = now();
        return;
      } catch (e) {
        bump(stormStats.errors, `resync:${errCode(e)}`);
        // The socket dropped mid-resync: its close handler has already started a new attempt.
        if (!sock.authed) return;
        await sleep(arm.retryMinMs + Math.random() * arm.retryMinMs);
      }
    }
    break;
  }
  sock.failed = true;
}

/** `sync` with the client's cursors, then `sync.events` pages for every conversation that moved. */
async function resync(sock: Sock, timeoutMs: number): Promise<void> {
  stormStats.syncRequests++;
  // As the SDK does: the first page of each moved conversation comes with the answer.
  const r = await request<{ conversations: ConversationListLike[]; events?: { conv_id: string; events: { seq: number }[]; has_more: boolean }[] }>(
    sock,
    'sync',
    { cursors: Object.fromEntries(sock.cursors), events_limit: 200 },
    timeoutMs,
  );
  stormStats.convsMoved += r.conversations.length;
  const inline = new Map((r.events ?? []).map((p) => [p.conv_id, p]));
  for (const c of r.conversations) {
    let after = sock.cursors.get(c.id) ?? 0;
    const first = inline.get(c.id);
    if (first) {
      stormStats.eventsFetched += first.events.length;
      const last = first.events[first.events.length - 1];
      if (last) after = last.seq;
      if (!first.has_more) {
        sock.cursors.set(c.id, after);
        continue;
      }
    }
    for (let page = 0; page < 10_000; page++) {
      stormStats.syncRequests++;
      const p = await request<{ events: { seq: number }[]; has_more: boolean }>(sock, 'sync.events', { conv_id: c.id, after_seq: after, limit: 200 }, timeoutMs);
      stormStats.eventsFetched += p.events.length;
      const last = p.events[p.events.length - 1];
      if (last) after = last.seq;
      if (!p.has_more || !last) break;
    }
    sock.cursors.set(c.id, after);
  }
}

async function stormWait(req: StormWaitReq): Promise<StormWaitRes> {
  const deadline = now() + req.timeoutMs;
  while (now() < deadline && socks.some((s) => s.resyncedAt === 0 && !s.failed)) await sleep(25);
  const done = socks.filter((s) => s.resyncedAt > 0);
  return {
    clients: socks.length,
    resynced: done.length,
    failed: socks.length - done.length,
    connectedAt: done.map((s) => s.connectedAt),
    authedAt: done.map((s) => s.authedAt),
    resyncedAt: done.map((s) => s.resyncedAt),
    attempts: socks.reduce((a, s) => a + s.attempts, 0),
    refused: stormStats.refused,
    syncRequests: stormStats.syncRequests,
    eventsFetched: stormStats.eventsFetched,
    convsMoved: stormStats.convsMoved,
    errors: stormStats.errors,
  };
}

async function history(req: HistoryReq): Promise<HistoryRes> {
  const hist = new Histogram();
  const errors: Counts = {};
  let pages = 0;
  let messages = 0;
  let complete = 0;
  let orderErrors = 0;
  const t0 = now();
  const deadline = t0 + req.durationMs;
  const pagers = socks.filter((s) => s.authed);
  await Promise.all(
    pagers.map(async (sock, i) => {
      const range = req.ranges[i % req.ranges.length]!;
      let after = range[0];
      while (now() < deadline && after < range[1]) {
        const t = now();
        let page: { messages: { seq: number }[]; has_more: boolean };
        try {
          page = await request(sock, 'history', { conv_id: req.convId, after_seq: after, limit: req.limit });
        } catch (e) {
          bump(errors, errCode(e));
          return;
        }
        hist.record(now() - t);
        pages++;
        for (const m of page.messages) {
          if (m.seq !== after + 1) orderErrors++;
          after = m.seq;
          messages++;
        }
        if (!page.has_more || page.messages.length === 0) break;
      }
      if (after >= range[1] || now() < deadline) complete++;
    }),
  );
  return { pages, messages, complete, errors, pageHist: hist.toData(), ms: now() - t0, orderErrors };
}

async function closeAll(): Promise<{ closed: number }> {
  stormArm = null;
  for (const s of socks) {
    s.closing = true;
    s.ws?.close();
  }
  const deadline = now() + 5_000;
  while (now() < deadline && socks.some((s) => s.ws && s.ws.readyState !== WebSocket.CLOSED)) await sleep(20);
  for (const s of socks) if (s.ws && s.ws.readyState !== WebSocket.CLOSED) s.ws.terminate();
  const n = socks.length;
  socks.length = 0;
  return { closed: n };
}

async function handle(env: Envelope): Promise<unknown> {
  switch (env.op) {
    case 'connect':
      return connect(env);
    case 'load':
      return load(env);
    case 'receipts':
      return receipts();
    case 'progress':
      return progress();
    case 'storm.prepare':
      return stormPrepare(env);
    case 'storm.arm':
      stormArm = env;
      stormStats = { refused: 0, syncRequests: 0, eventsFetched: 0, convsMoved: 0, errors: {} };
      return {};
    case 'storm.wait':
      return stormWait(env);
    case 'history':
      return history(env);
    case 'close':
      return closeAll();
    case 'cpu': {
      const c = process.cpuUsage();
      const r: CpuRes = { user: c.user, system: c.system };
      return r;
    }
  }
}

process.on('message', (env: Envelope) => {
  handle(env).then(
    (result) => process.send?.({ rid: env.rid, ok: true, result } satisfies Reply),
    (e: unknown) => process.send?.({ rid: env.rid, ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) } satisfies Reply),
  );
});
// The orchestrator went away (finished, crashed or was interrupted): never outlive it.
process.on('disconnect', () => process.exit(0));
