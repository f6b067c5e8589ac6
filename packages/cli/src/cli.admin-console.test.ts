/**
 * `parley admin users QUERY`, `admin sessions USER [--revoke]`, `admin channels`, `admin stats`,
 * `admin integrations`,
 * end to end against a real server in its own process, and their refusals for a plain member.
 */
import { describe, expect, it } from 'vitest';
import type { AdminChannel, AdminIntegration, ClusterStats, CreatedIncomingWebhook, Session } from '@parley/protocol';
import { api, createConversation, login } from '@parley/server/testing';
import { configFor, jsonLines, newUser, owner, parley, server, until, useCliServer } from './testing/e2e-harness.js';

useCliServer();

describe('parley admin console commands', { timeout: 120_000 }, () => {
  it('admin users QUERY finds a user; admin sessions USER lists their devices and --revoke signs them out everywhere', async () => {
    const dave = await newUser('davecons');
    const phone = await login(server, dave.user.username);
    const ownerDir = configFor(owner);

    const found = await parley(['admin', 'users', 'davecons'], { configDir: ownerDir });
    expect(found.code).toBe(0);
    expect(found.stdout).toMatch(new RegExp(`^${dave.user.username}\\s+member\\s+${dave.user.id}`, 'm'));
    expect(found.stdout).not.toMatch(/^owner\s/m);

    const listed = await parley(['admin', 'sessions', dave.user.username, '--json'], { configDir: ownerDir });
    expect(listed.code).toBe(0);
    expect(
      jsonLines<Session>(listed.stdout)
        .map((s) => s.id)
        .sort(),
    ).toEqual([dave.sessionId, phone.sessionId].sort());

    const revoked = await parley(['admin', 'sessions', dave.user.username, '--revoke'], { configDir: ownerDir });
    expect([revoked.code, revoked.stderr]).toEqual([0, `${dave.user.username} is signed out everywhere (2 sessions).\n`]);
    expect((await api(server, 'GET', '/me', undefined, phone.token)).status).toBe(401);
    const none = await parley(['admin', 'sessions', dave.user.username], { configDir: ownerDir });
    expect([none.code, none.stdout, none.stderr]).toEqual([0, '', `${dave.user.username} has no live sessions.\n`]);

    // Without a user it is still my own sessions.
    const mine = await parley(['admin', 'sessions'], { configDir: ownerDir });
    expect(mine.code).toBe(0);
    expect(mine.stdout).toContain('(this one)');
  });

  it('admin channels lists private channels too, with owners and members; admin stats shows this node healthy', async () => {
    const alice = await newUser('alicecons');
    const secret = await createConversation(server, alice.token, { kind: 'channel', name: 'hushcons', visibility: 'private', member_ids: [] });
    const ownerDir = configFor(owner);

    const text = await parley(['admin', 'channels', 'hushcons'], { configDir: ownerDir });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`^#hushcons\\s+private\\s+1 members\\s+owners ${alice.user.username}\\s+last .*${secret.id}$`, 'm'));
    const json = await parley(['admin', 'channels', 'hushcons', '--json'], { configDir: ownerDir });
    expect(jsonLines<AdminChannel>(json.stdout)).toEqual([expect.objectContaining({ id: secret.id, visibility: 'private', member_count: 1, archived: false })]);

    // The node writes its heartbeat as it starts.
    const stats = await until(
      'the node has reported',
      async () => {
        const r = await parley(['admin', 'stats', '--json'], { configDir: ownerDir });
        expect(r.code).toBe(0);
        const s = JSON.parse(r.stdout) as ClusterStats;
        return s.nodes.length > 0 ? s : undefined;
      },
      20_000,
    );
    expect(stats.nodes[0]).toMatchObject({ healthy: true });
    const table = await parley(['admin', 'stats'], { configDir: ownerDir });
    expect(table.stdout).toMatch(/^NODE\s+STATE\s+SOCKETS\s+USERS\s+MSG\/MIN/);
    expect(table.stdout).toMatch(new RegExp(`^${stats.nodes[0]!.name}\\s+healthy\\s+\\d+`, 'm'));
    expect(table.stdout).toMatch(/^1\/1 nodes healthy, \d+ sockets/m);
  });

  it('admin integrations lists webhooks with their channel, commands and bots; --type narrows it; a bad --type is a usage error', async () => {
    const frank = await newUser('frankcons');
    const room = await createConversation(server, frank.token, { kind: 'channel', name: 'deployscons', visibility: 'public', member_ids: [] });
    const hook = await api<CreatedIncomingWebhook>(server, 'POST', `/conversations/${room.id}/webhooks`, { name: 'Jenkinscons' }, frank.token);
    expect(hook.status).toBe(201);
    expect((await api(server, 'POST', '/bots', { username: 'robotcons' }, frank.token)).status).toBe(201);
    const ownerDir = configFor(owner);

    const table = await parley(['admin', 'integrations'], { configDir: ownerDir });
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^TYPE\s+NAME\s+WHERE\s+DETAIL\s+BY\s+LAST USED\s+ID/);
    expect(table.stdout).toMatch(new RegExp(`^incoming\\s+Jenkinscons\\s+#deployscons\\s+slack\\s+${frank.user.username}\\s+never\\s+${hook.body.id}$`, 'm'));
    expect(table.stdout).toMatch(new RegExp(`^bot\\s+robotcons\\s+workspace\\s+@robotcons\\s+${frank.user.username}`, 'm'));
    expect(table.stdout).not.toContain(hook.body.url.split('/').pop()!);

    const bots = await parley(['admin', 'integrations', '--type', 'bot', '--json'], { configDir: ownerDir });
    expect(bots.code).toBe(0);
    const listed = jsonLines<AdminIntegration>(bots.stdout);
    expect(listed.map((i) => i.type)).toEqual(listed.map(() => 'bot'));
    expect(listed.map((i) => i.detail)).toContain('@robotcons');

    const bad = await parley(['admin', 'integrations', '--type', 'robots'], { configDir: ownerDir });
    expect([bad.code, bad.stdout]).toEqual([2, '']);
    expect(bad.stderr).toContain('--type is one of incoming, outgoing, command, bot');
  });

  it('a plain member is refused by each of them, exit code non-zero and nothing on stdout', async () => {
    const member = await newUser('plaincons');
    for (const args of [
      ['admin', 'sessions', 'owner'],
      ['admin', 'sessions', 'owner', '--revoke'],
      ['admin', 'channels'],
      ['admin', 'stats'],
      ['admin', 'integrations'],
    ]) {
      const r = await parley(args, { configDir: member.dir });
      expect({ args, code: r.code === 0, stdout: r.stdout }).toEqual({ args, code: false, stdout: '' });
      expect(r.stderr).toMatch(/owners and admins/);
    }
    expect((await api(server, 'GET', '/me', undefined, owner.token)).status).toBe(200);
  });
});
