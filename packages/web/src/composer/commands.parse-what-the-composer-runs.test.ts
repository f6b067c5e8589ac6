import { describe, expect, test } from 'vitest';
import { commandQuery, commandsFor, parseCommand } from './commands';

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
    expect(commandsFor('dm')).toEqual(['me', 'shrug', 'code', 'help']);
    expect(commandsFor('channel')).toContain('invite');
  });
});
