import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import sharp from 'sharp';
import type { Message } from '@parley/protocol';
import { api, createConversation, registerUser, startServer, type TestServer, type TestUser } from '../testing/harness.js';
import { uploadFile } from '../testing/files.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.stop();
});

const get = (path: string, user: TestUser, headers: Record<string, string> = {}) => fetch(`${server.url}/api/v1${path}`, { headers: { authorization: `Bearer ${user.token}`, ...headers } });

async function sendWith(convId: string, user: TestUser, uploadId: string): Promise<Message> {
  const res = await api<Message>(server, 'POST', `/conversations/${convId}/messages`, { client_msg_id: randomUUID(), body: 'a file', attachments: [uploadId] }, user.token);
  expect(res.status).toBe(201);
  return res.body;
}

test('a file is readable by members in range, and 404 to a stranger, a since_join member for an older file, and anyone once recalled', async () => {
  const alice = await registerUser(server);
  const bob = await registerUser(server);
  const late = await registerUser(server);
  const stranger = await registerUser(server);
  const ch = await createConversation(server, alice.token, {
    kind: 'channel',
    name: `f-${randomUUID().slice(0, 8)}`,
    visibility: 'private',
    history_visibility: 'since_join',
    member_ids: [bob.user.id],
  });
  const file = await uploadFile(server, alice, Buffer.from('quarterly numbers\n'), 'q.txt');

  // Before it is attached: the uploader's alone.
  expect((await get(`/files/${file}`, alice)).status).toBe(200);
  expect((await get(`/files/${file}`, bob)).status).toBe(404);

  const msg = await sendWith(ch.id, alice, file);
  const ok = await get(`/files/${file}`, bob);
  expect(ok.status).toBe(200);
  expect(await ok.text()).toBe('quarterly numbers\n');

  expect((await api(server, 'POST', `/conversations/${ch.id}/members`, { user_id: late.user.id }, alice.token)).status).toBeLessThan(300);
  const refusals = [await get(`/files/${file}`, stranger), await get(`/files/${file}`, late), await get(`/files/${randomUUID()}`, alice), await get(`/files/${'0'.repeat(26)}`, alice)];
  for (const r of refusals) expect(r.status === 404 || r.status === 400).toBe(true);
  const [s, l] = refusals;
  expect(s!.status).toBe(404);
  expect(l!.status).toBe(404);
  // Word for word the answer for an id that does not exist.
  expect(await s!.text()).toBe(await (await get(`/files/${'0'.repeat(26)}`, alice)).text());

  expect((await api(server, 'DELETE', `/messages/${msg.id}`, undefined, alice.token)).status).toBe(200);
  expect((await get(`/files/${file}`, bob)).status).toBe(404);
  expect((await get(`/files/${file}`, alice)).status).toBe(404);
});

test('a member who left still reads the files sent before they left, not the ones after', async () => {
  const alice = await registerUser(server);
  const bob = await registerUser(server);
  const group = await createConversation(server, alice.token, { kind: 'group', member_ids: [bob.user.id] });
  const before = await uploadFile(server, alice, Buffer.from('before'), 'before.txt');
  await sendWith(group.id, alice, before);
  expect((await api(server, 'POST', `/conversations/${group.id}/leave`, undefined, bob.token)).status).toBeLessThan(300);
  const after = await uploadFile(server, alice, Buffer.from('after'), 'after.txt');
  await sendWith(group.id, alice, after);
  expect((await get(`/files/${before}`, bob)).status).toBe(200);
  expect((await get(`/files/${after}`, bob)).status).toBe(404);
});

