import { describe, expect, test } from 'vitest';
import { windowOption, windowText } from './durations.js';

describe('--edit-window and --recall-window', () => {
  test('a duration, 0 or unlimited becomes milliseconds or null, and prints back the same way', () => {
    expect(windowOption('15m', '--edit-window')).toBe(900_000);
    expect(windowOption('2h', '--edit-window')).toBe(7_200_000);
    expect(windowOption('0', '--edit-window')).toBe(0);
    expect(windowOption('Unlimited', '--edit-window')).toBeNull();
    expect(windowText(900_000)).toBe('15m');
    expect(windowText(86_400_000)).toBe('1d');
    expect(windowText(90_000)).toBe('90s');
    expect(windowText(1_500)).toBe('1500ms');
    expect(windowText(null)).toBe('unlimited');
  });

  test('anything else is a usage error naming the option', () => {
    for (const bad of ['15', 'soon', '10x', '-5m']) expect(() => windowOption(bad, '--recall-window')).toThrow(/--recall-window/);
  });
});
