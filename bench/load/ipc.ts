/** Messages between the orchestrator (bench/run.ts) and its load workers (bench/load/worker.ts). */
import type { HistData } from './hist.js';

/** One simulated device: a user, its token, and the conversations it sends into. */
export interface ClientSpec {
  idx: number;
  userId: string;
  token: string;
  sendConvs: string[];
}

export type Counts = Record<string, number>;

export interface ConnectReq {
  op: 'connect';
  wsUrl: string;
  clients: ClientSpec[];
  concurrency: number;
  timeoutMs: number;
}
export interface ConnectRes {
  ok: number;
  failed: number;
  /** ClientSpec.idx of the clients that could not connect and authenticate. */
  failedIdx: number[];
  errors: Counts;
  ms: number;
  /** open → hello, per socket. */
  connectHist: HistData;
}

export interface LoadReq {
  op: 'load';
  /** Messages per second this worker sends (its share of the aggregate). */
  rate: number;
  durationMs: number;
  /** Epoch ms (performance.timeOrigin + performance.now()) at which every worker starts sending. */
  startAt: number;
  maxInflightPerSocket: number;
  ackTimeoutMs: number;
  bodyPad: number;
}
export interface LoadRes {
  sent: number;
  acked: number;
  /** Due sends not made because every chosen sender already had its cap of unacked sends. */
  skipped: number;
  unacked: number;
  duplicateAcks: number;
  errors: Counts;
  ackHist: HistData;
  /** Per conversation, the seqs of the messages acked (the orchestrator checks deliveries against them). */
  acks: [string, number[]][];
  sendStart: number;
  sendEnd: number;
  lastAckAt: number;
}

export interface ReceiptsRes {
  /** Per conversation: seqs received by at least one socket here, with how many distinct sockets got each. */
  delivered: [string, number[], number[]][];
  duplicated: number;
  otherEvents: number;
  deliverHist: HistData;
  /** The same by the second of the run in which each message was sent (0 = the first). */
  deliverBySecond: [number, HistData][];
  totalDelivered: number;
  firstAt: number;
  lastAt: number;
  closedUnexpectedly: number;
}

export interface ProgressRes {
  totalDelivered: number;
  lastAt: number;
  open: number;
}

export interface StormPrepareReq {
  op: 'storm.prepare';
  /** `sync`: learn every conversation's seq (the cursors the client keeps); `send`: one message per client, so conversations move past those cursors. */
  phase: 'sync' | 'send';
}
export interface StormPrepareRes {
  clients: number;
  convs: number;
  sent: number;
  acked: number;
  errors: Counts;
}

export interface StormArmReq {
  op: 'storm.arm';
  retryMinMs: number;
  retryMaxMs: number;
  deadlineMs: number;
  concurrency: number;
  /** Handshake, auth and each resync request wait this long before the client gives up and retries. */
  requestTimeoutMs: number;
}

export interface StormWaitReq {
  op: 'storm.wait';
  timeoutMs: number;
}
export interface StormWaitRes {
  clients: number;
  resynced: number;
  failed: number;
  /** Epoch ms, per client that made it: socket open, hello received, resync complete. */
  connectedAt: number[];
  authedAt: number[];
  resyncedAt: number[];
  attempts: number;
  refused: number;
  syncRequests: number;
  eventsFetched: number;
  convsMoved: number;
  errors: Counts;
}

export interface HistoryReq {
  op: 'history';
  convId: string;
  durationMs: number;
  limit: number;
  /** Where each pager starts (after_seq); pagers split the log between them. */
  ranges: [number, number][];
}
export interface HistoryRes {
  pages: number;
  messages: number;
  complete: number;
  errors: Counts;
  pageHist: HistData;
  ms: number;
  orderErrors: number;
}

export type WorkerReq = ConnectReq | LoadReq | { op: 'receipts' } | { op: 'progress' } | StormPrepareReq | StormArmReq | StormWaitReq | HistoryReq | { op: 'close' } | { op: 'cpu' };

export interface CpuRes {
  user: number;
  system: number;
}

export type Envelope = { rid: number } & WorkerReq;
export type Reply = { rid: number; ok: true; result: unknown } | { rid: number; ok: false; error: string };
