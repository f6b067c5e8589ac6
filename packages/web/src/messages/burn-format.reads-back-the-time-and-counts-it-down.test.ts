import { beforeAll, describe, expect, test, vi } from 'vitest';
import type * as I18nModule from '../i18n/i18n';
import { countdown, durationWords } from './burn-format';

let i18n: typeof I18nModule;

beforeAll(async () => {
  // The i18n module reads the saved language and sets <html lang> when it loads: give it a page's globals.
  vi.stubGlobal('localStorage', { getItem: () => null, setItem: () => undefined });
  vi.stubGlobal('navigator', { language: 'en-US' });
  vi.stubGlobal('document', { documentElement: { lang: '' } });
  i18n = await import('../i18n/i18n');
  await i18n.loadLanguage('zh-CN');
});

const en: I18nModule.Translate = (key, params) => i18n.translate(key, params, 'en');
const zh: I18nModule.Translate = (key, params) => i18n.translate(key, params, 'zh-CN');

describe('burn times in words', () => {
  test('the badge says the time the sender typed, in the largest unit that says it exactly', () => {
    expect(durationWords(60, en)).toBe('1 minute');
    expect(durationWords(3, en)).toBe('3 seconds');
    expect(durationWords(1, en)).toBe('1 second');
    expect(durationWords(90, en)).toBe('90 seconds');
    expect(durationWords(7_200, en)).toBe('2 hours');
    expect(durationWords(604_800, en)).toBe('7 days');
    expect(durationWords(604_800, zh)).toBe('7 天');
    expect(en('burn.badge', { time: durationWords(60, en) })).toBe('Burns 1 minute after reading');
  });

  test('the countdown is a clock rounded up: it never shows 0:00 while the content is there', () => {
    expect(countdown(42_000, en)).toBe('0:42');
    expect(countdown(41_001, en)).toBe('0:42');
    expect(countdown(1, en)).toBe('0:01');
    expect(countdown(0, en)).toBe('0:00');
    expect(countdown(-5_000, en)).toBe('0:00');
    expect(countdown(60_000, en)).toBe('1:00');
    expect(countdown(12 * 60_000 + 5_000, en)).toBe('12:05');
    expect(countdown(3_600_000, en)).toBe('1:00:00');
    expect(countdown(2 * 3_600_000 + 3 * 60_000 + 4_000, en)).toBe('2:03:04');
    expect(countdown(2 * 86_400_000, en)).toBe('2 days');
    expect(en('burn.countdown', { time: countdown(42_000, en) })).toBe('burns in 0:42');
  });
});
