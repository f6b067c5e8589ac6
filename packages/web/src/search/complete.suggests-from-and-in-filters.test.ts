import { expect, test } from 'vitest';
import { applyPick, filterAt, matchesPrefix } from './complete';

test('finds the from: or in: filter at the caret, with what is typed so far', () => {
  expect(filterAt('deploy from:al', 14)).toEqual({ key: 'from', prefix: 'al', sigil: null, start: 7, end: 14 });
  expect(filterAt('deploy from:@Al', 15)).toMatchObject({ key: 'from', prefix: 'al', sigil: '@' });
  expect(filterAt('in:#op deploy', 6)).toEqual({ key: 'in', prefix: 'op', sigil: '#', start: 0, end: 6 });
  expect(filterAt('in:@bo', 6)).toMatchObject({ key: 'in', prefix: 'bo', sigil: '@' });
  expect(filterAt('IN:', 3)).toMatchObject({ key: 'in', prefix: '', sigil: null });
});

test('the caret in the middle of a filter completes up to the caret and replaces the whole item', () => {
  const at = filterAt('from:alxyz rest', 7)!;
  expect(at).toMatchObject({ prefix: 'al', start: 0, end: 10 });
  expect(applyPick('from:alxyz rest', at, '@alice')).toEqual({ query: 'from:@alice rest', caret: 12 });
});

test('offers nothing for plain words, other filters, excluded items, phrases or from:#', () => {
  expect(filterAt('deploy', 6)).toBeNull();
  expect(filterAt('has:fi', 6)).toBeNull();
  expect(filterAt('-from:al', 8)).toBeNull();
  expect(filterAt('"say from:al', 12)).toBeNull();
  expect(filterAt('from:#ops', 9)).toBeNull();
  expect(filterAt('deploy ', 7)).toBeNull();
});

test('picking adds one space after the filter, so typing goes on', () => {
  const q = 'deploy in:o';
  expect(applyPick(q, filterAt(q, q.length)!, '#ops')).toEqual({ query: 'deploy in:#ops ', caret: 15 });
});

test('names match by prefix of the name or of one of its words', () => {
  expect(matchesPrefix('release-notes', 'not')).toBe(true);
  expect(matchesPrefix('Alice Zhang', 'zh')).toBe(true);
  expect(matchesPrefix('ops', 'ps')).toBe(false);
  expect(matchesPrefix('ops', '')).toBe(true);
});
