/**
 * deploy/nginx as shipped, run by Debian's nginx in front of a real Parley: only the addresses,
 * ports and certificate paths are swapped for the test's. Plain HTTP is redirected to HTTPS; the
 * API answers through TLS; a WebSocket upgrades through it and carries a message from one user
 * to another; a tus upload's Location names the proxy, not Parley's own port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import type http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import selfsigned from 'selfsigned';
import WebSocket from 'ws';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { User } from '@parley/protocol';
import { sleep, startServer, type TestServer } from '../testing/harness.js';
import { freePort } from '../testing/ports.js';

const NGINX = '/usr/sbin/nginx';
const DEPLOY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../deploy/nginx');
const haveNginx = fs.existsSync(NGINX);
if (!haveNginx) console.log(`skipped: no ${NGINX} (apt-get install nginx); the shipped nginx configuration is not tried`);

let server: TestServer;
let nginx: ChildProcess | null = null;
let dir = '';
let ca = '';
let httpsPort = 0;
let httpPort = 0;

/** One swap in the shipped text: it must be there exactly as many times as expected, or the test is not trying what ships. */
function swap(text: string, from: string | RegExp, to: string, times = 1): string {
  const n = typeof from === 'string' ? text.split(from).length - 1 : (text.match(new RegExp(from.source, 'g')) ?? []).length;
  expect(n, `deploy/nginx/parley.conf should contain ${String(from)} ${times}×`).toBe(times);
  return typeof from === 'string' ? text.split(from).join(to) : text.replace(new RegExp(from.source, 'g'), to);
}

async function listening(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => (s.end(), resolve(true)));
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await sleep(50);
  }
  throw new Error(`nginx did not listen on ${port}: ${fs.existsSync(path.join(dir, 'error.log')) ? fs.readFileSync(path.join(dir, 'error.log'), 'utf8') : ''}`);
}

beforeAll(async () => {
  if (!haveNginx) return;
  server = await startServer({ trustProxy: true });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-nginx-'));
  const pems = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
  });
  ca = pems.cert;
  fs.writeFileSync(path.join(dir, 'cert.pem'), pems.cert);
  fs.writeFileSync(path.join(dir, 'key.pem'), pems.private);
  fs.copyFileSync(path.join(DEPLOY, 'parley-proxy.conf'), path.join(dir, 'parley-proxy.conf'));
  [httpsPort, httpPort] = [await freePort(), await freePort()];
  const parleyPort = new URL(server.url).port;
  let site = fs.readFileSync(path.join(DEPLOY, 'parley.conf'), 'utf8');
  site = swap(site, 'server 127.0.0.1:8080 ', `server 127.0.0.1:${parleyPort} `);
  site = swap(site, 'listen 80;', `listen 127.0.0.1:${httpPort};`);
  site = swap(site, /\n\s*listen \[::\]:(80|443)[^;]*;/, '', 2);
  site = swap(site, 'listen 443 ssl http2;', `listen 127.0.0.1:${httpsPort} ssl http2;`);
  site = swap(site, '/etc/letsencrypt/live/chat.example.com/fullchain.pem', path.join(dir, 'cert.pem'));
  site = swap(site, '/etc/letsencrypt/live/chat.example.com/privkey.pem', path.join(dir, 'key.pem'));
  site = swap(site, 'include snippets/parley-proxy.conf;', `include ${path.join(dir, 'parley-proxy.conf')};`);
  fs.writeFileSync(path.join(dir, 'parley.conf'), site);
  const temp = (name: string) => `${name} ${path.join(dir, name.replace(/_path$/, ''))};`;
  fs.writeFileSync(
    path.join(dir, 'nginx.conf'),
    [
      'daemon off;',
      'worker_processes 1;',
      `pid ${path.join(dir, 'nginx.pid')};`,
      `error_log ${path.join(dir, 'error.log')} warn;`,
      'events { worker_connections 256; }',
      'http {',
      '  access_log off;',
      ...['client_body_temp_path', 'proxy_temp_path', 'fastcgi_temp_path', 'uwsgi_temp_path', 'scgi_temp_path'].map((n) => `  ${temp(n)}`),
      `  include ${path.join(dir, 'parley.conf')};`,
      '}',
      '',
    ].join('\n'),
  );
  nginx = spawn(NGINX, ['-c', path.join(dir, 'nginx.conf'), '-p', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  await listening(httpsPort);
}, 30_000);

