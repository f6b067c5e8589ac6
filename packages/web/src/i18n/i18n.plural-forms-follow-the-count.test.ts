import { beforeAll, describe, expect, it, vi } from 'vitest';
import type * as I18nModule from './i18n';

let i18n: typeof I18nModule;

beforeAll(async () => {
  // The module reads the saved language and sets <html lang> when it loads: give it a page's globals.
  const store = new Map<string, string>();
  vi.stubGlobal('localStorage', { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) });
  vi.stubGlobal('navigator', { language: 'en-US' });
  vi.stubGlobal('document', { documentElement: { lang: '' } });
  i18n = await import('./i18n');
  await i18n.loadLanguage('zh-CN');
});

describe('counted strings', () => {
  it('say one reply, two replies — never "1 replies"', () => {
    expect(i18n.translate('message.replies', { n: 1 }, 'en')).toBe('1 reply');
    expect(i18n.translate('message.replies', { n: 2 }, 'en')).toBe('2 replies');
    expect(i18n.translate('message.replies', { n: 0 }, 'en')).toBe('0 replies');
    expect(i18n.translate('search.count', { n: 1 }, 'en')).toBe('1 result');
    expect(i18n.translate('conv.members', { n: 1 }, 'en')).toBe('1 member');
  });

  it('leave languages without plural forms as they are', () => {
    for (const n of [1, 3]) {
      expect(i18n.translate('message.replies', { n }, 'zh-CN')).toMatch(new RegExp(`^${n}[^|]*$`));
      expect(i18n.translate('search.count', { n }, 'zh-CN')).not.toContain('|');
    }
  });
});
