import { expect, test } from 'vitest';
import { en } from '../i18n/strings';
import { zhCN } from '../i18n/strings.zh-CN';
import { keyLabel, matchesShortcut, SHORTCUTS, whichShortcut } from './shortcuts';

// A label is a plain string or the `_other` form of a counted one.
const wordsFor = (dict: object, label: string): unknown => (dict as Record<string, unknown>)[label] ?? (dict as Record<string, unknown>)[`${label}_other`];

const key = (k: string, mods: Partial<Record<'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey', boolean>> = {}) => ({ key: k, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, ...mods });

test('every shortcut has a unique id, keys to show, and words in both languages', () => {
  expect(new Set(SHORTCUTS.map((s) => s.id)).size).toBe(SHORTCUTS.length);
  for (const s of SHORTCUTS) {
    expect(s.keys.length, s.id).toBeGreaterThan(0);
    expect(wordsFor(en, s.label), s.id).toBeTruthy();
    expect(wordsFor(zhCN, s.label), s.id).toBeTruthy();
  }
});

test('Alt+arrows move between conversations, with Shift between unread ones, and never count as plain arrows', () => {
  const global = ['prevConv', 'nextConv', 'prevUnread', 'nextUnread', 'markRead'] as const;
  expect(whichShortcut(key('ArrowDown', { altKey: true }), global)).toBe('nextConv');
  expect(whichShortcut(key('ArrowUp', { altKey: true }), global)).toBe('prevConv');
  expect(whichShortcut(key('ArrowDown', { altKey: true, shiftKey: true }), global)).toBe('nextUnread');
  expect(whichShortcut(key('ArrowUp', { altKey: true, shiftKey: true }), global)).toBe('prevUnread');
  expect(whichShortcut(key('ArrowDown', { altKey: true, ctrlKey: true }), global)).toBeNull();
  expect(whichShortcut(key('ArrowDown'), global)).toBeNull();
  // ↑ in an empty composer edits the last message; Alt+↑ is not that.
  expect(matchesShortcut('editLast', key('ArrowUp'))).toBe(true);
  expect(matchesShortcut('editLast', key('ArrowUp', { altKey: true }))).toBe(false);
});

test('Ctrl (or ⌘) with K, Shift+F and / are the switcher, search and the sheet; Escape alone marks read', () => {
  expect(matchesShortcut('switcher', key('k', { ctrlKey: true }))).toBe(true);
  expect(matchesShortcut('switcher', key('K', { metaKey: true }))).toBe(true);
  expect(matchesShortcut('switcher', key('k', { ctrlKey: true, shiftKey: true }))).toBe(false);
  expect(matchesShortcut('search', key('F', { ctrlKey: true, shiftKey: true }))).toBe(true);
  expect(matchesShortcut('sheet', key('/', { ctrlKey: true }))).toBe(true);
  expect(matchesShortcut('searchSlash', key('/', { ctrlKey: true }))).toBe(false);
  expect(matchesShortcut('searchSlash', key('/'))).toBe(true);
  expect(matchesShortcut('markRead', key('Escape'))).toBe(true);
  expect(matchesShortcut('markRead', key('Escape', { shiftKey: true }))).toBe(false);
  expect(matchesShortcut('newline', key('Enter', { shiftKey: true }))).toBe(true);
  expect(matchesShortcut('send', key('Enter', { shiftKey: true }))).toBe(false);
});

test('the sheet names keys as this computer does', () => {
  expect(keyLabel('Ctrl', false)).toBe('Ctrl');
  expect(keyLabel('Ctrl', true)).toBe('⌘');
  expect(keyLabel('Alt', true)).toBe('⌥');
  expect(keyLabel('↓', true)).toBe('↓');
});