afterAll(async () => {
  nginx?.kill('SIGQUIT');
  await server?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** A request to nginx over TLS, trusting the test's certificate. */
function viaProxy(method: string, route: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      { host: '127.0.0.1', port: httpsPort, path: route, method, ca, headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers } },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

async function register(): Promise<{ user: User; token: string }> {
  const r = await viaProxy('POST', '/api/v1/auth/register', { username: `n${randomUUID().slice(0, 8)}`, password: 'correct horse battery' });
  expect(r.status, r.body).toBe(201);
  const b = JSON.parse(r.body) as { user: User; access_token: string };
  return { user: b.user, token: b.access_token };
}

function socket(token: string): Promise<{ ws: WebSocket; frames: Record<string, unknown>[] }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`wss://127.0.0.1:${httpsPort}/ws`, { ca });
    const frames: Record<string, unknown>[] = [];
    ws.on('message', (d: Buffer) => frames.push(JSON.parse(d.toString()) as Record<string, unknown>));
    ws.on('error', reject);
    ws.on('open', () => {
      ws.send(JSON.stringify({ id: 'a', type: 'auth', data: { token } }));
      const wait = setInterval(() => {
        if (frames.some((f) => f.type === 'hello')) {
          clearInterval(wait);
          resolve({ ws, frames });
        }
      }, 20);
    });
  });
}

test.skipIf(!haveNginx)('through the shipped nginx configuration: HTTPS redirect, the API, a WebSocket carrying a message, an upload Location at the proxy', async () => {
  // Plain HTTP is sent to HTTPS.
  const plain = await fetch(`http://127.0.0.1:${httpPort}/api/v1/limits`, { redirect: 'manual' });
  expect(plain.status).toBe(301);
  expect(plain.headers.get('location')).toBe('https://127.0.0.1/api/v1/limits');

  const limits = await viaProxy('GET', '/api/v1/limits');
  expect(limits.status).toBe(200);
  const alice = await register();
  const bob = await register();
  const dm = await viaProxy('POST', '/api/v1/conversations', { kind: 'dm', user_id: bob.user.id }, { authorization: `Bearer ${alice.token}` });
  expect(dm.status).toBeLessThan(300);
  const convId = (JSON.parse(dm.body) as { id: string }).id;

  // Bob listens on a socket through nginx; Alice sends on hers; it arrives.
  const b = await socket(bob.token);
  const a = await socket(alice.token);
  a.ws.send(JSON.stringify({ id: 's1', type: 'message.send', data: { conv_id: convId, client_msg_id: randomUUID(), body: 'hello through nginx' } }));
  let got: Record<string, unknown> | undefined;
  for (let i = 0; i < 100 && !got; i++) {
    got = b.frames.find((f) => f.type === 'event' && (f.event as { type: string; message?: { body: string } }).message?.body === 'hello through nginx');
    if (!got) await sleep(50);
  }
  expect(got, 'the message reached the other socket through the proxy').toBeTruthy();
  // A socket outlives nginx's default 60 s read timeout only through the shipped 120 s: the setting is what ships.
  expect(fs.readFileSync(path.join(DEPLOY, 'parley-proxy.conf'), 'utf8')).toMatch(/location = \/ws \{[^}]*proxy_read_timeout 120s;/);
  a.ws.close();
  b.ws.close();

  // A resumable upload is created through the proxy and told to continue at the proxy's address.
  const up = await viaProxy('POST', '/api/v1/uploads', undefined, { authorization: `Bearer ${alice.token}`, 'tus-resumable': '1.0.0', 'upload-length': '5' });
  expect(up.status).toBe(201);
  expect(up.headers.location).toMatch(new RegExp(`^https://127\\.0\\.0\\.1:${httpsPort}/api/v1/uploads/[0-9A-Za-z]{26}$`));
  const patch = await viaProxy('PATCH', new URL(up.headers.location!).pathname, undefined, {
    authorization: `Bearer ${alice.token}`,
    'tus-resumable': '1.0.0',
    'upload-offset': '0',
    'content-type': 'application/offset+octet-stream',
    'content-length': '0',
  });
  expect(patch.status).toBe(204);
});
