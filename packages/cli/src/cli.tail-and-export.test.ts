/**
 * `parley tail` (across a server restart) and `parley export`, end to end against a real server
 * in its own process.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Message, User } from '@parley/protocol';
import { api, createConversation } from '@parley/server/testing';
import { uploadFile } from '@parley/server/testing/files';
import { repoRoot, bin, cleanEnv, freshDir, parley, jsonLines, until, startServerProcess, stopServerProcess, server, newUser, newChannel, restSend, useCliServer } from './testing/e2e-harness.js';

useCliServer();

// ---- tail --------------------------------------------------------------------------------------

describe('parley tail', { timeout: 60_000 }, () => {
  it('prints messages from another client as JSON lines, keeps streaming across a server restart, and exits 0 on SIGINT', async () => {
    const [watcher, talker] = await Promise.all([newUser('watcher'), newUser('talker')]);
    const chan = await newChannel(watcher, [talker]);

    const tail = spawn(process.execPath, [bin, 'tail', `#${chan.name}`, '--json'], { cwd: repoRoot, env: cleanEnv({ PARLEY_CONFIG_DIR: watcher.dir }), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    tail.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    tail.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const exited = new Promise<number | null>((resolve) => tail.once('exit', (code) => resolve(code)));
    try {
      // tail only opens a socket once it has resolved the target: the watcher shows up online then.
      await until(
        'tail to connect',
        async () => {
          if (tail.exitCode !== null) throw new Error(`tail exited early (${tail.exitCode}): ${err}`);
          const res = await api<User & { presence: { status: string } }>(server, 'GET', `/users/${watcher.user.id}`, undefined, talker.token);
          return res.body.presence.status === 'online' ? true : undefined;
        },
        25_000,
      );

      type TailLine = Message & { event: string };
      const linesWith = (body: string) => jsonLines<TailLine>(out).filter((l) => l.body === body);

      const before = await restSend(talker, chan.id, 'before the restart');
      await until('the first message on tail', () => (linesWith('before the restart').length > 0 ? true : undefined), 10_000);
      expect(linesWith('before the restart')[0]).toMatchObject({ event: 'message.created', id: before.id, conv_id: chan.id, seq: before.seq, sender_id: talker.user.id });

      await stopServerProcess();
      await startServerProcess();
      const after = await restSend(talker, chan.id, 'after the restart');
      await until('the message sent after the restart on tail', () => (linesWith('after the restart').length > 0 ? true : undefined), 25_000);
      expect(linesWith('after the restart')[0]).toMatchObject({ event: 'message.created', id: after.id, seq: after.seq, sender_id: talker.user.id });
      expect(err).toContain('reconnecting');

      tail.kill('SIGINT');
      const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 10_000))]);
      expect(code).toBe(0);
      // Every message exactly once, in seq order, and nothing else.
      expect(jsonLines<TailLine>(out).map((l) => l.body)).toEqual(['before the restart', 'after the restart']);
    } finally {
      if (tail.exitCode === null && tail.signalCode === null) tail.kill('SIGKILL');
    }
  });
});

// ---- export ------------------------------------------------------------------------------------

describe('parley export', { timeout: 60_000 }, () => {
  type Line = { type: 'conversation'; id: string } | ({ type: 'message' } & Message);

  function readExport(file: string): Line[] {
    const text = fs.readFileSync(file, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    return jsonLines<Line>(text);
  }

  /** Every expected message is in the file exactly once, and nothing else; each conversation has one header. */
  function expectExactly(lines: Line[], expected: Message[], convIds: string[]): void {
    const ids = lines.filter((l) => l.type === 'message').map((l) => l.id);
    expect([...ids].sort()).toEqual(expected.map((m) => m.id).sort());
    const headers = lines.filter((l) => l.type === 'conversation').map((l) => l.id);
    expect([...headers].sort()).toEqual([...convIds].sort());
  }

  it('writes NDJSON with every message exactly once, and a rerun appends only the new ones', async () => {
    const [u, friend] = await Promise.all([newUser('exporter'), newUser('friend')]);
    const chan = await newChannel(u, [friend]);
    const dm = await createConversation(server, u.token, { kind: 'dm', user_id: friend.user.id });
    const sent: Message[] = [];
    for (let i = 1; i <= 3; i++) sent.push(await restSend(u, chan.id, `channel ${i}`));
    sent.push(await restSend(friend, dm.id, 'dm 1'));
    const file = path.join(freshDir('export'), 'export.ndjson');

    const first = await parley(['export', '--out', file], { configDir: u.dir });
    expect(first.code).toBe(0);
    expect(first.stderr).toContain(`exported 4 new messages to ${file}`);
    expect(first.stdout).toBe('');
    const lines = readExport(file);
    expectExactly(lines, sent, [chan.id, dm.id]);
    // A conversation's header comes before its messages.
    for (const [i, l] of lines.entries()) if (l.type === 'message') expect(lines.findIndex((h) => h.type === 'conversation' && h.id === l.conv_id)).toBeLessThan(i);

    sent.push(await restSend(friend, chan.id, 'channel 4'), await restSend(u, dm.id, 'dm 2'));
    const second = await parley(['export', '--out', file], { configDir: u.dir });
    expect(second.code).toBe(0);
    expect(second.stderr).toContain('exported 2 new messages');
    expectExactly(readExport(file), sent, [chan.id, dm.id]);
  });

  it('repairs an export whose last line was torn by an interruption', async () => {
    const u = await newUser('torn');
    const chan = await newChannel(u);
    const sent: Message[] = [];
    for (let i = 1; i <= 4; i++) sent.push(await restSend(u, chan.id, `message ${i}`));
    const file = path.join(freshDir('torn'), 'export.ndjson');
    const first = await parley(['export', '-o', file], { configDir: u.dir });
    expect(first.code).toBe(0);

    // Simulate a crash in the middle of writing the last message: half a line, no newline.
    const text = fs.readFileSync(file, 'utf8');
    const lastStart = text.lastIndexOf('\n', text.length - 2) + 1;
    const lastLine = text.slice(lastStart);
    expect(JSON.parse(lastLine)).toMatchObject({ type: 'message', id: sent[3]!.id });
    fs.writeFileSync(file, text.slice(0, lastStart) + lastLine.slice(0, Math.floor(lastLine.length / 2)));

    const rerun = await parley(['export', '-o', file], { configDir: u.dir });
    expect(rerun.code).toBe(0);
    expect(rerun.stderr).toContain('exported 1 new message to ');
    expectExactly(readExport(file), sent, [chan.id]);
  });

  it('includes attachment metadata, and --files fetches each file once: a rerun skips those already there', async () => {
    const [u, friend] = await Promise.all([newUser('fileexp'), newUser('fileexpfriend')]);
    const chan = await newChannel(u, [friend]);
    const a = crypto.randomBytes(70_000);
    const b = Buffer.from('same name, other file\n');
    const ids = [await uploadFile(server, friend, a, 'report.bin'), await uploadFile(server, u, b, 'report.bin')];
    const withFiles = await api<Message>(server, 'POST', `/conversations/${chan.id}/messages`, { client_msg_id: globalThis.crypto.randomUUID(), body: 'files', attachments: [ids[0]] }, friend.token);
    const other = await api<Message>(server, 'POST', `/conversations/${chan.id}/messages`, { client_msg_id: globalThis.crypto.randomUUID(), body: 'more', attachments: [ids[1]] }, u.token);
    expect([withFiles.status, other.status]).toEqual([201, 201]);
    const work = freshDir('fileexp');
    const file = path.join(work, 'export.ndjson');
    const dir = path.join(work, 'files');

    const first = await parley(['export', '-o', file, '--files', dir], { configDir: u.dir });
    expect(first.code).toBe(0);
    expect(first.stderr).toContain(`fetched 2 files into ${dir}\n`);
    const msgs = readExport(file).filter((l): l is { type: 'message' } & Message => l.type === 'message');
    expect(msgs.flatMap((m) => m.attachments.map((x) => [x.id, x.name, x.size]))).toEqual([
      [ids[0], 'report.bin', a.length],
      [ids[1], 'report.bin', b.length],
    ]);
    // Named by id and name, so two files of one name never collide.
    expect(fs.readdirSync(dir).sort()).toEqual([`${ids[0]}-report.bin`, `${ids[1]}-report.bin`].sort());
    expect(fs.readFileSync(path.join(dir, `${ids[0]}-report.bin`))).toEqual(a);
    expect(fs.readFileSync(path.join(dir, `${ids[1]}-report.bin`))).toEqual(b);

    // One file lost (or never finished): the rerun fetches only that one, from files of messages exported earlier.
    fs.rmSync(path.join(dir, `${ids[0]}-report.bin`));
    const second = await parley(['export', '-o', file, '--files', dir], { configDir: u.dir });
    expect(second.code).toBe(0);
    expect(second.stderr).toContain('exported 0 new messages');
    expect(second.stderr).toContain(`fetched 1 file into ${dir} (1 already there)\n`);
    expect(fs.readFileSync(path.join(dir, `${ids[0]}-report.bin`))).toEqual(a);
  });

  it('streams a large export to standard output through a slow pipe without losing a line', async () => {
    const u = await newUser('piped');
    const chan = await newChannel(u);
    const padding = 'x'.repeat(1000);
    // Well past a pipe's 64 KiB buffer.
    const sent = await Promise.all(Array.from({ length: 150 }, (_, i) => restSend(u, chan.id, `${i} ${padding}`)));
    const res = await parley(['export'], { configDir: u.dir, readStdoutAfterMs: 1500 });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout.endsWith('\n')).toBe(true);
    expectExactly(jsonLines<Line>(res.stdout), sent, [chan.id]);
  });
});
