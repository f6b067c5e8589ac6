import { describe, expect, test } from 'vitest';
import type { SlashCommand } from '@parley/protocol';
import { burnOutOfRange, commandQuery, commandSuggestions, commandsFor, isBurnCommand, isBurnText, parseCommand } from './commands';

describe('slash commands in the composer', () => {
  test('message commands become the message they stand for', () => {
    expect(parseCommand('/me waves at everyone')).toEqual({ kind: 'send', body: '_waves at everyone_' });
    expect(parseCommand('/shrug')).toEqual({ kind: 'send', body: '¯\\\\\\_(ツ)\\_/¯' });
    expect(parseCommand('/shrug no idea')).toEqual({ kind: 'send', body: 'no idea ¯\\\\\\_(ツ)\\_/¯' });
    expect(parseCommand('/code ts const a = 1;')).toEqual({ kind: 'send', body: '```ts\nconst a = 1;\n```' });
    expect(parseCommand('/code py\nprint(1)\nprint(2)\n')).toEqual({ kind: 'send', body: '```py\nprint(1)\nprint(2)\n```' });
    expect(parseCommand('//etc/hosts is the file')).toEqual({ kind: 'send', body: '/etc/hosts is the file' });
  });

  test('conversation commands, usage errors and unknown names', () => {
    expect(parseCommand('/topic Release week')).toEqual({ kind: 'topic', topic: 'Release week' });
    expect(parseCommand('/topic')).toEqual({ kind: 'topic', topic: '' });
    expect(parseCommand('/invite @Alice')).toEqual({ kind: 'invite', username: 'alice' });
    expect(parseCommand('/invite')).toEqual({ kind: 'usage', name: 'invite' });
    expect(parseCommand('/me')).toEqual({ kind: 'usage', name: 'me' });
    expect(parseCommand('/code ts')).toEqual({ kind: 'usage', name: 'code' });
    expect(parseCommand('/leave')).toEqual({ kind: 'leave' });
    expect(parseCommand('/help')).toEqual({ kind: 'help' });
    expect(parseCommand('/deploy prod')).toEqual({ kind: 'unknown', name: 'deploy' });
  });

  test('ordinary text is not a command, and the list offered depends on the conversation', () => {
    expect(parseCommand('hello /me')).toBeNull();
    expect(parseCommand('/ not a command')).toBeNull();
    expect(commandQuery('/to')).toBe('to');
    expect(commandQuery('/topic x')).toBeNull();
    expect(commandsFor('dm')).toEqual(['me', 'shrug', 'code', 'burn', 'mute', 'remind', 'tag', 'help']);
    expect(parseCommand('/mute')).toEqual({ kind: 'mute' });
    expect(commandsFor('channel')).toContain('invite');
  });

  test('/tag NAME adds a tag, /tag -NAME removes it; anything else shows the usage', () => {
    expect(parseCommand('/tag bug')).toEqual({ kind: 'tag', tag: 'bug', op: 'add' });
    expect(parseCommand('/tag #部署')).toEqual({ kind: 'tag', tag: '部署', op: 'add' });
    expect(parseCommand('/tag -bug')).toEqual({ kind: 'tag', tag: 'bug', op: 'remove' });
    expect(parseCommand('/tag')).toEqual({ kind: 'usage', name: 'tag' });
    expect(parseCommand('/tag two words')).toEqual({ kind: 'usage', name: 'tag' });
  });

  test('/remind hands the rest to the server, which reads the time; without it the usage is shown', () => {
    expect(parseCommand('/remind me in 10m check deploy')).toEqual({ kind: 'remind', text: 'me in 10m check deploy' });
    expect(parseCommand('/Remind  me tomorrow at 9am call ')).toEqual({ kind: 'remind', text: 'me tomorrow at 9am call' });
    expect(parseCommand('/remind')).toEqual({ kind: 'usage', name: 'remind' });
  });

  test('a custom command of the workspace runs with the rest of the line; any other name is still unknown', () => {
    const custom = ['deploy', 'ci-status', 'k8s_pods'];
    expect(parseCommand('/deploy api prod', custom)).toEqual({ kind: 'custom', name: 'deploy', text: 'api prod' });
    expect(parseCommand('/deploy', custom)).toEqual({ kind: 'custom', name: 'deploy', text: '' });
    expect(parseCommand('/CI-Status main', custom)).toEqual({ kind: 'custom', name: 'ci-status', text: 'main' });
    expect(parseCommand('/ci-status main\nand more', custom)).toEqual({ kind: 'custom', name: 'ci-status', text: 'main\nand more' });
    expect(parseCommand('/k8s_pods', custom)).toEqual({ kind: 'custom', name: 'k8s_pods', text: '' });
    expect(parseCommand('/deplo api', custom)).toEqual({ kind: 'unknown', name: 'deplo' });
    // Built-in names are the composer's, whatever the server lists.
    expect(parseCommand('/me waves', ['me'])).toEqual({ kind: 'send', body: '_waves_' });
    expect(commandQuery('/ci-st')).toBe('ci-st');
  });

  test('the / list: built-in commands first in their order, then the custom ones alphabetically, all filtered by what is typed', () => {
    const cmd = (command: string, description = ''): SlashCommand => ({ id: command, command, description, usage_hint: '', bot_user_id: 'b', url: null, created_at: '2026-01-01T00:00:00.000Z' });
    const custom = [cmd('zap'), cmd('deploy', 'Deploy a service'), cmd('remind'), cmd('dev')];
    const names = (kind: 'dm' | 'channel', q: string) => commandSuggestions(kind, q, custom).map((s) => `${s.custom ? '*' : ''}${s.name}`);
    expect(names('channel', '')).toEqual(['me', 'shrug', 'code', 'burn', 'topic', 'invite', 'leave', 'mute', 'remind', 'tag', 'help', '*deploy', '*dev', '*zap']);
    expect(names('dm', '')).toEqual(['me', 'shrug', 'code', 'burn', 'mute', 'remind', 'tag', 'help', '*deploy', '*dev', '*zap']);
    expect(names('dm', 'bu')).toEqual(['burn']);
    expect(names('channel', 'de')).toEqual(['*deploy', '*dev']);
    expect(names('channel', 're')).toEqual(['remind']);
    expect(commandSuggestions('channel', 'dep', custom)[0]!.custom?.description).toBe('Deploy a service');
    expect(commandSuggestions('channel', 'x', null)).toEqual([]);
  });

  test('/burn TIME text sends the text to burn that long after reading; the time is read as the server reads it', () => {
    expect(parseCommand('/burn 1m your secret text')).toEqual({ kind: 'burn', seconds: 60, body: 'your secret text' });
    expect(parseCommand('/burn 30s the password is hunter2')).toEqual({ kind: 'burn', seconds: 30, body: 'the password is hunter2' });
    expect(parseCommand('/Burn 2h  **bold** and `code` ')).toEqual({ kind: 'burn', seconds: 7_200, body: '**bold** and `code`' });
    expect(parseCommand('/burn 7d\nline one\nline two')).toEqual({ kind: 'burn', seconds: 604_800, body: 'line one\nline two' });
    // Files alone may go with it: the composer decides whether there is anything to send.
    expect(parseCommand('/burn 3s')).toEqual({ kind: 'burn', seconds: 3, body: '' });
    expect(parseCommand('/burn')).toEqual({ kind: 'usage', name: 'burn' });
  });

  test('/burn with something that is not a time names what was typed; nothing becomes a message', () => {
    expect(parseCommand('/burn soon the password')).toEqual({ kind: 'burnTime', typed: 'soon' });
    expect(parseCommand('/burn 90 seconds of secret')).toEqual({ kind: 'burnTime', typed: '90' });
    expect(parseCommand('/burn 0s x')).toEqual({ kind: 'burnTime', typed: '0s' });
    expect(parseCommand('/burn 1w x')).toEqual({ kind: 'burnTime', typed: '1w' });
    expect(parseCommand('/burn 1.5m x')).toEqual({ kind: 'burnTime', typed: '1.5m' });
    for (const line of ['/burn 1m x', '/burn soon x', '/burn']) expect(isBurnCommand(parseCommand(line))).toBe(true);
    for (const line of ['/me x', '/code ts x', '/tag x', 'burn 1m x', '//burn 1m x']) expect(isBurnCommand(parseCommand(line))).toBe(false);
    // `//burn` sends the words with one slash, as any other `//` line.
    expect(parseCommand('//burn 1m is a command')).toEqual({ kind: 'send', body: '/burn 1m is a command' });
  });

  test("a burn time outside the server's range is refused with the range; unknown limits leave it to the server", () => {
    const limits = { burn_min_s: 30, burn_max_s: 604_800 };
    expect(burnOutOfRange(30, limits)).toBeNull();
    expect(burnOutOfRange(604_800, limits)).toBeNull();
    expect(burnOutOfRange(29, limits)).toEqual({ min: 30, max: 604_800 });
    expect(burnOutOfRange(604_801, limits)).toEqual({ min: 30, max: 604_800 });
    expect(burnOutOfRange(3, { burn_min_s: 1, burn_max_s: 60 })).toBeNull();
    expect(burnOutOfRange(1, null)).toBeNull();
  });

  test('a /burn line is never a draft, from its first word on', () => {
    expect(isBurnText('/burn 1m the password is hunter2')).toBe(true);
    expect(isBurnText('  /BURN')).toBe(true);
    expect(isBurnText('/burn\nsecret')).toBe(true);
    expect(isBurnText('/bur')).toBe(false);
    expect(isBurnText('/burner phone')).toBe(false);
    expect(isBurnText('I will /burn it')).toBe(false);
  });
});
