/**
 * The size limits from the shell, end to end against a real server in its own process: `parley
 * admin settings --max-message-chars N --max-upload SIZE` shows them, the server holds them at
 * once (a longer `parley send` is refused with its reason), and what is not a limit is a usage
 * error or the server's refusal in the environment variable's words.
 */
import { describe, expect, it } from 'vitest';
import type { WorkspaceSettings } from '@parley/protocol';
import { api } from '@parley/server/testing';
import { configFor, newChannel, newUser, owner, parley, server, useCliServer } from './testing/e2e-harness.js';
import { sizeOption } from './commands/workspace.js';

useCliServer();

describe('parley admin settings --max-message-chars and --max-upload', { timeout: 120_000 }, () => {
  it('sets both, shows them, and a send over the new length is refused', async () => {
    const ownerDir = configFor(owner);
    const shown = await parley(['admin', 'settings', '--max-message-chars', '40', '--max-upload', '2.5MB'], { configDir: ownerDir });
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain('max-message    40 characters\n');
    expect(shown.stdout).toContain('max-upload     2.5 MB\n');
    expect((await api<WorkspaceSettings>(server, 'GET', '/admin/settings', undefined, owner.token)).body).toMatchObject({ max_message_chars: 40, max_upload_bytes: 2.5 * 1024 * 1024 });

    const alice = await newUser('alicelim');
    const chan = await newChannel(alice);
    const long = await parley(['send', `#${chan.name}`, 'x'.repeat(41)], { configDir: alice.dir });
    expect([long.code === 0, long.stderr]).toEqual([false, 'parley: A message has at most 40 characters. (payload_too_large)\n']);
    expect((await parley(['send', `#${chan.name}`, 'x'.repeat(40)], { configDir: alice.dir })).code).toBe(0);

    // Out of range: the server's words, which are PARLEY_MAX_MESSAGE_CHARS's.
    const zero = await parley(['admin', 'settings', '--max-message-chars', '0'], { configDir: ownerDir });
    expect([zero.code, zero.stderr]).toEqual([1, 'parley: max_message_chars=0 is invalid: expected a whole number from 1 to 1000000 (invalid_request)\n']);
    // Not a number or a size: a usage error before any request.
    expect((await parley(['admin', 'settings', '--max-message-chars', 'lots'], { configDir: ownerDir })).code).toBe(2);
    expect((await parley(['admin', 'settings', '--max-upload', 'huge'], { configDir: ownerDir })).code).toBe(2);
    // Only owners and admins.
    expect((await parley(['admin', 'settings', '--max-message-chars', '9'], { configDir: alice.dir })).code).toBe(1);
  });

  it('reads sizes in bytes or binary units', () => {
    expect(sizeOption('1000', '--max-upload')).toBe(1000);
    expect(sizeOption('500kb', '--max-upload')).toBe(500 * 1024);
    expect(sizeOption('100MB', '--max-upload')).toBe(100 * 1024 * 1024);
    expect(sizeOption('2 GiB', '--max-upload')).toBe(2 * 1024 ** 3);
    expect(() => sizeOption('1.5TB', '--max-upload')).toThrow('--max-upload is a size');
  });
});
