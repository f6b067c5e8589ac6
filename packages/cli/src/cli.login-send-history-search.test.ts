/**
 * `parley login`, `send`, `history`, `tags`, `search` and the exit codes of failures, end to end
 * against a real server in its own process.
 */
import fs from 'node:fs';
import path from 'node:path';
import { generate } from 'otplib';
import { describe, expect, it } from 'vitest';
import type { Conversation, Message, SearchPage } from '@parley/protocol';
import { api, registerUser } from '@parley/server/testing';
import { time } from './output.js';
import { freshDir, parley, jsonLines, url, server, newUser, newChannel, restSend, useCliServer, uniqueName } from './testing/e2e-harness.js';

useCliServer();

// ---- accounts ----------------------------------------------------------------------------------

describe('parley login', { timeout: 60_000 }, () => {
  it('2fa setup and enable turn two-factor sign-in on; login then needs a code or a recovery code, refuses a used code, and status counts the codes left', async () => {
    const u = await newUser('twofa');
    const setup = await parley(['2fa', 'setup', '--json'], { configDir: u.dir });
    expect(setup.code).toBe(0);
    const { secret, otpauth_uri } = JSON.parse(setup.stdout) as { secret: string; otpauth_uri: string };
    expect(otpauth_uri).toContain(`Parley:${u.user.username}`);
    const code = await generate({ secret });
    const enabled = await parley(['2fa', 'enable', code], { configDir: u.dir });
    expect(enabled.code).toBe(0);
    const recovery = enabled.stdout.trim().split('\n');
    expect(recovery).toHaveLength(10);

    const dir = freshDir('twofa-login');
    const noCode = await parley(['login', '--server', url, '-u', u.user.username, '--password-stdin'], { configDir: dir, input: 'correct horse battery\n' });
    expect(noCode.code).toBe(3);
    expect(noCode.stderr).toContain('--code');
    // The code that turned it on was spent then.
    const replayed = await parley(['login', '--server', url, '-u', u.user.username, '--password-stdin', '--code', code], { configDir: dir, input: 'correct horse battery\n' });
    expect(replayed.code).toBe(3);
    const withRecovery = await parley(['login', '--server', url, '-u', u.user.username, '--password-stdin', '--recovery-code', recovery[3]!], { configDir: dir, input: 'correct horse battery\n' });
    expect(withRecovery.stderr).toContain('Logged in');
    expect(withRecovery.code).toBe(0);
    const status = await parley(['2fa', 'status'], { configDir: dir });
    expect(status.stdout).toMatch(/^Two-factor sign-in is on \(since .+\); 9 recovery codes left\.\n$/);
  });

  it('registers with --password-stdin, stores the credentials with mode 0600, and whoami and sessions show the user and this CLI session', async () => {
    const dir = freshDir('login');
    const res = await parley(['login', '--server', url, '-u', 'carol', '--register', '--password-stdin'], { configDir: dir, input: 'carol-secret-pw\n' });
    expect(res.stderr).toContain(`Logged in to ${url} as carol.`);
    expect(res.code).toBe(0);

    const file = path.join(dir, 'credentials.json');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    expect(stored).toMatchObject({ server: url, username: 'carol' });
    expect(typeof stored.access_token).toBe('string');
    expect(typeof stored.refresh_token).toBe('string');

    const [who, sessions] = await Promise.all([parley(['whoami'], { configDir: dir }), parley(['sessions'], { configDir: dir })]);
    expect(who.code).toBe(0);
    expect(who.stdout).toBe('carol (carol, member)\n');
    expect(sessions.code).toBe(0);
    // One session, made by this login, named after the CLI and marked as the one in use.
    expect(sessions.stdout).toMatch(/^[0-9A-Z]{26} {2}Parley CLI +127\.0\.0\.1 +last used [0-9: -]+ {2}\(this one\)\n$/);
  });

  it('exits 3 with a clear message and stores nothing when the password is wrong, and logs in with the right one', async () => {
    const u = await registerUser(server, uniqueName('pw'));
    const [wrongDir, rightDir] = [freshDir('wrongpw'), freshDir('rightpw')];
    const [wrong, right] = await Promise.all([
      parley(['login', '--server', url, '-u', u.user.username, '--password-stdin'], { configDir: wrongDir, input: 'not the password\n' }),
      // registerUser's password; the trailing newline of --password-stdin is not part of it. The server may come from PARLEY_SERVER.
      parley(['login', '-u', u.user.username, '--password-stdin'], { configDir: rightDir, input: 'correct horse battery\n', env: { PARLEY_SERVER: url } }),
    ]);
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).toMatch(/wrong username or password/i);
    expect(fs.existsSync(path.join(wrongDir, 'credentials.json'))).toBe(false);
    expect(right.stderr).toContain(`as ${u.user.username}.`);
    expect(right.code).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(rightDir, 'credentials.json'), 'utf8'))).toMatchObject({ server: url, username: u.user.username });
  });
});

