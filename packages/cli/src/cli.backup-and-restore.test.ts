/**
 * `parley backup FILE` against a real server in its own process, then `parley restore FILE
 * --data-dir DIR` and `parley serve` on the restored directory: the messages and files are there.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { HistoryPage } from '@parley/protocol';
import { api } from '@parley/server/testing';
import { uploadFile } from '@parley/server/testing/files';
import { freePort } from '@parley/server/testing/ports';
import { bin, cleanEnv, configFor, freshDir, newChannel, newUser, owner, parley, restSend, server, until, useCliServer } from './testing/e2e-harness.js';

useCliServer();

describe('parley backup and restore', { timeout: 90_000 }, () => {
  it('backs up a running server, restores into an empty directory, and the restored server has the messages and files', async () => {
    const alice = await newUser('backer');
    const ch = await newChannel(owner, [alice]);
    const sent = await restSend(alice, ch.id, 'kept in the backup');
    const bytes = Buffer.from('the file in the backup\n');
    const file = await uploadFile(server, alice, bytes, 'kept.txt');
    expect((await api(server, 'POST', `/conversations/${ch.id}/messages`, { client_msg_id: crypto.randomUUID(), body: 'with a file', attachments: [file] }, alice.token)).status).toBe(201);

    const dir = freshDir('backup');
    const target = path.join(dir, 'parley.tar.gz');
    // A member may not take one; the owner may.
    const refused = await parley(['backup', target], { configDir: alice.dir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('forbidden');
    expect(fs.existsSync(target)).toBe(false);
    const made = await parley(['backup', target], { configDir: configFor(owner) });
    expect(made.stderr).toMatch(/^backup saved to .*parley\.tar\.gz \(.+\); restore it with: parley restore /);
    expect(made.code).toBe(0);
    expect(fs.existsSync(`${target}.part`)).toBe(false);
    // Not over an existing file without --force.
    expect((await parley(['backup', target], { configDir: configFor(owner) })).code).toBe(1);

    const data = path.join(dir, 'restored');
    const restored = await parley(['restore', target, '--data-dir', data], { configDir: configFor(owner) });
    expect(restored.stderr).toMatch(/^restored \d+ messages and 1 files/);
    expect(restored.code).toBe(0);
    // A second restore into the same directory is refused: it is no longer empty.
    const again = await parley(['restore', target, '--data-dir', data], { configDir: configFor(owner) });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('is not empty');

    const port = await freePort();
    const child = spawn(process.execPath, [bin, 'serve', '--data-dir', data, '--port', String(port)], { env: cleanEnv({}), stdio: 'ignore' });
    try {
      const restoredServer = { url: `http://127.0.0.1:${port}` };
      await until('the restored server answers', async () => ((await fetch(`${restoredServer.url}/healthz`).catch(() => null))?.ok ? true : undefined), 30_000);
      const hist = await api<HistoryPage>(restoredServer, 'GET', `/conversations/${ch.id}/messages`, undefined, alice.token);
      expect(hist.status).toBe(200);
      expect(hist.body.messages.map((m) => m.id)).toContain(sent.id);
      const got = await fetch(`${restoredServer.url}/api/v1/files/${file}`, { headers: { authorization: `Bearer ${alice.token}` } });
      expect(Buffer.from(await got.arrayBuffer()).equals(bytes)).toBe(true);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
