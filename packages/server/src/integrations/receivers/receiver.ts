import crypto from 'node:crypto';
import { hashSecret, safeEqual } from '../../auth/tokens.js';
import type { ThreadPlan } from './threads.js';

/**
 * What every developer-tool receiver is: a check that the request came from the service (its
 * signature, token or basic auth), then a pure reading of the notification into what to post.
 * The incoming-webhook service does the posting, the same way for all of them.
 */

/** One HTTP request to a hook's URL, as a receiver sees it. */
export interface Delivery {
  /** The parsed JSON body. */
  body: unknown;
  /** The bytes as sent (signatures are over them, not over their parse). */
  rawBody: Buffer;
  /** A request header by lower-case name. */
  header(name: string): string | undefined;
  /** The server's clock, ISO 8601. */
  at: string;
}

/** The secrets a request is checked against. */
export interface HookKeys {
  /** What the service signs with or sends: for GitHub and GitLab the hook's key shown at creation; for Sentry the integration's client secret. */
  signingKey: string | null;
  /** `user:hashSecret(password)` when the hook also wants HTTP basic auth (Alertmanager, Grafana). */
  basicAuth: string | null;
}

/**
 * What one notification does. A thread's state is the receiver's own (kept as JSON between
 * notifications); `dedupe` makes a redelivered message the same message.
 */
export type Outcome =
  | { kind: 'ignore'; why: string }
  | { kind: 'message'; body: string; dedupe: string | null; tags: string[] }
  | { kind: 'thread'; key: string; plan: (prior: unknown) => ThreadPlan<unknown>; tags: string[] };

export interface Receiver {
  /** Null when the request is the service's; otherwise why not (answered 401, nothing posted). */
  verify(keys: HookKeys, d: Delivery): string | null;
  read(d: Delivery): Outcome;
  /** The service gives the signing key (Sentry), rather than Parley making one. */
  keyFromService?: boolean;
}

/** Equal in constant time; a missing value is never equal. */
export const sameSecret = (given: string | undefined, expected: string): boolean => given !== undefined && safeEqual(given, expected);

export const hmacHex = (key: string, body: Buffer | string) => crypto.createHmac('sha256', key).update(body).digest('hex');

/** `Authorization: Basic …` checked against the stored `user:hash` (null: basic auth not asked for). */
export function basicAuthValid(stored: string | null, header: string | undefined): boolean {
  if (stored === null) return true;
  const m = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header ?? '');
  if (!m) return false;
  const plain = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = plain.indexOf(':');
  if (colon < 0) return false;
  return safeEqual(`${plain.slice(0, colon)}:${hashSecret(plain.slice(colon + 1))}`, stored);
}

/** What a receiver plans for a thing of type S, stored as JSON: typed inside the receiver, opaque outside. */
export function typedPlan<S>(plan: (prior: S | null) => ThreadPlan<S>): (prior: unknown) => ThreadPlan<unknown> {
  return (prior) => plan((prior ?? null) as S | null);
}

type Obj = Record<string, unknown>;
/** Reading other services' JSON without trusting its shape: a wrong type reads as empty. */
export const obj = (v: unknown): Obj => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
export const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
export const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : 0);
export const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.map(obj) : []);
export const firstLine = (s: string) => s.split('\n', 1)[0]!.slice(0, 120);
export const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
