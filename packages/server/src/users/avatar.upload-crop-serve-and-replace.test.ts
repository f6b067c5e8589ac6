import { afterAll, beforeAll, expect, test } from 'vitest';
import sharp from 'sharp';
import { ownAvatarUser, type ErrorCode, type User, type UserUpdatedEvent } from '@parley/protocol';
import { SocketClient, api, createConversation, registerUser, startServer, type TestServer, type TestUser } from '../testing/harness.js';

let server: TestServer;
beforeAll(async () => {
  // A small limit, so "too large" needs no big buffer; no grace, so the collector frees bytes at once.
  server = await startServer({ blobGraceMs: 0, limits: { maxAvatarBytes: 64 * 1024 } });
  await registerUser(server, 'owner');
});
afterAll(async () => {
  await server.stop();
});

async function put(u: TestUser | null, body: Buffer | string, type: string, query = ''): Promise<{ status: number; body: unknown }> {
  const headers: Record<string, string> = { 'content-type': type };
  if (u) headers.authorization = `Bearer ${u.token}`;
  const res = await fetch(`${server.url}/api/v1/me/avatar${query}`, { method: 'PUT', headers, body });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
}

async function get(path: string, token?: string): Promise<Response> {
  return fetch(`${server.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
}

function expectError(res: { status: number; body: unknown }, status: number, code: ErrorCode): void {
  expect(res).toMatchObject({ status, body: { error: { code, message: expect.any(String) } } });
}

/** A 400×200 PNG: red on the left half, blue on the right. */
const twoHalves = () =>
  sharp({ create: { width: 400, height: 200, channels: 3, background: '#f00' } })
    .composite([{ input: { create: { width: 200, height: 200, channels: 3, background: '#00f' } }, left: 200, top: 0 }])
    .png()
    .toBuffer();

test('an uploaded picture is cropped to the square asked for, stored as a 256×256 WebP without metadata, and served to signed-in users only', async () => {
  const ada = await registerUser(server);
  const bob = await registerUser(server);
  await createConversation(server, bob.token, { kind: 'dm', user_id: ada.user.id });
  const bobSocket = await SocketClient.connect(server, bob.token);

  // The right half (blue): x=200, y=0, size=200. A JPEG with EXIF, to see it stripped.
  const jpeg = await sharp(await twoHalves())
    .jpeg()
    .withMetadata({ exif: { IFD0: { Copyright: 'secret camera' } } })
    .toBuffer();
  const res = await put(ada, jpeg, 'image/jpeg', '?x=200&y=0&size=200');
  expect(res.status).toBe(200);
  const user = res.body as User;
  expect(ownAvatarUser(user.avatar_url)).toBe(ada.user.id);
  const ev = await bobSocket.waitFor<UserUpdatedEvent>((e) => e.type === 'user.updated' && e.user.id === ada.user.id && e.user.avatar_url === user.avatar_url);
  expect(ev.user.avatar_url).toBe(user.avatar_url);

  const served = await get(user.avatar_url!, bob.token);
  expect(served.status).toBe(200);
  expect(served.headers.get('content-type')).toBe('image/webp');
  expect(served.headers.get('cache-control')).toContain('max-age=31536000');
  const bytes = Buffer.from(await served.arrayBuffer());
  const meta = await sharp(bytes).metadata();
  expect(meta).toMatchObject({ format: 'webp', width: 256, height: 256 });
  expect(meta.exif).toBeUndefined();
  const { data } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
  // A pixel left of centre is blue: the crop kept the right half (a centred square would show red there).
  const px = (128 * 256 + 32) * meta.channels!;
  expect([data[px], data[px + 2]]).toEqual([expect.toSatisfy((r: number) => r < 40), expect.toSatisfy((b: number) => b > 200)]);

  // Signed out: no avatar. An unknown user or one without an upload: 404.
  expect((await get(user.avatar_url!)).status).toBe(401);
  expect((await get(`/api/v1/users/${bob.user.id}/avatar`, ada.token)).status).toBe(404);
  await bobSocket.close();
});

test('without a crop the largest centred square is kept; replacing the picture changes the URL and removing it clears it', async () => {
  const u = await registerUser(server);
  const first = (await put(u, await twoHalves(), 'image/png')).body as User;
  const webp = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#0f0' } })
    .webp()
    .toBuffer();
  const second = await put(u, webp, 'image/webp');
  expect(second.status).toBe(200);
  const secondUser = second.body as User;
  expect(secondUser.avatar_url).not.toBe(first.avatar_url);
  expect(ownAvatarUser(secondUser.avatar_url)).toBe(u.user.id);
  // The collector (no grace here) frees the replaced picture's bytes but keeps the one in use.
  await server.parley.services.files.collector.collect();
  const meta = await sharp(Buffer.from(await (await get(secondUser.avatar_url!, u.token)).arrayBuffer())).metadata();
  expect(meta).toMatchObject({ width: 256, height: 256 });

  const removed = await api<User>(server, 'DELETE', '/me/avatar', undefined, u.token);
  expect(removed.status).toBe(200);
  expect(removed.body.avatar_url).toBeNull();
  expect((await get(secondUser.avatar_url!, u.token)).status).toBe(404);
});

test('bad bytes, a wrong type, a crop outside the picture and a picture over the limit are refused with typed errors, and change nothing', async () => {
  const u = await registerUser(server);
  const png = await sharp({ create: { width: 32, height: 32, channels: 3, background: '#888' } })
    .png()
    .toBuffer();
  const ok = (await put(u, png, 'image/png')).body as User;

  expectError(await put(u, Buffer.from('definitely not a picture'), 'image/png'), 400, 'invalid_request');
  // A PNG header followed by garbage: it sniffs as PNG but does not decode.
  expectError(await put(u, Buffer.concat([png.subarray(0, 40), Buffer.alloc(200, 7)]), 'image/png'), 400, 'invalid_request');
  expectError(await put(u, 'hello', 'text/plain'), 415, 'unsupported_media_type');
  expectError(await put(u, JSON.stringify({ avatar: 'x' }), 'application/json'), 415, 'unsupported_media_type');
  // Bytes that are an image, but not one of the four types.
  const tiff = await sharp(png).tiff().toBuffer();
  expectError(await put(u, tiff, 'image/png'), 415, 'unsupported_media_type');
  expectError(await put(u, png, 'image/png', '?x=10&y=10&size=30'), 400, 'invalid_request');
  expectError(await put(u, png, 'image/png', '?x=0&y=0'), 400, 'invalid_request');
  const noise = await sharp(Buffer.from(Array.from({ length: 300 * 300 * 3 }, () => Math.floor(Math.random() * 256))), { raw: { width: 300, height: 300, channels: 3 } })
    .png()
    .toBuffer();
  expect(noise.length).toBeGreaterThan(64 * 1024);
  expectError(await put(u, noise, 'image/png'), 413, 'payload_too_large');
  expectError(await put(null, png, 'image/png'), 401, 'unauthenticated');

  const me = await api<User>(server, 'GET', '/me', undefined, u.token);
  expect(me.body.avatar_url).toBe(ok.avatar_url);
});

test('a URL set by PATCH replaces an uploaded avatar, and PATCH cannot point avatar_url at a same-origin path', async () => {
  const u = await registerUser(server);
  await put(u, await twoHalves(), 'image/png');
  const res = await api<User>(server, 'PATCH', '/me', { avatar_url: 'https://example.com/me.png' }, u.token);
  expect(res.body.avatar_url).toBe('https://example.com/me.png');
  expect((await get(`/api/v1/users/${u.user.id}/avatar`, u.token)).status).toBe(404);
  const other = await registerUser(server);
  expect((await api(server, 'PATCH', '/me', { avatar_url: `/api/v1/users/${u.user.id}/avatar?v=0123456789abcdef` }, other.token)).status).toBe(400);
});
