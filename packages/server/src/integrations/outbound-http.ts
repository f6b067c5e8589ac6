import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * One POST to a receiver somebody else configured (an outgoing webhook, a push service a browser named). Written on `node:http`
 * rather than `fetch` because the address check has to sit inside the connection: a `lookup`
 * hook sees the very address the socket connects to, so a name that resolves to a public
 * address when the hook is saved and to 127.0.0.1 when it fires (DNS rebinding) is still refused.
 * Node's built-in fetch takes no such hook without the separate `undici` package's Agent.
 */

export interface OutboundResult {
  /** The receiver's status; null when it never answered (refused, timed out, refused address). */
  status: number | null;
  /** The start of the answer's body (at most `maxResponseBytes`), when it answered. */
  body: string;
  contentType: string;
  /** Why no answer came, for people reading the delivery list. */
  error: string | null;
  /** The address was refused (not public): retrying cannot help. */
  refused: boolean;
  /** The receiver's `Retry-After`, in ms, when it sent one in seconds. */
  retryAfterMs: number | null;
  latencyMs: number;
}

export interface OutboundOptions {
  timeoutMs: number;
  allowPrivate: boolean;
  maxResponseBytes: number;
  /** Aborts the attempt (a shutdown); it then counts as failed, to be retried. */
  signal?: AbortSignal;
}

/** An address anyone on the internet could have: not loopback, private, link-local, multicast or reserved (IPv4-mapped IPv6 counts as its IPv4). */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  return ipaddr.process(address).range() === 'unicast';
}

/** The host of an `http(s)` URL is an IP literal that is not public (checked when a hook is saved, so the mistake shows at once). */
export function privateLiteralHost(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
  } catch {
    return false;
  }
  return ipaddr.isValid(host) && !isPublicAddress(host);
}

class RefusedAddress extends Error {}

const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, options, (err, address, family) => {
    if (err) return callback(err, address, family);
    const all = typeof address === 'string' ? [address] : address.map((a) => a.address);
    const bad = all.find((a) => !isPublicAddress(a));
    if (bad !== undefined) return callback(new RefusedAddress(`${hostname} resolves to ${bad}, a non-public address (PARLEY_OUTGOING_ALLOW_PRIVATE=1 allows it)`), address, family);
    callback(null, address, family);
  });
};

export function postOnce(url: string, headers: Record<string, string>, body: string | Buffer, opts: OutboundOptions): Promise<OutboundResult> {
  const started = performance.now();
  const done = (r: Omit<OutboundResult, 'latencyMs'>): OutboundResult => ({ ...r, latencyMs: Math.round(performance.now() - started) });
  const failed = (error: string, refused = false) => done({ status: null, body: '', contentType: '', error, refused, retryAfterMs: null });
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return Promise.resolve(failed('the URL is not valid'));
  }
  if (!opts.allowPrivate && privateLiteralHost(url)) return Promise.resolve(failed(`${target.hostname} is a non-public address (PARLEY_OUTGOING_ALLOW_PRIVATE=1 allows it)`, true));
  const client = target.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (r: OutboundResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      resolve(r);
    };
    const req = client.request(
      target,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        ...(opts.allowPrivate ? {} : { lookup: publicOnlyLookup }),
        // No keep-alive pool shared between receivers: each attempt stands alone.
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size >= opts.maxResponseBytes) return;
          chunks.push(c);
          size += c.length;
          // A receiver that streams forever is not waited for: what was read is enough.
          if (size >= opts.maxResponseBytes) res.destroy();
        });
        const end = () => {
          const retryAfter = Number(res.headers['retry-after']);
          finish(
            done({
              status: res.statusCode ?? null,
              body: Buffer.concat(chunks).subarray(0, opts.maxResponseBytes).toString('utf8'),
              contentType: String(res.headers['content-type'] ?? ''),
              error: null,
              refused: false,
              retryAfterMs: Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter * 1000 : null,
            }),
          );
        };
        res.on('end', end);
        res.on('close', end);
        res.on('error', end);
      },
    );
    const deadline = setTimeout(() => {
      req.destroy();
      finish(failed(`no answer within ${opts.timeoutMs} ms`));
    }, opts.timeoutMs);
    const abort = () => {
      req.destroy();
      finish(failed('the server shut down during the attempt'));
    };
    if (opts.signal?.aborted) abort();
    opts.signal?.addEventListener('abort', abort, { once: true });
    req.on('close', () => opts.signal?.removeEventListener('abort', abort));
    req.on('error', (err: NodeJS.ErrnoException) => finish(err instanceof RefusedAddress ? failed(err.message, true) : failed(`${err.code ?? 'error'}: ${err.message}`.slice(0, 300))));
    req.end(body);
  });
}
