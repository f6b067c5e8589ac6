/**
 * `parley send --file` and `parley download`: resumable uploads, partial downloads and the file
 * access rules, end to end against a real server in its own process.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Conversation, Message } from '@parley/protocol';
import { api, createConversation } from '@parley/server/testing';
import { uploadFile } from '@parley/server/testing/files';
import { tcpProxy } from '@parley/server/testing/tcp-proxy';
import { bin, cleanEnv, freshDir, parley, port, server, newUser, useCliServer } from './testing/e2e-harness.js';

useCliServer();

// ---- files -------------------------------------------------------------------------------------

describe('parley files', { timeout: 60_000 }, () => {
  const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');

  it('send --file attaches several files, quietly when not in a terminal, and download saves them under their own names', async () => {
    const [alice, bob] = await Promise.all([newUser('filer'), newUser('fileto')]);
    const work = freshDir('files');
    const log = Buffer.from('started\nfailed: disk full\n');
    const blob = crypto.randomBytes(3 * 1024 * 1024 + 17);
    fs.writeFileSync(path.join(work, 'app.log'), log);
    fs.writeFileSync(path.join(work, 'core.bin'), blob);

    const sent = await parley(['send', `@${bob.user.username}`, 'logs', '--file', 'app.log', '-f', 'core.bin', '--json'], { configDir: alice.dir, cwd: work });
    expect(sent.stderr).toBe('');
    expect(sent.code).toBe(0);
    const msg = JSON.parse(sent.stdout) as Message;
    expect(msg.body).toBe('logs');
    expect(msg.attachments.map((a) => [a.name, a.size, a.mime])).toEqual([
      ['app.log', log.length, 'text/plain; charset=utf-8'],
      ['core.bin', blob.length, 'application/octet-stream'],
    ]);

    // Bob sees the files in history and saves them where he stands.
    const seen = await parley(['history', `@${alice.user.username}`], { configDir: bob.dir });
    expect(seen.stdout).toContain(`[file] app.log  ${log.length} B  text/plain; charset=utf-8  ${msg.attachments[0]!.id}`);
    const inbox = freshDir('inbox');
    const [a, b] = await Promise.all(msg.attachments.map((f) => parley(['download', f.id], { configDir: bob.dir, cwd: inbox })));
    expect(a!.code).toBe(0);
    expect(a!.stderr).toBe(`saved app.log (${log.length} B, text/plain; charset=utf-8)\n`);
    expect(b!.code).toBe(0);
    expect(fs.readFileSync(path.join(inbox, 'app.log'))).toEqual(log);
    expect(sha(fs.readFileSync(path.join(inbox, 'core.bin')))).toBe(sha(blob));
    expect(fs.readdirSync(inbox).sort()).toEqual(['app.log', 'core.bin']);
  });

  it('download never replaces a file without --force, saves where -o says or to stdout, and continues a partial download', async () => {
    const [alice, bob] = await Promise.all([newUser('dlfrom'), newUser('dlto')]);
    const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
    const log = Buffer.from('started\nfailed: disk full\n');
    const blob = crypto.randomBytes(3 * 1024 * 1024 + 17);
    const ids = [await uploadFile(server, alice, log, 'app.log'), await uploadFile(server, alice, blob, 'core.bin')];
    const sent = await api<Message>(server, 'POST', `/conversations/${dm.id}/messages`, { client_msg_id: globalThis.crypto.randomUUID(), body: 'logs', attachments: ids }, alice.token);
    expect(sent.status).toBe(201);
    const inbox = freshDir('inbox2');
    fs.writeFileSync(path.join(inbox, 'app.log'), 'mine');

    const elsewhere = freshDir('elsewhere');
    const partial = freshDir('partial');
    // A download cut short earlier: its .part holds the first MiB.
    fs.writeFileSync(path.join(partial, 'core.bin.part'), blob.subarray(0, 1024 * 1024));
    const [again, intoDir, toFile, piped, resumed] = await Promise.all([
      parley(['download', ids[0]!], { configDir: bob.dir, cwd: inbox }),
      parley(['download', ids[0]!, '-o', elsewhere], { configDir: bob.dir }),
      parley(['download', ids[0]!, '-o', path.join(elsewhere, 'renamed.txt')], { configDir: bob.dir }),
      parley(['download', ids[0]!, '-o', '-'], { configDir: bob.dir }),
      parley(['download', ids[1]!], { configDir: bob.dir, cwd: partial }),
    ]);
    // Never over an existing file without --force.
    expect(again.code).toBe(1);
    expect(again.stderr).toBe('parley: app.log exists; use --force to overwrite it or -o to choose another path.\n');
    expect(fs.readFileSync(path.join(inbox, 'app.log'), 'utf8')).toBe('mine');
    // -o picks the place: a directory keeps the name; - is standard output.
    expect([intoDir.code, toFile.code, piped.code]).toEqual([0, 0, 0]);
    expect(fs.readdirSync(elsewhere).sort()).toEqual(['app.log', 'renamed.txt']);
    expect(fs.readFileSync(path.join(elsewhere, 'renamed.txt'))).toEqual(log);
    expect(piped.stdout).toBe(log.toString());
    // The partial download is finished and takes its name.
    expect(resumed.code).toBe(0);
    expect(fs.readdirSync(partial)).toEqual(['core.bin']);
    expect(sha(fs.readFileSync(path.join(partial, 'core.bin')))).toBe(sha(blob));

    const forced = await parley(['download', ids[0]!, '--force'], { configDir: bob.dir, cwd: inbox });
    expect(forced.code).toBe(0);
    expect(fs.readFileSync(path.join(inbox, 'app.log'))).toEqual(log);
  });

  it("download never lets the server's name leave the directory, and is 404 (exit 4) for a file I may not read", async () => {
    const [alice, bob, eve] = await Promise.all([newUser('namer'), newUser('namedto'), newUser('outsider')]);
    const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
    const id = await uploadFile(server, alice, Buffer.from('hello'), '../../etc/evil\u0007.txt');
    const msg = await api<Message>(server, 'POST', `/conversations/${dm.id}/messages`, { client_msg_id: globalThis.crypto.randomUUID(), body: 'see', attachments: [id] }, alice.token);
    expect(msg.status).toBe(201);
    const work = freshDir('evil');
    const res = await parley(['download', id], { configDir: bob.dir, cwd: work });
    expect(res.code).toBe(0);
    expect(fs.readdirSync(work)).toEqual(['.._.._etc_evil.txt']);

    const stranger = await parley(['download', id], { configDir: eve.dir, cwd: work });
    expect(stranger.code).toBe(4);
    expect(stranger.stderr).toBe('parley: No such file. (not_found)\n');
    const bad = await parley(['download', 'not-an-id'], { configDir: eve.dir });
    expect(bad.code).toBe(2);
  });

  it('send --file with a missing file or too many files sends nothing and says why', async () => {
    const [alice, bob] = await Promise.all([newUser('nofile'), newUser('nofileto')]);
    const work = freshDir('nofile');
    fs.writeFileSync(path.join(work, 'x.txt'), 'x');
    const [missing, many] = await Promise.all([
      parley(['send', `@${bob.user.username}`, 'hi', '--file', 'x.txt', '--file', 'nope.txt'], { configDir: alice.dir, cwd: work }),
      parley(['send', `@${bob.user.username}`, 'hi', ...Array.from({ length: 11 }, () => ['--file', 'x.txt']).flat()], { configDir: alice.dir, cwd: work }),
    ]);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toBe('parley: nope.txt: no such file.\n');
    expect(many.code).toBe(2);
    expect(many.stderr).toBe('parley: A message carries at most 10 files; 11 were given.\n');
    const convs = await api<{ conversations: Conversation[] }>(server, 'GET', '/conversations', undefined, alice.token);
    expect(convs.body.conversations).toEqual([]);
  });

  it('send --file killed half-way through an upload resumes that upload when run again', async () => {
    const [alice, bob] = await Promise.all([newUser('resumer'), newUser('resumeto')]);
    const work = freshDir('resume');
    const bytes = crypto.randomBytes(8 * 1024 * 1024);
    fs.writeFileSync(path.join(work, 'disk.img'), bytes);
    const proxy = await tcpProxy('127.0.0.1', port);
    try {
      const env = cleanEnv({ PARLEY_CONFIG_DIR: alice.dir, PARLEY_SERVER: proxy.url('http'), PARLEY_TOKEN: alice.token });
      const cut = proxy.cutAfter(bytes.length / 2);
      const first = spawn(process.execPath, [bin, 'send', `@${bob.user.username}`, 'image', '--file', 'disk.img'], { cwd: work, env, stdio: 'ignore' });
      const firstExit = new Promise((r) => first.once('exit', r));
      await cut;
      // Half the file is on the server; the command is retrying against a dead network. Kill it.
      first.kill('SIGKILL');
      await firstExit;
      proxy.restore();
      const stored = JSON.parse(fs.readFileSync(path.join(alice.dir, 'uploads.json'), 'utf8')) as Record<string, { uploadUrl: string }>;
      const unfinished = Object.values(stored).map((u) => u.uploadUrl.split('/').pop());
      expect(unfinished).toHaveLength(1);

      const again = await parley(['send', `@${bob.user.username}`, 'image', '--file', 'disk.img', '--json'], {
        configDir: alice.dir,
        cwd: work,
        env: { PARLEY_SERVER: proxy.url('http'), PARLEY_TOKEN: alice.token },
      });
      expect(again.code).toBe(0);
      const msg = JSON.parse(again.stdout) as Message;
      // The same upload, finished: not a second one started over.
      expect(msg.attachments.map((a) => [a.id, a.size])).toEqual([[unfinished[0], bytes.length]]);
      expect(JSON.parse(fs.readFileSync(path.join(alice.dir, 'uploads.json'), 'utf8'))).toEqual({});
      const inbox = freshDir('resumed');
      expect((await parley(['download', msg.attachments[0]!.id], { configDir: bob.dir, cwd: inbox })).code).toBe(0);
      expect(sha(fs.readFileSync(path.join(inbox, 'disk.img')))).toBe(sha(bytes));
    } finally {
      await proxy.close();
    }
  });

  it('send --file shows a progress line on stderr in a terminal', async () => {
    const [alice, bob] = await Promise.all([newUser('ttyfile'), newUser('ttyfileto')]);
    const work = freshDir('tty');
    fs.writeFileSync(path.join(work, 'big.bin'), crypto.randomBytes(2 * 1024 * 1024));
    // `script` gives the command a terminal; its output file is what the terminal showed.
    const typescript = path.join(work, 'typescript');
    const cmd = `${JSON.stringify(process.execPath)} ${JSON.stringify(bin)} send @${bob.user.username} big --file big.bin`;
    const res = await new Promise<number | null>((resolve) => {
      const child = spawn('script', ['-qec', cmd, typescript], { cwd: work, env: cleanEnv({ PARLEY_CONFIG_DIR: alice.dir }), stdio: ['ignore', 'ignore', 'ignore'] });
      child.on('close', resolve);
    });
    expect(res).toBe(0);
    const shown = fs.readFileSync(typescript, 'utf8');
    expect(shown).toMatch(/big\.bin +100% +2\.0 MiB \/ 2\.0 MiB/);
    expect(shown).toMatch(/sent #\d+ [0-9A-Z]{26} with 1 file/);
  });
});
