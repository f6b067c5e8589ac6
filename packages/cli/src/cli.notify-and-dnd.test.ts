/**
 * `parley notify` and `parley dnd` end to end against a real server in its own process: a level
 * set from the shell is the member's own (the server's view says so, another member's does not
 * change), Do Not Disturb takes a duration or a time and `off`, and bad input is a usage error.
 */
import { describe, expect, it } from 'vitest';
import type { Conversation, NotificationSettings } from '@parley/protocol';
import { api } from '@parley/server/testing';
import { newChannel, newUser, parley, server, useCliServer } from './testing/e2e-harness.js';

useCliServer();

describe('parley notify and parley dnd', { timeout: 60_000 }, () => {
  it('sets and shows my level in a conversation, mine alone; a level that is not one is a usage error', async () => {
    const [alice, bob] = await Promise.all([newUser('alice'), newUser('bob')]);
    const chan = await newChannel(alice, [bob]);

    const shown = await parley(['notify', `#${chan.name}`], { configDir: bob.dir });
    expect([shown.code, shown.stdout]).toEqual([0, `#${chan.name}: mentions (only mentions of you notifies you)\n`]);
    const set = await parley(['notify', `#${chan.name}`, 'nothing'], { configDir: bob.dir });
    expect([set.code, set.stdout]).toEqual([0, `#${chan.name}: nothing (nothing notifies you)\n`]);
    expect((await api<Conversation>(server, 'GET', `/conversations/${chan.id}`, undefined, bob.token)).body.membership).toMatchObject({ notify: 'nothing', muted: true });
    expect((await api<Conversation>(server, 'GET', `/conversations/${chan.id}`, undefined, alice.token)).body.membership?.notify).toBe('mentions');

    const json = await parley(['notify', `#${chan.name}`, 'all', '--json'], { configDir: bob.dir });
    expect(JSON.parse(json.stdout)).toEqual({ conv_id: chan.id, notify: 'all', muted: false });

    const bad = await parley(['notify', `#${chan.name}`, 'loud'], { configDir: bob.dir });
    expect([bad.code, bad.stderr]).toEqual([2, 'parley: loud: the level is one of all, mentions, nothing.\n']);
  });

  it('Do Not Disturb for a duration, until a time, and off; a time past is a usage error', async () => {
    const carol = await newUser('carol');
    const before = Date.now();
    const set = await parley(['dnd', '1h', '--json'], { configDir: carol.dir });
    expect(set.code).toBe(0);
    const until = Date.parse((JSON.parse(set.stdout) as NotificationSettings).dnd_until!);
    expect(until).toBeGreaterThanOrEqual(before + 3_600_000 - 1_000);
    expect(until).toBeLessThanOrEqual(Date.now() + 3_600_000 + 1_000);
    expect((await api<NotificationSettings>(server, 'GET', '/me/notifications', undefined, carol.token)).body.dnd_until).toBe(new Date(until).toISOString());

    const at = new Date(Date.now() + 2 * 86_400_000);
    at.setMilliseconds(0);
    const until2 = await parley(['dnd', at.toISOString()], { configDir: carol.dir });
    expect(until2.code).toBe(0);
    expect(until2.stdout).toMatch(/^Do Not Disturb until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\n$/);
    expect((await api<NotificationSettings>(server, 'GET', '/me/notifications', undefined, carol.token)).body.dnd_until).toBe(at.toISOString());

    const off = await parley(['dnd', 'off'], { configDir: carol.dir });
    expect([off.code, off.stdout]).toEqual([0, 'Do Not Disturb is off\n']);
    expect((await api<NotificationSettings>(server, 'GET', '/me/notifications', undefined, carol.token)).body.dnd_until).toBeNull();
    expect((await parley(['dnd'], { configDir: carol.dir })).stdout).toBe('Do Not Disturb is off\n');

    const past = await parley(['dnd', '2001-01-01T00:00:00Z'], { configDir: carol.dir });
    expect(past.code).toBe(2);
    expect(past.stderr).toMatch(/that time has passed/);
  });
});
