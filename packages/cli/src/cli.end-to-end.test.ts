/**
 * The `parley` command end to end: a real server in its own process (`parley serve`), the CLI
 * spawned as a user would run it, each test with its own config directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import crypto from 'node:crypto';
import type { Conversation, Message, SearchPage, User } from '@parley/protocol';
import { api, createConversation, registerUser, type TestUser } from '@parley/server/testing';
import { uploadFile } from '@parley/server/testing/files';
import { tcpProxy } from '@parley/server/testing/tcp-proxy';
import { freePort } from '@parley/server/testing/ports';
import { verifyWebhookSignature } from '@parley/sdk';
import { writeCredentials } from './credentials.js';
import { time } from './output.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../..');
const bin = path.join(repoRoot, 'packages/cli/bin/parley.js');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-cli-e2e-'));

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment without anything Parley-related leaking in from the developer's shell. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PARLEY_') && k !== 'XDG_CONFIG_HOME') env[k] = v;
  return { ...env, ...extra };
}

let dirCounter = 0;
function freshDir(label: string): string {
  return fs.mkdtempSync(path.join(root, `${label}-${++dirCounter}-`));
}

/** Runs `parley …` to completion with its own config directory, capturing output and the exit code. */
function parley(args: string[], opts: { configDir: string; env?: Record<string, string>; input?: string; timeoutMs?: number; readStdoutAfterMs?: number; cwd?: string }): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: opts.cwd ?? repoRoot, env: cleanEnv({ PARLEY_CONFIG_DIR: opts.configDir, ...(opts.env ?? {}) }), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    if (opts.readStdoutAfterMs) {
      // A slow reader: the pipe fills up and the command has to wait for it.
      child.stdout.pause();
      setTimeout(() => child.stdout.resume(), opts.readStdoutAfterMs);
    }
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`parley ${args.join(' ')} did not finish in time.\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, opts.timeoutMs ?? 45_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** The complete lines of NDJSON output (a line still being written is left for later). */
function jsonLines<T>(text: string): T[] {
  const lines = text.split('\n');
  lines.pop();
  return lines.filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as T);
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// ---- the server, in its own process ------------------------------------------------------------

const dataDir = path.join(root, 'data');
let port = 0;
let url = '';
let serverProc: ChildProcess | null = null;
let serverLog = '';

async function startServerProcess(): Promise<void> {
  const child = spawn(process.execPath, [bin, 'serve', '--port', String(port), '--data-dir', dataDir], {
    cwd: repoRoot,
    env: cleanEnv({
      LOG_LEVEL: 'warn',
      PARLEY_AUTH_RATE_PER_MIN: '100000',
      PARLEY_IP_RATE_PER_SEC: '100000',
      PARLEY_IP_BURST: '100000',
      PARLEY_SEND_RATE_PER_SEC: '1000',
      PARLEY_SEND_BURST: '1000',
      PARLEY_SHUTDOWN_GRACE_MS: '300',
      // The outgoing-webhook test's receiver listens on 127.0.0.1.
      PARLEY_OUTGOING_ALLOW_PRIVATE: '1',
      PARLEY_OUTGOING_RETRY_BASE_MS: '50',
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (serverLog += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (serverLog += d));
  serverProc = child;
  await until(
    'the server to answer /healthz',
    async () => {
      if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}:\n${serverLog}`);
      try {
        const res = await fetch(`${url}/healthz`);
        return res.ok ? true : undefined;
      } catch {
        return undefined;
      }
    },
    25_000,
  );
}

async function stopServerProcess(): Promise<void> {
  const child = serverProc;
  serverProc = null;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 8_000);
  await exited;
  clearTimeout(timer);
}

// ---- users -------------------------------------------------------------------------------------

const server = {
  get url() {
    return url;
  },
};
let owner: TestUser;
let userCounter = 0;

/** A new user registered over REST, with a fresh config directory holding their credentials. */
async function newUser(label: string): Promise<TestUser & { dir: string }> {
  const u = await registerUser(server, `${label}${++userCounter}`);
  return { ...u, dir: configFor(u) };
}

function configFor(u: TestUser): string {
  const dir = freshDir(u.user.username);
  writeCredentials({ server: url, username: u.user.username, access_token: u.token, refresh_token: u.refresh }, { PARLEY_CONFIG_DIR: dir });
  return dir;
}