// ---- sending and reading -----------------------------------------------------------------------

describe('parley send and history', { timeout: 60_000 }, () => {
  it('sends to a #channel from an argument and from --stdin, and history shows the messages in order', async () => {
    const alice = await newUser('alice');
    const chan = await newChannel(alice);

    const first = await parley(['send', `#${chan.name}`, 'first message'], { configDir: alice.dir });
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/^sent #\d+ [0-9A-Z]{26}\n$/);
    const second = await parley(['send', `#${chan.name}`, '--stdin', '--json'], { configDir: alice.dir, input: 'second, line one\nline two\n' });
    expect(second.code).toBe(0);
    const sent = JSON.parse(second.stdout) as Message;
    expect(sent).toMatchObject({ conv_id: chan.id, body: 'second, line one\nline two', sender_id: alice.user.id });

    // What the server stored, read back over REST.
    const stored = await api<{ messages: Message[] }>(server, 'GET', `/conversations/${chan.id}/messages`, undefined, alice.token);
    expect(stored.body.messages.map((m) => m.body)).toEqual(['first message', 'second, line one\nline two']);

    const [human, json] = await Promise.all([parley(['history', `#${chan.name}`], { configDir: alice.dir }), parley(['history', `#${chan.name}`, '--json'], { configDir: alice.dir })]);
    expect(human.code).toBe(0);
    const firstAt = human.stdout.indexOf(`${alice.user.username}: first message`);
    const secondAt = human.stdout.indexOf(`${alice.user.username}: second, line one`);
    expect(firstAt).toBeGreaterThanOrEqual(0);
    expect(secondAt).toBeGreaterThan(firstAt);
    expect(json.code).toBe(0);
    const lines = jsonLines<Message>(json.stdout);
    expect(lines.map((m) => m.body)).toEqual(['first message', 'second, line one\nline two']);
    expect(lines[1]!.seq).toBeGreaterThan(lines[0]!.seq);
  });

  it('history --tag shows only tagged messages; tag adds a tag to a sent message; tags lists them with counts', async () => {
    const alice = await newUser('tagger');
    const chan = await newChannel(alice);
    const first = await restSend(alice, chan.id, 'deploy 1 #deploy');
    await restSend(alice, chan.id, 'chatter');
    await restSend(alice, chan.id, 'deploy 2 #deploy #prod');
    const tagged = await parley(['history', `#${chan.name}`, '--tag', '#Deploy', '--json'], { configDir: alice.dir });
    expect(tagged.code).toBe(0);
    expect(jsonLines<Message>(tagged.stdout).map((m) => m.body)).toEqual(['deploy 1 #deploy', 'deploy 2 #deploy #prod']);
    const added = await parley(['tag', first.id, 'incident'], { configDir: alice.dir });
    expect(added.code).toBe(0);
    expect(added.stderr).toBe(`Message ${first.id} is tagged #deploy #incident.\n`);
    const listed = await parley(['tags', `#${chan.name}`], { configDir: alice.dir });
    expect(listed.stdout.split('\n').map((l) => l.split(/\s+/).slice(0, 2).join(' '))).toEqual(['#deploy 2', '#incident 1', '#prod 1', '']);
    const badTag = await parley(['tag', first.id, 'two words'], { configDir: alice.dir });
    expect(badTag.code).not.toBe(0);
    expect(badTag.stderr).toContain('A tag is');
  });

  it('history --since and --until select messages by seq', async () => {
    const u = await newUser('ranger');
    const chan = await newChannel(u);
    const msgs: Message[] = [];
    for (const body of ['m1', 'm2', 'm3', 'm4', 'm5']) msgs.push(await restSend(u, chan.id, body));
    const seq = msgs.map((m) => m.seq);
    const target = `#${chan.name}`;
    const [range, upTo] = await Promise.all([
      parley(['history', target, '--json', '--since', String(seq[0]), '--until', String(seq[3])], { configDir: u.dir }),
      parley(['history', target, '--json', '--until', String(seq[1])], { configDir: u.dir }),
    ]);
    expect(range.code).toBe(0);
    // After --since, up to and including --until.
    expect(jsonLines<Message>(range.stdout).map((m) => m.body)).toEqual(['m2', 'm3', 'm4']);
    expect(upTo.code).toBe(0);
    expect(jsonLines<Message>(upTo.stdout).map((m) => m.body)).toEqual(['m1', 'm2']);
  });

  it('send @user opens a direct conversation that the other user can read', async () => {
    const [sender, receiver] = await Promise.all([newUser('dmfrom'), newUser('dmto')]);
    const res = await parley(['send', `@${receiver.user.username}`, 'psst, a direct message'], { configDir: sender.dir });
    expect(res.code).toBe(0);

    const list = await api<{ conversations: Conversation[] }>(server, 'GET', '/conversations', undefined, receiver.token);
    const dm = list.body.conversations.find((c) => c.kind === 'dm' && c.dm_user_id === sender.user.id);
    expect(dm?.last_message?.body).toBe('psst, a direct message');

    const seen = await parley(['history', `@${sender.user.username}`], { configDir: receiver.dir });
    expect(seen.code).toBe(0);
    expect(seen.stdout).toContain(`${sender.user.username}: psst, a direct message`);
  });

  it('conversations --json lists the channel I am in', async () => {
    const u = await newUser('lister');
    const chan = await newChannel(u);
    await restSend(u, chan.id, 'so the channel has a last message');
    const json = await parley(['conversations', '--json'], { configDir: u.dir });
    expect(json.code).toBe(0);
    const convs = jsonLines<Conversation>(json.stdout);
    expect(convs.map((c) => c.id)).toEqual([chan.id]);
    expect(convs[0]).toMatchObject({ kind: 'channel', name: chan.name, last_message: { body: 'so the channel has a last message' } });
  });
});
// ---- search ------------------------------------------------------------------------------------

