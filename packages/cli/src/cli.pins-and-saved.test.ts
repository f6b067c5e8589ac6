/**
 * Pins and saved messages from the shell, end to end against a real server in its own process:
 * `parley pin`, `unpin`, `pins`, `save`, `unsave` and `saved`, their output, their JSON and their
 * exit codes when the server refuses.
 */
import { describe, expect, it } from 'vitest';
import type { Pin, SavedMessage } from '@parley/protocol';
import { api } from '@parley/server/testing';
import { jsonLines, newChannel, newUser, parley, restSend, server, useCliServer } from './testing/e2e-harness.js';

useCliServer();

const TIME = '\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d';

describe('parley pin, unpin and pins', { timeout: 120_000 }, () => {
  it('pins a message for everyone, lists the pins newest first, and unpins; refusals are typed exit codes', async () => {
    const [alice, bob] = await Promise.all([newUser('alice'), newUser('bob')]);
    const chan = await newChannel(alice, [bob]);
    const first = await restSend(alice, chan.id, 'we deploy on Tuesdays');
    const second = await restSend(bob, chan.id, 'the on-call rota is in the wiki');

    const nothing = await parley(['pins', `#${chan.name}`], { configDir: bob.dir });
    expect(nothing).toEqual({ code: 0, stdout: '', stderr: `Nothing is pinned in #${chan.name}.\n` });

    const pinned = await parley(['pin', first.id], { configDir: alice.dir });
    expect(pinned).toEqual({ code: 0, stdout: '', stderr: `📌 Message ${first.id} is pinned.\n` });
    expect((await parley(['pin', second.id], { configDir: bob.dir })).code).toBe(0);

    const listed = await parley(['pins', `#${chan.name}`], { configDir: bob.dir });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(
      new RegExp(
        `^📌 ${TIME} by ${bob.user.username}\\n    ${TIME}  #${second.seq}  ${bob.user.username}: the on-call rota is in the wiki\\n` +
          `📌 ${TIME} by ${alice.user.username}\\n    ${TIME}  #${first.seq}  ${alice.user.username}: we deploy on Tuesdays\\n$`,
      ),
    );
    const json = jsonLines<Pin>((await parley(['pins', `#${chan.name}`, '--json', '--limit', '1'], { configDir: alice.dir })).stdout);
    expect(json.map((p) => [p.message.id, p.pinned_by])).toEqual([[second.id, bob.user.id]]);

    // Bob neither pinned the first message nor administers the channel.
    const refused = await parley(['unpin', first.id], { configDir: bob.dir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe('parley: Only whoever pinned a message or an admin of the conversation can unpin it. (forbidden)\n');
    const unpinned = await parley(['unpin', first.id], { configDir: alice.dir });
    expect(unpinned).toEqual({ code: 0, stdout: '', stderr: `Message ${first.id} is not pinned.\n` });
    const after = jsonLines<Pin>((await parley(['pins', `#${chan.name}`, '--json'], { configDir: bob.dir })).stdout);
    expect(after.map((p) => p.message.id)).toEqual([second.id]);

    // A message that does not exist (or that I may not see) is exit code 4; a bad option is 2.
    const missing = await parley(['pin', '0'.repeat(26)], { configDir: bob.dir });
    expect(missing.code).toBe(4);
    expect((await parley(['pins', `#${chan.name}`, '--limit', 'lots'], { configDir: bob.dir })).code).toBe(2);
  });
});

describe('parley save, unsave and saved', { timeout: 120_000 }, () => {
  it('saves for me alone, lists where each saved message is, and drops what I can no longer read', async () => {
    const [alice, bob] = await Promise.all([newUser('alice'), newUser('bob')]);
    const chan = await newChannel(alice, [bob]);
    const runbook = await restSend(alice, chan.id, 'restore: stop the writers first');
    const doomed = await restSend(alice, chan.id, 'a message alice takes back');

    const saved = await parley(['save', runbook.id], { configDir: bob.dir });
    expect(saved).toEqual({ code: 0, stdout: '', stderr: `Saved message ${runbook.id} (parley saved lists it).\n` });
    expect((await parley(['save', doomed.id, '--json'], { configDir: bob.dir })).code).toBe(0);

    const list = await parley(['saved'], { configDir: bob.dir });
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(
      new RegExp(
        `^#${chan.name}  ${TIME}  #${doomed.seq}  ${alice.user.username}: a message alice takes back\\n#${chan.name}  ${TIME}  #${runbook.seq}  ${alice.user.username}: restore: stop the writers first\\n$`,
      ),
    );
    // Alice sees none of Bob's.
    expect(await parley(['saved'], { configDir: alice.dir })).toEqual({ code: 0, stdout: '', stderr: 'No saved messages (parley save MESSAGE_ID saves one).\n' });

    // Recalled: gone from Bob's list.
    expect((await api(server, 'DELETE', `/messages/${doomed.id}`, undefined, alice.token)).status).toBe(200);
    const json = jsonLines<SavedMessage>((await parley(['saved', '--json'], { configDir: bob.dir })).stdout);
    expect(json.map((s) => s.message.id)).toEqual([runbook.id]);
    // A recalled message cannot be saved again.
    const again = await parley(['save', doomed.id], { configDir: bob.dir });
    expect(again.code).toBe(1);
    expect(again.stderr).toBe('parley: A recalled message cannot be saved. (conflict)\n');

    expect(await parley(['unsave', runbook.id], { configDir: bob.dir })).toEqual({ code: 0, stdout: '', stderr: `Message ${runbook.id} is not saved.\n` });
    expect((await parley(['saved', '--json'], { configDir: bob.dir })).stdout).toBe('');
  });
});
