import crypto from 'node:crypto';

export interface SignedRequest {
  /** The raw body exactly as received (before any JSON or form parsing). */
  body: string | Uint8Array;
  /** The request's headers (Node's lower-cased names, as `http.IncomingMessage.headers` has them). */
  headers: Record<string, string | string[] | undefined>;
}

export interface VerifyOptions {
  /** How old a request may be, in seconds; older is refused as a possible replay. Default 300. */
  toleranceSec?: number;
  /** The current time in ms (tests). */
  now?: number;
}

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/**
 * Whether a request really comes from a Parley outgoing webhook holding `secret`: the
 * `X-Parley-Signature` header is `v0=` + hex HMAC-SHA256 of `v0:<X-Parley-Timestamp>:<body>`
 * (Slack's signing scheme, also sent under Slack's header names), and the timestamp is within
 * the tolerance. Compared in constant time.
 */
export function verifyWebhookSignature(secret: string, req: SignedRequest, opts: VerifyOptions = {}): boolean {
  const ts = one(req.headers['x-parley-timestamp']) ?? one(req.headers['x-slack-request-timestamp']);
  const sig = one(req.headers['x-parley-signature']) ?? one(req.headers['x-slack-signature']);
  if (!ts || !sig || !/^\d{1,12}$/.test(ts)) return false;
  const now = (opts.now ?? Date.now()) / 1000;
  if (Math.abs(now - Number(ts)) > (opts.toleranceSec ?? 300)) return false;
  const body = typeof req.body === 'string' ? Buffer.from(req.body) : Buffer.from(req.body);
  const expected = Buffer.from(
    `v0=${crypto
      .createHmac('sha256', secret)
      .update(Buffer.concat([Buffer.from(`v0:${ts}:`), body]))
      .digest('hex')}`,
  );
  const given = Buffer.from(sig);
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}
