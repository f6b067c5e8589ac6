/**
 * An online backup taken while messages keep arriving, restored into an empty directory, served
 * again: every message acked before the backup started is there, in order, with its files byte
 * for byte, and the sessions still sign in. A restore refuses a directory in use, a damaged file
 * and a backup from a newer Parley, and leaves nothing behind.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import tar from 'tar-stream';
import { afterAll, describe, expect, test } from 'vitest';
import type { HistoryPage, Message } from '@parley/protocol';
import { api, createConversation, onPostgres, registerUser, SocketClient, startServer, type TestServer } from '../testing/harness.js';
import { uploadFile } from '../testing/files.js';
import { migrationNames } from './db.js';
import { restoreBackup, RestoreError } from './backup.js';

const servers: TestServer[] = [];
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});
const tmp = (name: string) => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), `parley-${name}-`));
  dirs.push(d);
  return d;
};

async function download(server: TestServer, token: string, file: string): Promise<number> {
  const res = await fetch(`${server.url}/api/v1/admin/backup`, { headers: { authorization: `Bearer ${token}` } });
  if (res.status !== 200) return res.status;
  await pipeline(Readable.fromWeb(res.body as WebReadableStream), fs.createWriteStream(file));
  return 200;
}

describe.skipIf(onPostgres())('backup and restore (embedded database)', () => {
  test('a backup under write load restores every message acked before it began, with files and sessions', async () => {
    const source = await startServer();
    servers.push(source);
    const owner = await registerUser(source);
    const alice = await registerUser(source);
    const bob = await registerUser(source);
    const dm = await createConversation(source, alice.token, { kind: 'dm', user_id: bob.user.id });
    const bytes = Buffer.from(`quarterly numbers ${randomUUID()}\n`);
    const file = await uploadFile(source, alice, bytes, 'q.txt');
    const withFile = await api<Message>(source, 'POST', `/conversations/${dm.id}/messages`, { client_msg_id: randomUUID(), body: 'the numbers', attachments: [file] }, alice.token);
    expect(withFile.status).toBe(201);

    // Load: three senders, each sending as soon as its last send was acked.
    const acked: { id: string; at: number }[] = [];
    let stop = false;
    const senders = await Promise.all([alice, bob, alice].map((u) => SocketClient.connect(source, u.token)));
    const loops = senders.map(async (s, k) => {
      for (let i = 0; !stop; i++) {
        const ack = await s.request('message.send', { conv_id: dm.id, client_msg_id: randomUUID(), body: `load ${k}-${i}` });
        acked.push({ id: ack.id, at: Date.now() });
      }
    });
    while (acked.length < 50) await new Promise((r) => setTimeout(r, 10));

    const backupFile = path.join(tmp('backup'), 'parley.tar.gz');
    expect(await download(source, alice.token, backupFile)).toBe(403); // owners only
    const began = Date.now();
    const ackedBefore = acked.filter((a) => a.at < began).map((a) => a.id);
    expect(await download(source, owner.token, backupFile)).toBe(200);
    const during = acked.filter((a) => a.at >= began).length;
    stop = true;
    await Promise.all(loops);
    await Promise.all(senders.map((s) => s.close()));
    await source.stop();
    servers.splice(servers.indexOf(source), 1);
    // Sends went on while the backup was taken.
    expect(during).toBeGreaterThan(0);

    const restored = tmp('restored');
    fs.rmSync(restored, { recursive: true });
    const manifest = await restoreBackup(backupFile, restored, await migrationNames());
    expect(manifest.format).toBe('parley-backup');
    expect(manifest.files).toBe(1);
    expect(manifest.messages).toBeGreaterThanOrEqual(ackedBefore.length + 1);

    const again = await startServer({}, restored);
    servers.push(again);
    // The old access token works: the sessions and the JWT secret came back.
    const ids = new Set<string>();
    let after = 0;
    let lastSeq = 0;
    for (;;) {
      const page = await api<HistoryPage>(again, 'GET', `/conversations/${dm.id}/messages?after_seq=${after}&limit=200`, undefined, bob.token);
      expect(page.status).toBe(200);
      for (const m of page.body.messages) {
        ids.add(m.id);
        lastSeq = Math.max(lastSeq, m.seq);
      }
      if (!page.body.has_more) break;
      after = page.body.messages[page.body.messages.length - 1]!.seq;
    }
    expect(ackedBefore.filter((id) => !ids.has(id))).toEqual([]);
    expect(ids.has(withFile.body.id)).toBe(true);
    const got = await fetch(`${again.url}/api/v1/files/${file}`, { headers: { authorization: `Bearer ${bob.token}` } });
    expect(got.status).toBe(200);
    expect(Buffer.from(await got.arrayBuffer()).equals(bytes)).toBe(true);
    // And it takes new messages, after the ones it has.
    const next = await api<Message>(again, 'POST', `/conversations/${dm.id}/messages`, { client_msg_id: randomUUID(), body: 'after the restore' }, alice.token);
    expect(next.status).toBe(201);
    expect(next.body.seq).toBeGreaterThan(lastSeq);
    expect(ids.size).toBe(manifest.messages);
  }, 60_000);

  test('a restore refuses a directory in use, damaged bytes, foreign entries and a newer schema, leaving nothing behind', async () => {
    const source = await startServer();
    servers.push(source);
    const owner = await registerUser(source);
    const up = await uploadFile(source, owner, Buffer.from('hello\n'), 'h.txt');
    const ch = await createConversation(source, owner.token, { kind: 'channel', name: `b-${randomUUID().slice(0, 6)}`, visibility: 'private' });
    await api(source, 'POST', `/conversations/${ch.id}/messages`, { client_msg_id: randomUUID(), body: 'x', attachments: [up] }, owner.token);
    const good = path.join(tmp('b'), 'good.tar.gz');
    expect(await download(source, owner.token, good)).toBe(200);
    const names = await migrationNames();

    const used = tmp('used');
    fs.writeFileSync(path.join(used, 'parley.db'), 'something');
    await expect(restoreBackup(good, used, names)).rejects.toThrow(/is not empty/);
    expect(fs.readFileSync(path.join(used, 'parley.db'), 'utf8')).toBe('something');

    // Rewrite the backup with one entry changed.
    const rewrite = async (target: string, change: (name: string, data: Buffer) => { name: string; data: Buffer }) => {
      const extract = tar.extract();
      const pack = tar.pack();
      extract.on('entry', (h, stream, next) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: unknown) => chunks.push(c as Buffer));
        stream.on('end', () => {
          const e = change(h.name, Buffer.concat(chunks));
          pack.entry({ name: e.name, size: e.data.length }, e.data);
          next();
        });
      });
      const out = pipeline(pack, zlib.createGzip(), fs.createWriteStream(target));
      await pipeline(fs.createReadStream(good), zlib.createGunzip(), extract);
      pack.finalize();
      await out;
    };
    const cases: [string, (n: string, d: Buffer) => { name: string; data: Buffer }, RegExp][] = [
      ['damaged', (n, d) => (n.startsWith('files/') ? { name: n, data: Buffer.from('tampered\n') } : { name: n, data: d }), /damaged/],
      ['foreign', (n, d) => (n === 'jwt.secret' ? { name: '../../etc/evil', data: d } : { name: n, data: d }), /which no Parley backup does/],
      [
        'newer',
        (n, d) => (n === 'manifest.json' ? { name: n, data: Buffer.from(JSON.stringify({ ...JSON.parse(d.toString()), migrations: [...names, '999_future'] })) } : { name: n, data: d }),
        /newer Parley/,
      ],
    ];
    for (const [label, change, error] of cases) {
      const bad = path.join(tmp('b'), `${label}.tar.gz`);
      await rewrite(bad, change);
      const into = path.join(tmp('into'), 'data');
      await expect(restoreBackup(bad, into, names), label).rejects.toThrow(error);
      await expect(restoreBackup(bad, into, names)).rejects.toBeInstanceOf(RestoreError);
      expect(fs.existsSync(into), `${label}: nothing left behind`).toBe(false);
    }
    expect(fs.existsSync(path.join(os.tmpdir(), '..', 'etc', 'evil'))).toBe(false);
  }, 60_000);
});

describe.skipIf(!onPostgres())('backup on PostgreSQL', () => {
  test('is refused with a pointer to pg_dump', async () => {
    const s = await startServer();
    servers.push(s);
    const owner = await registerUser(s);
    const res = await api<{ error: { code: string; message: string } }>(s, 'GET', '/admin/backup', undefined, owner.token);
    expect(res.status).toBe(409);
    expect(res.body.error.message).toMatch(/pg_dump/);
  });
});
