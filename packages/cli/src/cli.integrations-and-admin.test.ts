/**
 * `parley webhook`, `outgoing`, `command`, tokens, bots and admin commands, end to end against a
 * real server in its own process.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { Message } from '@parley/protocol';
import { api } from '@parley/server/testing';
import { verifyWebhookSignature } from '@parley/sdk';
import { freshDir, parley, until, url, server, owner, newUser, configFor, newChannel, useCliServer } from './testing/e2e-harness.js';

useCliServer();

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

  it('admin lockouts lists an account locked out after failed sign-ins, and admin lockouts clear lets it back in; a member may do neither', async () => {
    const [victim, member] = await Promise.all([newUser('guessed'), newUser('nosy')]);
    const ownerDir = configFor(owner);
    const login = (password: string) => api(server, 'POST', '/auth/login', { username: victim.user.username, password });
    // The server runs with the default limit: five failures lock the account out.
    for (let i = 0; i < 5; i++) expect((await login(`guess ${i}`)).status).toBe(401);
    expect((await login('correct horse battery')).status).toBe(429);

    const listed = await parley(['admin', 'lockouts'], { configDir: ownerDir });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`^account:${victim.user.username}\\s+locked until \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\s+lockouts=1`, 'm'));
    const json = await parley(['admin', 'lockouts', '--json'], { configDir: ownerDir });
    expect(
      json.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { key: string; level: number }),
    ).toContainEqual(expect.objectContaining({ key: `account:${victim.user.username}`, level: 1 }));

    const refused = await parley(['admin', 'lockouts', 'clear', victim.user.username], { configDir: member.dir });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/owners and admins/);
    expect((await parley(['admin', 'lockouts'], { configDir: member.dir })).code).not.toBe(0);

    const cleared = await parley(['admin', 'lockouts', 'clear', victim.user.username], { configDir: ownerDir });
    expect(cleared.code).toBe(0);
    expect(cleared.stderr).toContain(`Lifted account:${victim.user.username}`);
    expect((await login('correct horse battery')).status).toBe(200);
  });
});
