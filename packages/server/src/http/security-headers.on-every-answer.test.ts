/**
 * The security headers on every kind of answer: the app shell, the API, an error, a webhook's
 * answer. The policy lets the web app run only its own scripts and never be framed; HSTS is sent
 * only when the request came over TLS (here: through a trusted proxy saying so).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startServer, type TestServer } from '../testing/harness.js';

let direct!: TestServer;
let proxied!: TestServer;
const webDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-web-'));
beforeAll(async () => {
  fs.writeFileSync(path.join(webDir, 'index.html'), '<!doctype html><title>Parley</title><script type="module" src="/assets/app.js"></script>');
  [direct, proxied] = await Promise.all([startServer({ webDir }), startServer({ trustProxy: true })]);
});
afterAll(async () => {
  await Promise.all([direct?.stop(), proxied?.stop()]);
  fs.rmSync(webDir, { recursive: true, force: true });
});

const directives = (csp: string | null) =>
  new Map(
    (csp ?? '')
      .split(';')
      .map((d) => d.trim().split(/\s+/) as [string, ...string[]])
      .map(([k, ...v]) => [k, v]),
  );

describe('security headers', () => {
  test('the app shell, the API, a 404 and a webhook answer all carry the policy, nosniff, no referrer and no framing', async () => {
    for (const [method, route] of [
      ['GET', '/'],
      ['GET', '/api/v1/limits'],
      ['GET', '/api/v1/nowhere'],
      ['GET', '/api/v1/conversations'],
      ['POST', '/hooks/01ARZ3NDEKTSV4RRFFQ69G5FAV/nope'],
    ] as const) {
      const res = await fetch(`${direct.url}${route}`, { method, headers: method === 'POST' ? { 'content-type': 'application/json' } : {}, body: method === 'POST' ? '{}' : undefined });
      const csp = directives(res.headers.get('content-security-policy'));
      expect(csp.get('script-src'), route).toEqual(["'self'"]);
      expect(csp.get('default-src'), route).toEqual(["'self'"]);
      expect(csp.get('frame-ancestors'), route).toEqual(["'none'"]);
      expect(csp.get('object-src'), route).toEqual(["'none'"]);
      expect(res.headers.get('x-content-type-options'), route).toBe('nosniff');
      expect(res.headers.get('referrer-policy'), route).toBe('no-referrer');
      expect(res.headers.get('x-frame-options'), route).toBe('DENY');
      // Plain HTTP: no HSTS.
      expect(res.headers.get('strict-transport-security'), route).toBeNull();
    }
    // Nothing anywhere allows inline or evaluated script.
    const shell = await fetch(`${direct.url}/`);
    expect(shell.headers.get('content-security-policy')).not.toMatch(/unsafe-inline|unsafe-eval/);
  });

  test('the API docs page sends its own policy that allows its inline scripts by hash only, and is not framed either', async () => {
    const res = await fetch(`${direct.url}/api/docs/static/index.html`);
    expect(res.status).toBe(200);
    const csp = directives(res.headers.get('content-security-policy'));
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp.get('script-src')!.every((s) => s === "'self'" || s.startsWith("'sha256-"))).toBe(true);
  });

  test('behind a trusted proxy that says the request came over HTTPS, HSTS is sent; over plain HTTP it is not', async () => {
    const viaTls = await fetch(`${proxied.url}/api/v1/limits`, { headers: { 'x-forwarded-proto': 'https' } });
    expect(viaTls.headers.get('strict-transport-security')).toBe('max-age=31536000');
    const plain = await fetch(`${proxied.url}/api/v1/limits`);
    expect(plain.headers.get('strict-transport-security')).toBeNull();
  });
});