let channelCounter = 0;
async function newChannel(creator: TestUser, members: TestUser[] = []): Promise<Conversation> {
  return createConversation(server, creator.token, { kind: 'channel', name: `room-${++channelCounter}`, visibility: 'public', member_ids: members.map((m) => m.user.id) });
}

async function restSend(u: TestUser, convId: string, body: string): Promise<Message> {
  const res = await api<Message>(server, 'POST', `/conversations/${convId}/messages`, { client_msg_id: globalThis.crypto.randomUUID(), body }, u.token);
  if (res.status !== 201) throw new Error(`send failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

beforeAll(async () => {
  port = await freePort();
  url = `http://127.0.0.1:${port}`;
  await startServerProcess();
  // The first account of a workspace becomes its owner.
  owner = await registerUser(server, 'owner');
  expect(owner.user.role).toBe('owner');
}, 40_000);

afterAll(async () => {
  await stopServerProcess();
  fs.rmSync(root, { recursive: true, force: true });
}, 15_000);

// ---- accounts ----------------------------------------------------------------------------------

describe('parley login', { timeout: 60_000 }, () => {
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
    const u = await registerUser(server, `pw${++userCounter}`);
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

// ---- CI usage and administration ---------------------------------------------------------------

describe('parley webhook', { timeout: 60_000 }, () => {
  it('create prints a URL a script posts to; list shows the hook; rotate and revoke turn old URLs off', async () => {
    const [admin, member] = await Promise.all([newUser('hookadmin'), newUser('hookmember')]);
    const chan = await newChannel(admin, [member]);
    const created = await parley(['webhook', 'create', `#${chan.name}`, '--name', 'Deploys'], { configDir: admin.dir });
    expect(created.code).toBe(0);
    const hookUrl = created.stdout.trim();
    expect(hookUrl).toMatch(new RegExp(`^${url}/hooks/[0-9A-Z]{26}/[A-Za-z0-9_-]{43}$`));
    const postTo = (u: string, text: string) =>
      fetch(u, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text }) }).then(async (r) => [r.status, await r.text()]);
    expect(await postTo(hookUrl, 'v1.4 is live')).toEqual([200, 'ok']);
    const stored = await api<{ messages: Message[] }>(server, 'GET', `/conversations/${chan.id}/messages`, undefined, member.token);
    expect(stored.body.messages.map((m) => m.body)).toEqual(['v1.4 is live']);

    const id = hookUrl.split('/')[4]!;
    const listed = await parley(['webhook', 'list', `#${chan.name}`], { configDir: admin.dir });
    expect(listed.stdout).toMatch(new RegExp(`^${id}  Deploys\\s+created .*last used`, 'm'));
    // A plain member may not see the channel's hooks.
    const refused = await parley(['webhook', 'list', `#${chan.name}`], { configDir: member.dir });
    expect(refused.code).not.toBe(0);

    const rotated = await parley(['webhook', 'rotate', id], { configDir: admin.dir });
    expect(rotated.code).toBe(0);
    const newUrl = rotated.stdout.trim();
    expect(await postTo(hookUrl, 'old')).toEqual([404, 'no_service']);
    expect(await postTo(newUrl, 'new')).toEqual([200, 'ok']);
    expect((await parley(['webhook', 'revoke', id], { configDir: admin.dir })).code).toBe(0);
    expect(await postTo(newUrl, 'gone')).toEqual([404, 'no_service']);
  });

  it('create --kind gitlab prints the URL and the secret token GitLab sends; sentry takes its client secret from stdin; a wrong kind or a missing secret is a usage error', async () => {
    const admin = await newUser('kinds');
    const chan = await newChannel(admin);
    const gitlab = await parley(['webhook', 'create', `#${chan.name}`, '--name', 'GitLab', '--kind', 'gitlab'], { configDir: admin.dir });
    expect(gitlab.code).toBe(0);
    const [hookUrl, token] = gitlab.stdout.trim().split('\n');
    expect(gitlab.stderr).toContain('one thread per merge request');
    const mr = {
      object_kind: 'merge_request',
      user: { username: 'ada' },
      project: { path_with_namespace: 'acme/api' },
      object_attributes: { iid: 3, title: 'Cache builds', state: 'opened', action: 'open' },
    };
    const post = (headers: Record<string, string>) => fetch(hookUrl!, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(mr) }).then((r) => r.status);
    expect(await post({})).toBe(401);
    expect(await post({ 'x-gitlab-token': token! })).toBe(200);

    const noSecret = await parley(['webhook', 'create', `#${chan.name}`, '--name', 'Sentry', '--kind', 'sentry'], { configDir: admin.dir });
    expect(noSecret.code).toBe(2);
    expect(noSecret.stderr).toContain('--secret-stdin');
    const sentry = await parley(['webhook', 'create', `#${chan.name}`, '--name', 'Sentry', '--kind', 'sentry', '--secret-stdin', '--json'], {
      configDir: admin.dir,
      input: 'c0ffee0123456789abcdef0123456789\n',
    });
    expect(sentry.code).toBe(0);
    expect(JSON.parse(sentry.stdout)).toMatchObject({ kind: 'sentry', name: 'Sentry' });
    const bad = await parley(['webhook', 'create', `#${chan.name}`, '--name', 'X', '--kind', 'jira'], { configDir: admin.dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--kind is one of');
  });

  it('outgoing create prints the signing secret; a triggered message reaches the receiver signed; deliveries and redeliver show and resend it', async () => {
    const admin = await newUser('outadmin');
    const chan = await newChannel(admin);
    const got: { headers: http.IncomingHttpHeaders; body: string }[] = [];
    const answers = [500, 200];
    const receiver = http.createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (c: string) => (body += c));
      req.on('end', () => {
        got.push({ headers: req.headers, body });
        const status = answers.length > 1 ? answers.shift()! : answers[0]!;
        res.writeHead(status, { 'content-type': 'application/json' }).end(status === 200 ? JSON.stringify({ text: 'on it' }) : '{}');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/parley`;
      const created = await parley(['outgoing', 'create', `#${chan.name}`, '--name', 'Deployer', '--url', hookUrl, '--trigger', 'deploy', 'ship'], { configDir: admin.dir });
      expect(created.code, created.stderr).toBe(0);
      const secret = created.stdout.trim();
      expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const listed = await parley(['outgoing', 'list', `#${chan.name}`], { configDir: admin.dir });
      const id = listed.stdout.split(/\s+/)[0]!;
      expect(listed.stdout).toMatch(new RegExp(`^${id}  Deployer\\s+on deploy ship\\s+${hookUrl.replace(/[.]/g, '\\.')}$`, 'm'));

      expect((await parley(['send', `#${chan.name}`, 'not for the hook'], { configDir: admin.dir })).code).toBe(0);
      expect((await parley(['send', `#${chan.name}`, 'ship v2'], { configDir: admin.dir })).code).toBe(0);
      await until(
        'the reply',
        async () => {
          const page = await api<{ messages: Message[] }>(server, 'GET', `/conversations/${chan.id}/messages`, undefined, admin.token);
          return page.body.messages.some((m) => m.body === 'on it') ? true : undefined;
        },
        15_000,
      );
      expect(got).toHaveLength(2);
      expect(got.every((g) => verifyWebhookSignature(secret, g))).toBe(true);
      expect(JSON.parse(got[1]!.body)).toMatchObject({ text: 'ship v2', trigger_word: 'ship' });

      const shown = await parley(['outgoing', 'deliveries', id], { configDir: admin.dir });
      expect(shown.stdout).toMatch(/^[0-9A-Z]{26} {2}.* message\.created\s+delivered HTTP 200, \d+ ms, 2 attempts$/m);
      const deliveryId = shown.stdout.split(/\s+/)[0]!;
      expect((await parley(['outgoing', 'redeliver', id, deliveryId], { configDir: admin.dir })).code).toBe(0);
      await until('the redelivery', async () => (got.length === 3 ? true : undefined), 15_000);
      expect(got[2]!.headers['x-parley-delivery']).toBe(deliveryId);
      expect((await parley(['outgoing', 'revoke', id], { configDir: admin.dir })).code).toBe(0);
      expect((await parley(['outgoing', 'list', `#${chan.name}`], { configDir: admin.dir })).stdout).toBe('');
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
  });
});

describe('parley command', { timeout: 60_000 }, () => {
  it('an admin adds /deploy; a member lists it without its URL and runs it, getting the signed endpoint’s answers; a member may not add; remove removes it', async () => {
    const ownerDir = configFor(owner);
    const member = await newUser('cmdmember');
    const chan = await newChannel(member);
    let secret = '';
    const got: Record<string, string>[] = [];
    const endpoint = http.createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (c: string) => (body += c));
      req.on('end', () => {
        if (!verifyWebhookSignature(secret, { body, headers: req.headers })) return void res.writeHead(401).end();
        const fields = Object.fromEntries(new URLSearchParams(body));
        got.push(fields);
        const inChannel = fields['text'] === 'web';
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ response_type: inChannel ? 'in_channel' : 'ephemeral', text: `Deploying ${fields['text']} for ${fields['user_name']}…` }));
      });
    });
    await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
    try {
      const endpointUrl = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/slash`;
      const added = await parley(['command', 'add', '/deploy', '--url', endpointUrl, '--description', 'Deploy a service', '--hint', '[service]', '--as', 'Deployer'], { configDir: ownerDir });
      expect(added.code, added.stderr).toBe(0);
      expect(added.stderr).toContain(`Command /deploy`);
      const [signing, token] = added.stdout.split('\n');
      expect(signing).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(token).toMatch(/^\S+$/);
      secret = signing!;

      const [asMember, asOwner] = await Promise.all([parley(['command', 'list'], { configDir: member.dir }), parley(['command', 'list'], { configDir: ownerDir })]);
      expect(asMember.stdout).toMatch(/^\/deploy +\[service\] +Deploy a service\n$/);
      expect(asOwner.stdout).toMatch(new RegExp(`^/deploy +\\[service\\] +Deploy a service  ${endpointUrl.replace(/[.]/g, '\\.')}\n$`));

      const ran = await parley(['command', 'run', `#${chan.name}`, 'deploy', 'api'], { configDir: member.dir });
      expect([ran.code, ran.stdout, ran.stderr]).toEqual([0, `Deploying api for ${member.user.username}…\n`, '']);
      expect(got.at(-1)).toMatchObject({ command: '/deploy', text: 'api', token, channel_id: chan.id, user_name: member.user.username });
      const posted = await parley(['command', 'run', `#${chan.name}`, '/deploy', 'web'], { configDir: member.dir });
      expect([posted.code, posted.stdout]).toEqual([0, '']);
      expect(posted.stderr).toMatch(/^posted #\d+\n$/);
      const stored = await api<{ messages: Message[] }>(server, 'GET', `/conversations/${chan.id}/messages`, undefined, member.token);
      expect(stored.body.messages.map((m) => [m.sender_id, m.body])).toEqual([[member.user.id, `Deploying web for ${member.user.username}…`]]);

      const refused = await parley(['command', 'add', 'mine', '--url', endpointUrl], { configDir: member.dir });
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toMatch(/owners and admins.*\(forbidden\)/);
      expect(refused.stdout).toBe('');

      const removed = await parley(['command', 'remove', 'deploy'], { configDir: ownerDir });
      expect([removed.code, removed.stderr]).toEqual([0, 'Command /deploy removed.\n']);
      expect((await parley(['command', 'list'], { configDir: ownerDir })).stdout).toBe('');
      const gone = await parley(['command', 'run', `#${chan.name}`, 'deploy', 'api'], { configDir: member.dir });
      expect(gone.code).toBe(4);
      expect(gone.stderr).toBe('parley: There is no command /deploy. (not_found)\n');
      expect((await parley(['command', 'remove', 'deploy'], { configDir: ownerDir })).code).toBe(4);
    } finally {
      await new Promise((resolve) => endpoint.close(resolve));
    }
  });
});

