/**
 * Burn after reading from the shell, end to end against a real server in its own process whose
 * shortest timer is 1 s: `send --burn`, `history`, `reveal`, `tail` and `export`.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Message, RevealedMessage, User } from '@parley/protocol';
import { api, type TestUser } from '@parley/server/testing';
import { bin, cleanEnv, freshDir, jsonLines, newChannel, newUser, parley, repoRoot, server, until, useCliServer } from './testing/e2e-harness.js';

useCliServer({ env: { PARLEY_BURN_MIN: '1s' } });

const SECRET = 'the vault code is 4711';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until the server burned the message for everyone (its tombstone has `burn.burned_at`). */
async function burnedForEveryone(reader: TestUser, id: string): Promise<Message> {
  return until(
    'the message to burn for everyone',
    async () => {
      const res = await api<Message>(server, 'GET', `/messages/${id}`, undefined, reader.token);
      expect(res.status).toBe(200);
      return res.body.burn?.burned_at ? res.body : undefined;
    },
    10_000,
  );
}

describe('parley send --burn and parley reveal', { timeout: 60_000 }, () => {
  it('a recipient sees the text only through reveal, until their timer runs out; the sender until it burned for everyone', async () => {
    const [alice, bob] = await Promise.all([newUser('alice'), newUser('bob')]);
    const chan = await newChannel(alice, [bob]);

    const sent = await parley(['send', `#${chan.name}`, SECRET, '--burn', '2s'], { configDir: alice.dir });
    expect(sent.stderr).toMatch(/^sent #\d+ [0-9A-Z]{26}, burns 2s after reading \(gone by \d{4}-\d\d-\d\d \d\d:\d\d:\d\d unread\)\n$/);
    expect(sent.code).toBe(0);
    const sentMatch = /^sent #(\d+) ([0-9A-Z]{26})/.exec(sent.stderr)!;
    const seq = sentMatch[1]!;
    const id = sentMatch[2]!;

    // History has the message, not its text: a note and how to reveal it.
    const history = await parley(['history', `#${chan.name}`], { configDir: bob.dir });
    expect(history.code).toBe(0);
    expect(history.stdout).toContain(`#${seq}  ${alice.user.username}: 🔥 burns 2s after reading — parley reveal ${id}\n`);
    expect(history.stdout).not.toContain('4711');

    // Its sender reads it without starting anyone's timer.
    const own = await parley(['reveal', id], { configDir: alice.dir });
    expect(own.stdout).toBe(`${SECRET}\n`);
    expect(own.stderr).toMatch(/^you sent it: readable for you until it burns for everyone/);
    expect(own.code).toBe(0);

    const revealed = await parley(['reveal', id], { configDir: bob.dir });
    const revealedBy = Date.now();
    expect(revealed.stdout).toBe(`${SECRET}\n`);
    expect(revealed.stderr).toMatch(/^burns for you at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(in [0-2] s\)\n$/);
    expect(revealed.code).toBe(0);

    // Bob's timer started at the latest when his reveal answered: 2 s on, it has run out.
    await sleep(Math.max(0, revealedBy + 2_200 - Date.now()));
    const again = await parley(['reveal', id], { configDir: bob.dir });
    expect(again.stdout).toBe('');
    expect(again.stderr).toBe('parley: this message has burned\n');
    expect(again.code).toBe(4);

    // Bob was its only recipient: the sweeper burns it for everyone, its sender included.
    await burnedForEveryone(alice, id);
    const late = await parley(['reveal', id], { configDir: alice.dir });
    expect(late.stdout).toBe('');
    expect(late.stderr).toBe('parley: this message has burned\n');
    expect(late.code).toBe(4);

    const after = await parley(['history', `#${chan.name}`], { configDir: bob.dir });
    expect(after.code).toBe(0);
    expect(after.stdout).toContain(`#${seq}  ${alice.user.username}: 🔥 burned after reading\n`);
    expect(after.stdout).not.toContain('4711');
  });

  it('tail shows the note and then that it burned; reveal --json has the content; export marks it, without content', async () => {
    const [carol, dave] = await Promise.all([newUser('carol'), newUser('dave')]);
    const chan = await newChannel(carol, [dave]);

    const tail = spawn(process.execPath, [bin, 'tail', `#${chan.name}`], { cwd: repoRoot, env: cleanEnv({ PARLEY_CONFIG_DIR: dave.dir }), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    tail.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    tail.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const exited = new Promise<number | null>((resolve) => tail.once('exit', (code) => resolve(code)));
    let msg: Message;
    try {
      // tail only opens a socket once it has resolved the target: dave shows up online then.
      await until(
        'tail to connect',
        async () => {
          if (tail.exitCode !== null) throw new Error(`tail exited early (${tail.exitCode}): ${err}`);
          const res = await api<User & { presence: { status: string } }>(server, 'GET', `/users/${dave.user.id}`, undefined, carol.token);
          return res.body.presence.status === 'online' ? true : undefined;
        },
        25_000,
      );

      const sent = await parley(['send', `#${chan.name}`, SECRET, '--burn', '1s', '--json'], { configDir: carol.dir });
      expect(sent.code).toBe(0);
      msg = JSON.parse(sent.stdout) as Message;
      expect(msg).toMatchObject({ body: '', attachments: [], burn: { after_s: 1, burned_at: null } });
      await until('the note on tail', () => (out.includes(`🔥 burns 1s after reading — parley reveal ${msg.id}\n`) ? true : undefined), 10_000);

      const revealed = await parley(['reveal', msg.id, '--json'], { configDir: dave.dir });
      expect(revealed.code).toBe(0);
      const r = JSON.parse(revealed.stdout) as RevealedMessage;
      expect(r.message).toMatchObject({ id: msg.id, body: SECRET, burn: { after_s: 1 } });
      expect(Date.parse(r.burns_at!)).toBeGreaterThan(Date.parse(msg.created_at));

      await until('the burn on tail', () => (out.includes(`(burned #${msg.seq}) 🔥 ${msg.id} burned after reading\n`) ? true : undefined), 10_000);
      tail.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(out).not.toContain('4711');
    } finally {
      if (tail.exitCode === null && tail.signalCode === null) tail.kill('SIGKILL');
    }

    const file = path.join(freshDir('burn-export'), 'export.ndjson');
    const exported = await parley(['export', '-o', file], { configDir: dave.dir });
    expect(exported.stderr).toBe(`exported 1 new message to ${file} (1 burn-after-reading message without content)\n`);
    expect(exported.code).toBe(0);
    const text = fs.readFileSync(file, 'utf8');
    expect(text).not.toContain('4711');
    const line = jsonLines<{ type: string } & Message>(text).find((l) => l.type === 'message' && l.id === msg.id);
    expect(line).toMatchObject({ body: '', attachments: [], burn: { after_s: 1 } });
    expect(line!.burn!.burned_at).not.toBeNull();
  });

  it('a bad --burn or --burn-cap is a usage error (exit 2) and nothing is sent; a cap becomes the expires_at', async () => {
    const [erin, frank] = await Promise.all([newUser('erin'), newUser('frank')]);
    const chan = await newChannel(erin, [frank]);
    const target = `#${chan.name}`;

    for (const [args, said] of [
      [['--burn', '5x'], /^parley: --burn 5x: give seconds or a number and one of s, m, h, d/],
      [['--burn', '0'], /^parley: --burn 0: /],
      [['--burn-cap', '2h'], /^parley: --burn-cap goes with --burn/],
      [['--burn', '1m', '--burn-cap', 'soon'], /^parley: --burn-cap soon: give a duration from now \(30m, 2h, 7d\) or an ISO time/],
      [['--burn', '1m', '--burn-cap', '2020-01-01T00:00:00Z'], /^parley: --burn-cap 2020-01-01T00:00:00Z: that time has passed/],
      // Within the protocol's form but outside this server's range (1 s to 7 d): the server names the range.
      [['--burn', '8d'], /^parley: burn_after must be between 1 s and 604800 s .*\(invalid_request\)\n$/],
    ] as const) {
      const res = await parley(['send', target, 'never sent', ...args], { configDir: erin.dir });
      expect(res.stderr, args.join(' ')).toMatch(said);
      expect(res.code, args.join(' ')).toBe(2);
    }
    const none = await parley(['history', target], { configDir: frank.dir });
    expect(none.stdout).toBe('');

    const before = Date.now();
    const capped = await parley(['send', target, 'capped', '--burn', '1m', '--burn-cap', '90m', '--json'], { configDir: erin.dir });
    const after = Date.now();
    expect(capped.code).toBe(0);
    const m1 = JSON.parse(capped.stdout) as Message;
    expect(m1.burn!.after_s).toBe(60);
    const cap = Date.parse(m1.burn!.expires_at);
    expect(cap).toBeGreaterThanOrEqual(before + 90 * 60_000);
    expect(cap).toBeLessThanOrEqual(after + 90 * 60_000);

    const at = new Date(Math.ceil(Date.now() / 1000) * 1000 + 3_600_000).toISOString();
    const atCapped = await parley(['send', target, 'capped at a time', '--burn', '90', '--burn-cap', at, '--json'], { configDir: erin.dir });
    expect(atCapped.code).toBe(0);
    const m2 = JSON.parse(atCapped.stdout) as Message;
    expect(m2.burn!.after_s).toBe(90);
    expect(Date.parse(m2.burn!.expires_at)).toBe(Date.parse(at));
  });
});
