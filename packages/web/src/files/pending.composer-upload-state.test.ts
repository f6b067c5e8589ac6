import { describe, expect, test } from 'vitest';
import { addFiles, attachmentIds, canSend, failed, finished, overallProgress, progressed, removed, retrying, type NewFile } from './pending';

const file = (key: string, size = 100): NewFile => ({ key, name: `${key}.txt`, size, type: 'text/plain' });

describe('pending uploads in the composer', () => {
  test('files are added up to ten; the rest are refused and named', () => {
    const first = addFiles(
      [],
      Array.from({ length: 8 }, (_, i) => file(`f${i}`)),
    );
    expect(first.list).toHaveLength(8);
    const second = addFiles(first.list, [file('a'), file('b'), file('c')]);
    expect(second.list.map((p) => p.key).slice(-2)).toEqual(['a', 'b']);
    expect(second.rejected.map((f) => f.key)).toEqual(['c']);
    expect(second.list.every((p) => p.status === 'uploading' && p.sent === 0)).toBe(true);
  });

  test('send waits for every upload, and a file alone is enough to send', () => {
    let list = addFiles([], [file('a'), file('b')]).list;
    expect(canSend(list, 'hello')).toBe(false);
    list = finished(list, 'a', 'UPA');
    expect(canSend(list, 'hello')).toBe(false);
    list = finished(list, 'b', 'UPB');
    expect(canSend(list, '')).toBe(true);
    expect(attachmentIds(list)).toEqual(['UPA', 'UPB']);
    expect(canSend([], '  ')).toBe(false);
    expect(canSend([], 'text')).toBe(true);
  });

  test('a failed upload blocks sending until it is retried to the end or removed', () => {
    let list = addFiles([], [file('a'), file('b')]).list;
    list = finished(list, 'a', 'UPA');
    list = failed(list, 'b', 'quota_exceeded');
    expect(list[1]).toMatchObject({ status: 'error', error: 'quota_exceeded' });
    expect(canSend(list, 'x')).toBe(false);
    expect(retrying(list, 'b')[1]).toMatchObject({ status: 'uploading', error: null });
    list = removed(list, 'b');
    expect(canSend(list, '')).toBe(true);
    expect(attachmentIds(list)).toEqual(['UPA']);
  });

  test('progress never goes back or past the size, and sums over files', () => {
    let list = addFiles([], [file('a', 100), file('b', 300)]).list;
    list = progressed(list, 'a', 60);
    list = progressed(list, 'a', 20);
    expect(list[0]!.sent).toBe(60);
    list = progressed(list, 'b', 1000);
    expect(list[1]!.sent).toBe(300);
    expect(overallProgress(list)).toBeCloseTo(360 / 400);
  });
});
