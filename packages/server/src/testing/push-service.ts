/**
 * A Web Push service on a local port, for the push tests: it records each request and answers
 * with the status set for its path (201 by default); `open` reads a recorded push as the
 * browser's service worker would, after checking the VAPID signature (RFC 8291, RFC 8292).
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { decrypt } from 'http_ece';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { expect } from 'vitest';
import type { PushPayload } from '@parley/protocol';
import { sleep } from './harness.js';

export interface Pushed {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export class LocalPushService {
  readonly got: Pushed[] = [];
  readonly status = new Map<string, number>();
  private server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      this.got.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(this.status.get(req.url ?? '') ?? 201).end();
    });
  });
  url = '';
  async start(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  close(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
  /** The next request to `path` after `after` requests in all, or fails after `ms`. */
  async next(path: string, after: number, ms = 8_000): Promise<Pushed> {
    const until = Date.now() + ms;
    for (;;) {
      const hit = this.got.slice(after).find((p) => p.path === path);
      if (hit) return hit;
      if (Date.now() > until) throw new Error(`nothing was pushed to ${path} within ${ms} ms`);
      await sleep(50);
    }
  }

  /** The payload as the browser's service worker reads it, after checking the VAPID signature. */
  async open(p: Pushed, keys: { ecdh: crypto.ECDH; auth: string }, vapidPublicKey: string): Promise<PushPayload> {
    expect(p.headers['content-encoding']).toBe('aes128gcm');
    expect(Number(p.headers.ttl)).toBeGreaterThan(0);
    const m = /^vapid t=([^,]+), k=(.+)$/.exec(String(p.headers.authorization));
    expect(m, String(p.headers.authorization)).not.toBeNull();
    expect(m![2]).toBe(vapidPublicKey);
    const raw = Buffer.from(vapidPublicKey, 'base64url');
    const jwk = { kty: 'EC', crv: 'P-256', x: raw.subarray(1, 33).toString('base64url'), y: raw.subarray(33, 65).toString('base64url') };
    expect(decodeProtectedHeader(m![1]!).alg).toBe('ES256');
    const { payload: claims } = await jwtVerify(m![1]!, createLocalJWKSet({ keys: [jwk] }), { audience: this.url });
    expect(String(claims.sub)).toMatch(/^(mailto:|https:)/);
    return JSON.parse(decrypt(p.body, { version: 'aes128gcm', privateKey: keys.ecdh, authSecret: keys.auth }).toString('utf8')) as PushPayload;
  }
}

/** A browser's push keys, as PushManager.subscribe() makes them. */
export function browserKeys(): { ecdh: crypto.ECDH; p256dh: string; auth: string } {
  const ecdh = crypto.createECDH('prime256v1');
  ecdh.generateKeys();
  return { ecdh, p256dh: ecdh.getPublicKey().toString('base64url'), auth: crypto.randomBytes(16).toString('base64url') };
}