test('SVG and HTML come back as downloads, never pages: attachment, nosniff and a sandboxing CSP', async () => {
  const alice = await registerUser(server);
  const svg = await uploadFile(server, alice, Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'), 'cat.png');
  const html = await uploadFile(server, alice, Buffer.from('<!doctype html><script>fetch("/api/v1/me")</script>'), 'notes.txt');
  const text = await uploadFile(server, alice, Buffer.from('just words'), 'words.txt');
  for (const [id, mime] of [
    [svg, 'image/svg+xml'],
    [html, 'text/html'],
  ] as const) {
    const res = await get(`/files/${id}`, alice);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(mime);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment;/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toBe("sandbox; default-src 'none'");
  }
  const plain = await get(`/files/${text}`, alice);
  expect(plain.headers.get('content-disposition')).toMatch(/^inline;/);
  expect(plain.headers.get('x-content-type-options')).toBe('nosniff');
  expect(plain.headers.get('content-security-policy')).toBe("sandbox; default-src 'none'");
});

test('GPS EXIF is gone from the served image and its thumbnail, and the orientation was applied', async () => {
  const alice = await registerUser(server);
  const jpeg = await sharp({ create: { width: 64, height: 32, channels: 3, background: { r: 200, g: 10, b: 10 } } })
    .jpeg()
    .withMetadata({ orientation: 6 })
    .withExif({ IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 2400/100', GPSLongitudeRef: 'E', GPSLongitude: '2/1 21/1 700/100' } })
    .toBuffer();
  const original = await sharp(jpeg).metadata();
  expect(original.exif).toBeDefined();
  expect(original.orientation).toBe(6);
  const id = await uploadFile(server, alice, jpeg, 'holiday.jpg');
  const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: (await registerUser(server)).user.id });
  const msg = await sendWith(dm.id, alice, id);
  // Orientation 6 is a quarter turn: the stored image stands upright.
  expect(msg.attachments[0]).toMatchObject({ mime: 'image/jpeg', width: 32, height: 64, has_thumbnail: true });

  const served = Buffer.from(await (await get(`/files/${id}`, alice)).arrayBuffer());
  const meta = await sharp(served).metadata();
  expect(meta.exif).toBeUndefined();
  // No EXIF segment at all (its header is "Exif\0\0"), so no GPS tags either.
  expect(served.includes(Buffer.from('Exif\0\0', 'latin1'))).toBe(false);
  expect(jpeg.includes(Buffer.from('Exif\0\0', 'latin1'))).toBe(true);
  const thumb = await get(`/files/${id}/thumbnail`, alice);
  expect(thumb.status).toBe(200);
  expect(thumb.headers.get('content-type')).toBe('image/webp');
  const tmeta = await sharp(Buffer.from(await thumb.arrayBuffer())).metadata();
  expect(tmeta.exif).toBeUndefined();
  expect(tmeta.format).toBe('webp');
});

test('ranges answer 206 with the right bytes, a matching ETag 304, and a range past the end 416', async () => {
  const alice = await registerUser(server);
  const bytes = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
  const id = await uploadFile(server, alice, bytes, 'bytes.bin');
  const whole = await get(`/files/${id}`, alice);
  expect(whole.status).toBe(200);
  const etag = whole.headers.get('etag')!;
  expect(etag).toMatch(/^"[0-9a-f]{64}"$/);
  expect(whole.headers.get('accept-ranges')).toBe('bytes');

  const part = await get(`/files/${id}`, alice, { range: 'bytes=100-199' });
  expect(part.status).toBe(206);
  expect(part.headers.get('content-range')).toBe('bytes 100-199/1000');
  expect(Buffer.from(await part.arrayBuffer()).equals(bytes.subarray(100, 200))).toBe(true);

  const tail = await get(`/files/${id}`, alice, { range: 'bytes=-10' });
  expect(Buffer.from(await tail.arrayBuffer()).equals(bytes.subarray(990))).toBe(true);

  expect((await get(`/files/${id}`, alice, { 'if-none-match': etag })).status).toBe(304);
  const stale = await get(`/files/${id}`, alice, { range: 'bytes=0-9', 'if-range': '"something-else"' });
  expect(stale.status).toBe(200);
  const past = await get(`/files/${id}`, alice, { range: 'bytes=5000-' });
  expect(past.status).toBe(416);
  expect(past.headers.get('content-range')).toBe('bytes */1000');
});
