/**
 * Retention from the shell, end to end against a real server in its own process: `parley admin
 * settings --retention 90d|forever` and `parley retention #channel 30|inherit`, their output,
 * their JSON, and the exit codes of a refusal and of a bad value.
 */
import { describe, expect, it } from 'vitest';
import type { Conversation, WorkspaceSettings } from '@parley/protocol';
import { api } from '@parley/server/testing';
import { configFor, newChannel, newUser, owner, parley, server, useCliServer } from './testing/e2e-harness.js';
import { retentionOption } from './commands/retention.js';

useCliServer();

describe('parley admin settings --retention and parley retention', { timeout: 120_000 }, () => {
  it('sets the workspace retention and a channel’s own, shows them, and refuses who may not and what is not one', async () => {
    const ownerDir = configFor(owner);
    const shown = await parley(['admin', 'settings', '--retention', '90d'], { configDir: ownerDir });
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain('retention      90 days\n');
    const json = JSON.parse((await parley(['admin', 'settings', '--json'], { configDir: ownerDir })).stdout) as WorkspaceSettings;
    expect(json.retention_days).toBe(90);
    expect((await parley(['admin', 'settings', '--retention', 'forever'], { configDir: ownerDir })).stdout).toContain('retention      forever\n');
    expect((await api<WorkspaceSettings>(server, 'GET', '/admin/settings', undefined, owner.token)).body.retention_days).toBeNull();

    const alice = await newUser('alice');
    const chan = await newChannel(alice);
    const set = await parley(['retention', `#${chan.name}`, '30'], { configDir: ownerDir });
    expect(set).toEqual({ code: 0, stdout: `#${chan.name} keeps messages 30 days; older ones are erased for everyone.\n`, stderr: '' });
    expect((await api<Conversation>(server, 'GET', `/conversations/${chan.id}`, undefined, alice.token)).body.retention_days).toBe(30);
    const back = JSON.parse((await parley(['retention', `#${chan.name}`, 'inherit', '--json'], { configDir: ownerDir })).stdout) as Conversation;
    expect(back.retention_days).toBeNull();

    // The channel's own owner is no workspace admin: refused, exit 1 with the server's reason.
    const refused = await parley(['retention', `#${chan.name}`, '1'], { configDir: alice.dir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe('parley: Only workspace owners and admins set a retention policy. (forbidden)\n');
    // Not a number of days: a usage error, before any request.
    expect((await parley(['retention', `#${chan.name}`, 'soon'], { configDir: ownerDir })).code).toBe(2);
    expect((await parley(['admin', 'settings', '--retention', '0'], { configDir: ownerDir })).code).toBe(2);
  });

  it('reads days as typed', () => {
    expect(retentionOption('30', '--retention')).toBe(30);
    expect(retentionOption('90d', '--retention')).toBe(90);
    expect(retentionOption(' Forever ', '--retention')).toBeNull();
    expect(() => retentionOption('36501', '--retention')).toThrow(/1 to 36500/);
    expect(() => retentionOption('2w', '--retention')).toThrow(/forever/);
  });
});
