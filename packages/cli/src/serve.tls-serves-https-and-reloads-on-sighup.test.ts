/**
 * `parley serve` with PARLEY_TLS_CERT and PARLEY_TLS_KEY, run as an operator would: HTTPS and
 * WSS on the one port with the certificate the test made, HSTS on every answer, plain HTTP
 * refused; `kill -HUP` after a renewal makes new connections get the new certificate without a
 * restart; a certificate without its key is a configuration error.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import type tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import selfsigned from 'selfsigned';
import { afterAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { freePort } from '@parley/server/testing/ports';

const cli = fileURLToPath(new URL('../bin/parley.js', import.meta.url));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-tls-'));
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const c of children) {
    if (c.exitCode !== null || c.signalCode !== null) continue;
    const gone = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    await gone;
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

async function certificate(name: string): Promise<{ cert: string; key: string; fingerprint: string }> {
  const pems = await selfsigned.generate([{ name: 'commonName', value: name }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [
      {
        name: 'subjectAltName',
        altNames: [
          { type: 7, ip: '127.0.0.1' },
          { type: 2, value: 'localhost' },
        ],
      },
    ],
  });
  return { cert: pems.cert, key: pems.private, fingerprint: new crypto.X509Certificate(pems.cert).fingerprint256 };
}

function get(port: number, ca: string, route: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; fingerprint: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get({ host: '127.0.0.1', port, path: route, ca, agent: false }, (res) => {
      const fingerprint = (res.socket as tls.TLSSocket).getPeerX509Certificate()?.fingerprint256 ?? '';
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, fingerprint }));
    });
    req.on('error', reject);
  });
}

function serve(env: Record<string, string>, port: number): ChildProcess {
  const child = spawn(process.execPath, [cli, 'serve', '--port', String(port), '--data-dir', path.join(dir, `data-${port}`)], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  return child;
}

describe('parley serve over TLS', { timeout: 90_000 }, () => {
  test('serves HTTPS and WSS with HSTS, refuses plain HTTP, and takes a renewed certificate on SIGHUP', async () => {
    const first = await certificate('parley-first');
    const certFile = path.join(dir, 'cert.pem');
    const keyFile = path.join(dir, 'key.pem');
    fs.writeFileSync(certFile, first.cert);
    fs.writeFileSync(keyFile, first.key, { mode: 0o600 });
    const port = await freePort();
    const child = serve({ PARLEY_TLS_CERT: certFile, PARLEY_TLS_KEY: keyFile }, port);
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));

    const deadline = Date.now() + 60_000;
    let health: Awaited<ReturnType<typeof get>> | null = null;
    while (!health) {
      health = await get(port, first.cert, '/healthz').catch(() => null);
      if (child.exitCode !== null) throw new Error(`parley serve exited: ${stderr}`);
      if (!health && Date.now() > deadline) throw new Error(`no HTTPS answer: ${stderr}`);
      if (!health) await new Promise((r) => setTimeout(r, 200));
    }
    expect(health.status).toBe(200);
    expect(health.fingerprint).toBe(first.fingerprint);
    expect(health.headers['strict-transport-security']).toBe('max-age=31536000');
    expect(health.headers['content-security-policy']).toContain("frame-ancestors 'none'");

    // The socket on the same port, over TLS.
    const ws = new WebSocket(`wss://127.0.0.1:${port}/ws`, { ca: first.cert });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.close();

    // Plain HTTP on the TLS port gets no answer from the app.
    const plain = await new Promise<number | string>((resolve) => {
      http.get({ host: '127.0.0.1', port, path: '/healthz', agent: false }, (res) => resolve(res.statusCode ?? 0)).on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    });
    expect(plain).not.toBe(200);

    // A renewal: new files, then SIGHUP. New connections get the new certificate; the process stays.
    const renewed = await certificate('parley-renewed');
    fs.writeFileSync(certFile, renewed.cert);
    fs.writeFileSync(keyFile, renewed.key);
    child.kill('SIGHUP');
    const until = Date.now() + 15_000;
    let seen = '';
    while (seen !== renewed.fingerprint && Date.now() < until) {
      seen = (await get(port, renewed.cert, '/healthz').catch(() => null))?.fingerprint ?? '';
      if (seen !== renewed.fingerprint) await new Promise((r) => setTimeout(r, 100));
    }
    expect(seen).toBe(renewed.fingerprint);
    expect(child.exitCode).toBeNull();
    await expect(get(port, first.cert, '/healthz')).rejects.toThrow();
  });

  test('a certificate without its key is a configuration error, and the server does not start', async () => {
    const port = await freePort();
    const child = serve({ PARLEY_TLS_CERT: path.join(dir, 'cert.pem') }, port);
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    expect(code).toBe(2);
    expect(stderr).toContain('PARLEY_TLS_CERT and PARLEY_TLS_KEY go together');
  });
});
