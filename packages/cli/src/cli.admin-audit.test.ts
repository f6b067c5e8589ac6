/**
 * `parley admin audit`, end to end against a real server in its own process: `--since 24h --json`
 * for scripts, filters by actor and action, a table for people, and the refusals.
 */
import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '@parley/protocol';
import { api } from '@parley/server/testing';
import { configFor, jsonLines, newUser, owner, parley, server, useCliServer } from './testing/e2e-harness.js';

useCliServer();

describe('parley admin audit', { timeout: 60_000 }, () => {
  it('--since 24h --json prints the last day’s entries one per line, newest first, with actor usernames; --actor and --action narrow them', async () => {
    const member = await newUser('audited');
    expect((await api(server, 'POST', '/auth/login', { username: member.user.username, password: 'not the password' })).status).toBe(401);
    expect((await api(server, 'POST', '/auth/login', { username: member.user.username, password: 'correct horse battery' })).status).toBe(200);
    const ownerDir = configFor(owner);
    const started = Date.now();

    const day = await parley(['admin', 'audit', '--since', '24h', '--json'], { configDir: ownerDir });
    expect(day.stderr).toBe('');
    expect(day.code).toBe(0);
    const entries = jsonLines<AuditEntry>(day.stdout);
    expect(entries).toContainEqual(expect.objectContaining({ action: 'auth.login', actor_id: member.user.id, actor_username: member.user.username, target: member.user.id, ip: '127.0.0.1' }));
    expect(entries).toContainEqual(expect.objectContaining({ action: 'auth.login_failed', target: member.user.username }));
    for (const e of entries) expect(Date.parse(e.created_at)).toBeGreaterThan(started - 86_400_000 - 60_000);
    const ids = entries.map((e) => e.id);
    expect([...ids].sort().reverse()).toEqual(ids);

    const narrowed = await parley(['admin', 'audit', '--since', '24h', '--actor', `@${member.user.username}`, '--action', 'auth.', '--json'], { configDir: ownerDir });
    expect(narrowed.code).toBe(0);
    expect(jsonLines<AuditEntry>(narrowed.stdout).map((e) => e.action)).toEqual(['auth.login', 'auth.login_failed', 'auth.login']);

    // Nothing is older than this server: until an hour ago there is no entry.
    const none = await parley(['admin', 'audit', '--until', '1h'], { configDir: ownerDir });
    expect([none.code, none.stdout, none.stderr]).toEqual([0, '', 'No audit entries match.\n']);
  });

  it('without --json prints a table of time, actor, action, target and address', async () => {
    const member = await newUser('tabled');
    const table = await parley(['admin', 'audit', '--actor', member.user.username, '--limit', '5'], { configDir: configFor(owner) });
    expect(table.code).toBe(0);
    const [header, ...rows] = table.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^TIME\s+ACTOR\s+ACTION\s+TARGET\s+IP$/);
    expect(rows).toContainEqual(expect.stringMatching(new RegExp(`^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\s+${member.user.username}\\s+auth\\.login\\s+${member.user.id}\\s+127\\.0\\.0\\.1$`)));
  });

  it('a bad duration is a usage error (exit 2); a bad action is the server’s 400; a member is refused', async () => {
    const ownerDir = configFor(owner);
    const badDuration = await parley(['admin', 'audit', '--since', '24x'], { configDir: ownerDir });
    expect(badDuration.code).toBe(2);
    expect(badDuration.stderr).toContain('--since 24x');
    const badAction = await parley(['admin', 'audit', '--action', 'auth..login'], { configDir: ownerDir });
    expect(badAction.code).toBe(1);
    expect(badAction.stderr).toContain('invalid_request');
    const member = await newUser('curious');
    const refused = await parley(['admin', 'audit', '--since', '24h', '--json'], { configDir: member.dir });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain('forbidden');
  });
});
