import { expect, test } from 'vitest';
import type { ReconnectFrame } from '@parley/protocol';
import { SocketClient, registerUser, startServer } from '../testing/harness.js';

test('/healthz and /readyz answer, and the OpenAPI document at /api/docs/json lists the REST contract', async () => {
  const server = await startServer();
  try {
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { database: 'ok', bus: 'ok' } });
    const doc = (await (await fetch(`${server.url}/api/docs/json`)).json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toMatch(/^3\./);
    for (const [path, method] of [
      ['/api/v1/auth/register', 'post'],
      ['/api/v1/auth/login', 'post'],
      ['/api/v1/auth/refresh', 'post'],
      ['/api/v1/me', 'get'],
      ['/api/v1/conversations', 'post'],
      ['/api/v1/conversations/{id}/members', 'post'],
      ['/api/v1/conversations/{id}/messages', 'get'],
      ['/api/v1/conversations/{id}/messages', 'post'],
      ['/api/v1/messages/{id}', 'patch'],
      ['/api/v1/messages/{id}', 'delete'],
      ['/api/v1/conversations/{id}/read', 'post'],
    ] as const) {
      expect(doc.paths[path]?.[method], `${method.toUpperCase()} ${path}`).toBeTruthy();
    }
  } finally {
    await server.stop();
  }
});

test('graceful shutdown tells every socket to reconnect elsewhere, closes it with 1001, and refuses new sockets', async () => {
  const server = await startServer();
  const alice = await registerUser(server);
  const sock = await SocketClient.connect(server, alice.token);
  const stopping = server.stop();
  const closed = await sock.closed;
  await stopping;
  const reconnect = sock.frames.find((f): f is ReconnectFrame => f.type === 'reconnect');
  expect(reconnect?.retry_after_ms).toBeGreaterThan(0);
  expect(closed.code).toBe(1001);
  await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
});
