import { describe, expect, it } from 'vitest';
import { QuerySyntaxError, parseQuery } from './query.js';

describe('the query language', () => {
  it('reads words, phrases, exclusions and every filter', () => {
    const q = parseQuery('deploy "rollback failed" -staging -"dry run" from:@Alice in:#ops in:@bob has:file has:code tag:release before:2026-11-30 after:2026-11-01 is:thread mentions:me');
    expect(q.include).toEqual([
      { text: 'deploy', phrase: false },
      { text: 'rollback failed', phrase: true },
    ]);
    expect(q.exclude).toEqual([
      { text: 'staging', phrase: false },
      { text: 'dry run', phrase: true },
    ]);
    expect(q.from).toEqual(['alice']);
    expect(q.in).toEqual([
      { kind: 'channel', name: 'ops' },
      { kind: 'dm', name: 'bob' },
    ]);
    expect(q.has).toEqual(['file', 'code']);
    expect(q.tags).toEqual(['release']);
    expect(q.before).toEqual({ year: 2026, month: 11, day: 30 });
    expect(q.after).toEqual({ year: 2026, month: 11, day: 1 });
    expect(q.isThread).toBe(true);
    expect(q.mentionsMe).toBe(true);
  });

  it('keeps a colon that is not a filter as text, so log lines can be pasted', () => {
    const q = parseQuery('ECONNREFUSED 127.0.0.1:5432 error:timeout');
    expect(q.include.map((t) => t.text)).toEqual(['ECONNREFUSED', '127.0.0.1:5432', 'error:timeout']);
  });

  it('treats a lone hyphen and a quoted filter as text', () => {
    const q = parseQuery('a - b "from:alice"');
    expect(q.include.map((t) => t.text)).toEqual(['a', '-', 'b', 'from:alice']);
    expect(q.from).toEqual([]);
  });

  it.each([
    ['"unclosed phrase', /quote is not closed/],
    ['from:', /from: needs a value/],
    ['has:pdf', /has: takes file, link, code, image; "pdf"/],
    ['before:2026-02-30', /YYYY-MM-DD.*"2026-02-30" is not one/],
    ['on:yesterday', /on: takes a date/],
    ['is:pinned', /is: takes thread/],
    ['mentions:bob', /mentions: takes me/],
    ['-from:@alice deploy', /cannot be excluded/],
    ['in:#no spaces', null],
    ['in:#bad/name', /in: needs a name/],
    ['-staging', /what to find as well/],
    ['   ', /empty/],
  ])('%s', (query, problem) => {
    if (problem === null) {
      expect(() => parseQuery(query)).not.toThrow();
      return;
    }
    expect(() => parseQuery(query)).toThrow(QuerySyntaxError);
    expect(() => parseQuery(query)).toThrow(problem);
  });

  it('accepts a filter alone', () => {
    expect(parseQuery('from:@alice').from).toEqual(['alice']);
  });
});