describe('parley search', { timeout: 60_000 }, () => {
  it('finds 部署 with --in and --from, prints conversation, sender, time and body per hit, and --json prints the page', async () => {
    const [alice, bob] = await Promise.all([newUser('searcha'), newUser('searchb')]);
    const chan = await newChannel(alice, [bob]);
    const other = await newChannel(alice, [bob]);
    await restSend(alice, chan.id, 'good morning');
    const failed = await restSend(alice, chan.id, '今天的部署失败了');
    await restSend(bob, chan.id, '部署 again\nafter lunch');
    await restSend(alice, other.id, '部署 elsewhere');

    const human = await parley(['search', '部署', '--in', `#${chan.name}`, '--from', `@${alice.user.username}`], { configDir: bob.dir });
    expect(human.code).toBe(0);
    // Not a terminal: the body exactly as written, no emphasis codes or markers.
    expect(human.stdout).toBe(`#${chan.name}  ${alice.user.username}  ${time(failed.created_at)}  #${failed.seq}\n  今天的部署失败了\n`);

    const two = await parley(['search', '部署', '--in', chan.name!], { configDir: bob.dir });
    expect(two.code).toBe(0);
    // Newest first; a multi-line body stays indented under its heading.
    expect(two.stdout).toContain(`  部署 again\n  after lunch\n\n#${chan.name}  ${alice.user.username}`);

    const json = await parley(['search', '部署', '--json', '--limit', '3', '--order', 'relevance'], { configDir: bob.dir });
    expect(json.code).toBe(0);
    const pages = jsonLines<SearchPage>(json.stdout);
    expect(pages).toHaveLength(1);
    expect(pages[0]!.hits).toHaveLength(3);
    const hit = pages[0]!.hits.find((h) => h.message.id === failed.id)!;
    expect(hit.highlights.map((r) => hit.message.body.slice(r.start, r.end))).toEqual(['部署']);
    expect(pages[0]!.conversations.map((c) => c.id).sort()).toEqual([chan.id, other.id].sort());

    // --limit caps the hits; the page says where the next one would start.
    for (let i = 0; i < 3; i++) await restSend(alice, chan.id, `paging 部署 ${i}`);
    const paged = await parley(['search', 'paging', '--json', '--limit', '2'], { configDir: bob.dir });
    const [only] = jsonLines<SearchPage>(paged.stdout);
    expect(only!.hits.map((h) => h.message.body)).toEqual(['paging 部署 2', 'paging 部署 1']);
    expect(only!.next_cursor).not.toBeNull();
  });

  it('a query with bad syntax is one line naming the problem and exits 2; an unknown channel exits 4; no hits exits 0', async () => {
    const u = await newUser('searchc');
    const [bad, unknown, none] = await Promise.all([
      parley(['search', '"unclosed'], { configDir: u.dir }),
      parley(['search', 'deploy', '--in', '#no-such-room'], { configDir: u.dir }),
      parley(['search', 'nothing-here-at-all'], { configDir: u.dir }),
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^parley: A quote is not closed.*\(invalid_query\)\n$/);
    expect(bad.stdout).toBe('');
    expect(unknown.code).toBe(4);
    expect(unknown.stderr.split('\n')).toHaveLength(2);
    expect(none.code).toBe(0);
    expect(none.stdout).toBe('');
    expect(none.stderr).toBe('No messages match.\n');
  });
});

// ---- failures and exit codes -------------------------------------------------------------------

describe('parley failures', { timeout: 60_000 }, () => {
  it('a target that does not exist prints a clear error on stderr and exits 4', async () => {
    const u = await newUser('lost');
    const [send, history] = await Promise.all([parley(['send', '#does-not-exist', 'hi'], { configDir: u.dir }), parley(['history', '@nobody'], { configDir: u.dir })]);
    expect(send.code).toBe(4);
    expect(send.stderr).toMatch(/No channel named #does-not-exist/);
    expect(send.stdout).toBe('');
    expect(history.code).toBe(4);
    expect(history.stderr).toMatch(/No user named @nobody/);
    expect(history.stdout).toBe('');
  });

  it('without credentials a command exits 3 and says how to log in', async () => {
    // A server but no token: nothing to authenticate with.
    const res = await parley(['history', '#general'], { configDir: freshDir('nocreds'), env: { PARLEY_SERVER: url } });
    expect(res.code).toBe(3);
    expect(res.stderr).toContain(`Not logged in to ${url}: run \`parley login --server ${url}\``);
    expect(res.stdout).toBe('');
  });

  it('a missing argument is a usage error and exits 2', async () => {
    const res = await parley(['send'], { configDir: freshDir('usage') });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain("missing required argument 'target'");
    expect(res.stderr).toContain('Usage: parley send');
  });
});