describe('parley in CI and for admins', { timeout: 60_000 }, () => {
  it('token create --scope read makes a token that reads but cannot send; token list shows its scopes; bot remove stops a bot’s tokens', async () => {
    const owner = await newUser('scoper');
    const chan = await newChannel(owner);
    const created = await parley(['token', 'create', '--name', 'reader', '--scope', 'read'], { configDir: owner.dir });
    expect(created.code, created.stderr).toBe(0);
    const env = { PARLEY_SERVER: url, PARLEY_TOKEN: created.stdout.trim() };
    const empty = freshDir('scoped');
    const sent = await parley(['send', `#${chan.name}`, 'from a read-only token'], { configDir: empty, env });
    expect(sent.code).not.toBe(0);
    expect(sent.stderr).toContain('lacks the "post" scope');
    expect((await parley(['history', `#${chan.name}`], { configDir: empty, env })).code).toBe(0);
    const listed = await parley(['token', 'list'], { configDir: owner.dir });
    expect(listed.stdout).toMatch(/ reader\s+user=\S+ {2}read {2}created /);

    // A bot and its token; removing the bot stops the token.
    const botToken = (await parley(['token', 'create', '--bot', 'scopebot'], { configDir: owner.dir })).stdout.trim();
    expect((await parley(['bot', 'list'], { configDir: owner.dir })).stdout).toMatch(/ @scopebot /);
    expect((await parley(['whoami'], { configDir: empty, env: { PARLEY_SERVER: url, PARLEY_TOKEN: botToken } })).code).toBe(0);
    expect((await parley(['bot', 'remove', '@scopebot'], { configDir: owner.dir })).code).toBe(0);
    expect((await parley(['whoami'], { configDir: empty, env: { PARLEY_SERVER: url, PARLEY_TOKEN: botToken } })).code).not.toBe(0);
    expect((await parley(['bot', 'remove', 'scopebot'], { configDir: owner.dir })).code).toBe(4);
  });

  it('PARLEY_SERVER and PARLEY_TOKEN work without logging in, and win over stored credentials', async () => {
    const [bot, other] = await Promise.all([newUser('cibot'), newUser('someone')]);
    const chan = await newChannel(bot);
    const env = { PARLEY_SERVER: url, PARLEY_TOKEN: bot.token };
    const empty = freshDir('ci');
    const [send, overriding] = await Promise.all([
      parley(['send', `#${chan.name}`, 'deploy finished'], { configDir: empty, env }),
      // Stored credentials of someone else: the environment wins.
      parley(['whoami'], { configDir: other.dir, env }),
    ]);
    expect(send.code).toBe(0);
    expect(overriding.code).toBe(0);
    expect(overriding.stdout).toBe(`${bot.user.username} (${bot.user.username}, member)\n`);
    expect(fs.readdirSync(empty)).toEqual([]);
    const stored = await api<{ messages: Message[] }>(server, 'GET', `/conversations/${chan.id}/messages`, undefined, bot.token);
    expect(stored.body.messages.map((m) => [m.body, m.sender_id])).toEqual([['deploy finished', bot.user.id]]);
  });

  it('admin users lists the users for the owner and is refused for a plain member', async () => {
    const member = await newUser('plain');
    const ownerDir = configFor(owner);
    const [asOwner, asMember] = await Promise.all([parley(['admin', 'users'], { configDir: ownerDir }), parley(['admin', 'users'], { configDir: member.dir })]);
    expect(asOwner.code).toBe(0);
    expect(asOwner.stdout).toMatch(new RegExp(`^owner\\s+owner\\s+${owner.user.id}`, 'm'));
    expect(asOwner.stdout).toMatch(new RegExp(`^${member.user.username}\\s+member\\s+${member.user.id}`, 'm'));
    expect(asMember.code).not.toBe(0);
    expect(asMember.stderr).toMatch(/owners and admins/);
    expect(asMember.stdout).toBe('');
  });

  it('admin users deactivate locks a user out and reactivate finds them again and lets them back in', async () => {
    const member = await newUser('paused');
    const ownerDir = configFor(owner);
    const login = () => api(server, 'POST', '/auth/login', { username: member.user.username, password: 'correct horse battery' });

    const off = await parley(['admin', 'users', 'deactivate', member.user.username], { configDir: ownerDir });
    expect(off.code).toBe(0);
    expect(off.stderr).toContain(`${member.user.username} is deactivated.`);
    expect((await login()).status).toBe(401);

    const on = await parley(['admin', 'users', 'reactivate', member.user.username], { configDir: ownerDir });
    expect(on.stderr).toContain(`${member.user.username} is active again.`);
    expect(on.code).toBe(0);
    expect((await login()).status).toBe(200);
  });
});
