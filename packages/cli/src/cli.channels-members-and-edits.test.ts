/**
 * What the web's details panel does, from the shell, end to end against a real server in its own
 * process: `parley channel create --private --since-join`, `channel info`, rename, topic,
 * purpose, history option, archive; `parley members` list, add, role, remove; `parley edits`.
 * Their output, their JSON and their exit codes when the server refuses.
 */
import { describe, expect, it } from 'vitest';
import type { Conversation, HistoryPage, Member, MessageEdit } from '@parley/protocol';
import { api } from '@parley/server/testing';
import { jsonLines, newUser, parley, restSend, server, uniqueName, useCliServer } from './testing/e2e-harness.js';

useCliServer();

const TIME = '\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d';

describe('parley channel and parley members', { timeout: 300_000 }, () => {
  it('creates a private since-join channel, manages its members and settings, and refuses a plain member with a typed exit code', async () => {
    const [alice, bob, carol] = await Promise.all([newUser('alice'), newUser('bob'), newUser('carol')]);
    const name = uniqueName('incidents');

    const made = await parley(['channel', 'create', name, '--private', '--since-join', '--purpose', 'Outages and their follow-ups', '--member', `@${bob.user.username}`], { configDir: alice.dir });
    expect(made.code).toBe(0);
    expect(made.stdout).toMatch(
      new RegExp(
        `^#${name}  private channel  [0-9A-Z]{26}\\ntopic     -\\npurpose   Outages and their follow-ups\\n` +
          `history   since-join \\(people added later see messages from when they join\\)\\nmembers   2\\ncreated   ${TIME} by ${alice.user.username}\\n$`,
      ),
    );
    const conv = (await parley(['channel', 'info', `#${name}`, '--json'], { configDir: bob.dir })).stdout;
    const c = JSON.parse(conv) as Conversation;
    expect(c).toMatchObject({ name, visibility: 'private', history_visibility: 'since_join', purpose: 'Outages and their follow-ups' });
    const early = await restSend(alice, c.id, 'before carol');

    // Members: add, promote, list, remove.
    expect(await parley(['members', 'add', `#${name}`, `@${carol.user.username}`], { configDir: alice.dir })).toEqual({
      code: 0,
      stdout: '',
      stderr: `Added @${carol.user.username} to #${name}.\n`,
    });
    const carolsHistory = await api<HistoryPage>(server, 'GET', `/conversations/${c.id}/messages`, undefined, carol.token);
    expect(carolsHistory.body.messages.map((m) => m.id)).not.toContain(early.id);
    expect((await parley(['members', 'role', `#${name}`, carol.user.username, 'admin'], { configDir: alice.dir })).stderr).toBe(`@${carol.user.username} is now admin in #${name}.\n`);
    const listed = await parley(['members', `#${name}`], { configDir: bob.dir });
    expect(listed.code).toBe(0);
    expect(
      listed.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split(/\s+/).slice(0, 2)),
    ).toEqual([
      [alice.user.username, 'owner'],
      [carol.user.username, 'admin'],
      [bob.user.username, 'member'],
    ]);
    expect(jsonLines<Member>((await parley(['members', 'list', `#${name}`, '--json'], { configDir: bob.dir })).stdout).map((m) => m.role)).toEqual(['owner', 'admin', 'member']);

    // Bob is a plain member: no removing, no renaming, no history option; exit code 1 with the server's words.
    const refused = await parley(['members', 'remove', `#${name}`, `@${carol.user.username}`], { configDir: bob.dir });
    expect(refused).toMatchObject({ code: 1, stdout: '' });
    expect(refused.stderr).toMatch(/^parley: .*\(forbidden\)\n$/);
    expect((await parley(['channel', 'rename', `#${name}`, 'mine'], { configDir: bob.dir })).code).toBe(1);
    expect((await parley(['channel', 'history', `#${name}`, 'full'], { configDir: bob.dir })).stderr).toMatch(/\(forbidden\)\n$/);
    // But the topic and the purpose are any member's.
    expect((await parley(['channel', 'topic', `#${name}`, 'All quiet'], { configDir: bob.dir })).stdout).toContain('topic     All quiet\n');

    expect(await parley(['members', 'remove', `#${name}`, `@${carol.user.username}`], { configDir: alice.dir })).toEqual({
      code: 0,
      stdout: '',
      stderr: `Removed @${carol.user.username} from #${name}.\n`,
    });

    // Settings.
    const renamed = uniqueName('outages');
    expect((await parley(['channel', 'rename', `#${name}`, renamed], { configDir: alice.dir })).stdout).toMatch(new RegExp(`^#${renamed}  private channel`));
    expect((await parley(['channel', 'purpose', `#${renamed}`, '--clear'], { configDir: bob.dir })).stdout).toContain('purpose   -\n');
    expect((await parley(['channel', 'purpose', `#${renamed}`], { configDir: bob.dir })).code).toBe(2);
    expect((await parley(['channel', 'history', `#${renamed}`, 'full'], { configDir: alice.dir })).stdout).toContain('history   full (people added later read the whole history)\n');
    expect((await parley(['channel', 'history', `#${renamed}`, 'sometimes'], { configDir: alice.dir })).code).toBe(2);
    expect((await parley(['channel', 'archive', `#${renamed}`], { configDir: alice.dir })).stdout).toContain('archived  yes (read-only)\n');
    const after = await api<Conversation>(server, 'GET', `/conversations/${c.id}`, undefined, bob.token);
    expect(after.body).toMatchObject({ name: renamed, topic: 'All quiet', purpose: null, history_visibility: 'full', archived: true });
    expect((await parley(['channel', 'unarchive', `#${renamed}`, '--json'], { configDir: alice.dir })).stdout).toContain('"archived":false');

    expect(await parley(['channel', 'leave', `#${renamed}`], { configDir: bob.dir })).toEqual({ code: 0, stdout: '', stderr: `You left #${renamed}.\n` });
    // Not a member any more: a private channel he cannot find is exit code 4.
    expect((await parley(['members', `#${renamed}`], { configDir: bob.dir })).code).toBe(4);
  });
});

describe('parley edits', { timeout: 120_000 }, () => {
  it('prints the message now and each earlier version for its sender; others are refused', async () => {
    const [dan, erin] = await Promise.all([newUser('dan'), newUser('erin')]);
    const c = JSON.parse((await parley(['channel', 'create', uniqueName('notes'), '--member', `@${erin.user.username}`, '--json'], { configDir: dan.dir })).stdout) as Conversation;
    const msg = await restSend(dan, c.id, 'standup at 9');
    expect(await parley(['edits', msg.id], { configDir: dan.dir })).toEqual({ code: 0, stdout: 'now:\n  standup at 9\n', stderr: `Message ${msg.id} was never edited.\n` });
    for (const body of ['standup at 9:30', 'standup at 10\nin room B']) expect((await api(server, 'PATCH', `/messages/${msg.id}`, { body }, dan.token)).status).toBe(200);

    const shown = await parley(['edits', msg.id], { configDir: dan.dir });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(new RegExp(`^now \\(edited ${TIME}\\):\\n  standup at 10\\n  in room B\\nuntil ${TIME}:\\n  standup at 9:30\\noriginal, until ${TIME}:\\n  standup at 9\\n$`));
    const json = jsonLines<MessageEdit>((await parley(['edits', msg.id, '--json'], { configDir: dan.dir })).stdout);
    expect(json.map((e) => e.previous_body)).toEqual(['standup at 9:30', 'standup at 9']);

    const refused = await parley(['edits', msg.id], { configDir: erin.dir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/\(forbidden\)\n$/);
  });
});
