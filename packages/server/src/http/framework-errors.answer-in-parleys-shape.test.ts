import net from 'node:net';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { ErrorBody, ErrorCode } from '@parley/protocol';
import { registerUser, startServer, type TestServer, type TestUser } from '../testing/harness.js';
import { toHttpError } from './errors.js';

let server: TestServer;
let alice: TestUser;

beforeAll(async () => {
  server = await startServer();
  alice = await registerUser(server);
});
afterAll(async () => {
  await server.stop();
});

async function request(path: string, init: RequestInit = {}): Promise<{ status: number; headers: Headers; body: unknown }> {
  const res = await fetch(`${server.url}${path}`, init);
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: JSON.parse(text) as unknown };
}

/** Exactly `{ error: { code, message } }` with this status and code. */
function expectParleyError(res: { status: number; body: unknown }, status: number, code: ErrorCode): void {
  expect({ status: res.status, body: res.body }).toEqual({ status, body: { error: { code, message: expect.any(String) as string } } });
  expect((res.body as { error: ErrorBody }).error.message.length).toBeGreaterThan(0);
}

/** Bytes straight on a socket, for requests `fetch` refuses to send; resolves with the raw answer. */
function rawHttp(text: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(new URL(server.url).port), '127.0.0.1', () => socket.write(text));
    let out = '';
    socket.on('data', (d: Buffer) => (out += d.toString()));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head, body] = out.split('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d+)/.exec(head ?? '')?.[1]), body: JSON.parse(body ?? 'null') as unknown });
    });
  });
}

test('a bad percent-escape in the path is a 400 invalid_request, with or without a token', async () => {
  expectParleyError(await request('/api/v1/conversations/%zz'), 400, 'invalid_request');
  expectParleyError(await request('/api/v1/users/%E0%A4%A', { headers: { authorization: `Bearer ${alice.token}` } }), 400, 'invalid_request');
});

test('an unknown route is a 404 not_found, and a known path with a method it does not answer a 405 with Allow', async () => {
  expectParleyError(await request('/api/v1/no-such-thing'), 404, 'not_found');
  const put = await request('/api/v1/me', { method: 'PUT', headers: { authorization: `Bearer ${alice.token}` } });
  expectParleyError(put, 405, 'method_not_allowed');
  expect(put.headers.get('allow')?.split(', ').sort()).toEqual(['GET', 'HEAD', 'PATCH']);
  expectParleyError(await request(`/api/v1/conversations/${'0'.repeat(26)}/messages`, { method: 'PUT' }), 405, 'method_not_allowed');
});

test('a body that is not JSON is 400 invalid_json, and one that is not declared JSON is 415 unsupported_media_type', async () => {
  const post = (body: string, contentType?: string) => request('/api/v1/auth/login', { method: 'POST', headers: contentType ? { 'content-type': contentType } : {}, body });
  expectParleyError(await post('{"username": ', 'application/json'), 400, 'invalid_json');
  expectParleyError(await post('username=a', 'application/x-www-form-urlencoded'), 415, 'unsupported_media_type');
  expectParleyError(await post('hello', 'text/plain'), 415, 'unsupported_media_type');
});

test('a request line or headers over the size limit are a 431 headers_too_large', async () => {
  expectParleyError(await request(`/api/v1/users?query=${'a'.repeat(100_000)}`), 431, 'headers_too_large');
});

test('a request Node cannot parse as HTTP is a 400 invalid_request and the connection closes', async () => {
  expectParleyError(await rawHttp('POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}'), 400, 'invalid_request');
  expectParleyError(await rawHttp('NOT HTTP AT ALL\r\n\r\n'), 400, 'invalid_request');
});

test('another client error Fastify raises keeps its status, with the catalogue code made for that status where there is one', () => {
  const fastifyError = (statusCode: number) => Object.assign(new Error('from Fastify'), { statusCode, code: 'FST_ERR_SOMETHING' });
  expect(toHttpError(fastifyError(413))).toEqual({ status: 413, body: { error: { code: 'payload_too_large', message: 'from Fastify' } } });
  expect(toHttpError(fastifyError(404))).toEqual({ status: 404, body: { error: { code: 'not_found', message: 'from Fastify' } } });
  // 409 has several catalogue codes (username_taken, conflict…), none of them Fastify's to claim.
  expect(toHttpError(fastifyError(409))).toEqual({ status: 409, body: { error: { code: 'invalid_request', message: 'from Fastify' } } });
});
