import type { StringKey } from '../i18n/strings';

/**
 * Every keyboard shortcut of the web client, in one table: the handlers ask it whether a key press
 * is theirs (`matchesShortcut`), and the shortcuts sheet (Ctrl+/) lists it, so what the sheet says
 * is what is bound. Ctrl also means ⌘ on a Mac, as the handlers accept either.
 */

export type ShortcutSection = 'navigation' | 'composer' | 'lists';

export type ShortcutId =
  | 'switcher'
  | 'search'
  | 'searchSlash'
  | 'sheet'
  | 'prevConv'
  | 'nextConv'
  | 'prevUnread'
  | 'nextUnread'
  | 'markRead'
  | 'send'
  | 'newline'
  | 'editLast'
  | 'complete'
  | 'dismiss'
  | 'listMove'
  | 'listPick';

/** A key as written on the sheet: a modifier, an arrow, or the key's own name. */
export type KeyName = 'Ctrl' | 'Shift' | 'Alt' | '↑' | '↓' | '←' | '→' | 'Enter' | 'Esc' | 'Tab' | '/' | 'K' | 'F';

type KeyLike = Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey'>;

export interface Shortcut {
  id: ShortcutId;
  section: ShortcutSection;
  /** Alternatives; each a combination pressed together. */
  keys: readonly (readonly KeyName[])[];
  /** What it does, in the user's language. */
  label: StringKey;
  match: (e: KeyLike) => boolean;
}

const ctrl = (e: KeyLike) => e.ctrlKey || e.metaKey;
const plain = (e: KeyLike) => !e.ctrlKey && !e.metaKey && !e.altKey && !e.shiftKey;
const alt = (e: KeyLike, shift: boolean) => e.altKey && !e.ctrlKey && !e.metaKey && e.shiftKey === shift;
const arrows = new Set(['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight']);

export const SHORTCUTS: readonly Shortcut[] = [
  { id: 'switcher', section: 'navigation', keys: [['Ctrl', 'K']], label: 'shortcuts.switcher', match: (e) => ctrl(e) && !e.altKey && !e.shiftKey && e.key.toLowerCase() === 'k' },
  { id: 'search', section: 'navigation', keys: [['Ctrl', 'Shift', 'F']], label: 'shortcuts.search', match: (e) => ctrl(e) && e.shiftKey && !e.altKey && e.key.toLowerCase() === 'f' },
  { id: 'searchSlash', section: 'navigation', keys: [['/']], label: 'shortcuts.searchSlash', match: (e) => e.key === '/' && !e.ctrlKey && !e.metaKey && !e.altKey },
  { id: 'sheet', section: 'navigation', keys: [['Ctrl', '/']], label: 'shortcuts.sheet', match: (e) => ctrl(e) && !e.altKey && (e.key === '/' || e.key === '?') },
  { id: 'prevConv', section: 'navigation', keys: [['Alt', '↑']], label: 'shortcuts.prevConv', match: (e) => alt(e, false) && e.key === 'ArrowUp' },
  { id: 'nextConv', section: 'navigation', keys: [['Alt', '↓']], label: 'shortcuts.nextConv', match: (e) => alt(e, false) && e.key === 'ArrowDown' },
  { id: 'prevUnread', section: 'navigation', keys: [['Alt', 'Shift', '↑']], label: 'shortcuts.prevUnread', match: (e) => alt(e, true) && e.key === 'ArrowUp' },
  { id: 'nextUnread', section: 'navigation', keys: [['Alt', 'Shift', '↓']], label: 'shortcuts.nextUnread', match: (e) => alt(e, true) && e.key === 'ArrowDown' },
  { id: 'markRead', section: 'navigation', keys: [['Esc']], label: 'shortcuts.markRead', match: (e) => e.key === 'Escape' && plain(e) },
  { id: 'send', section: 'composer', keys: [['Enter']], label: 'shortcuts.send', match: (e) => e.key === 'Enter' && !e.shiftKey },
  { id: 'newline', section: 'composer', keys: [['Shift', 'Enter']], label: 'shortcuts.newline', match: (e) => e.key === 'Enter' && e.shiftKey },
  { id: 'editLast', section: 'composer', keys: [['↑']], label: 'shortcuts.editLast', match: (e) => e.key === 'ArrowUp' && plain(e) },
  { id: 'complete', section: 'composer', keys: [['Tab'], ['Enter']], label: 'shortcuts.complete', match: (e) => e.key === 'Tab' || e.key === 'Enter' },
  { id: 'dismiss', section: 'lists', keys: [['Esc']], label: 'shortcuts.dismiss', match: (e) => e.key === 'Escape' },
  { id: 'listMove', section: 'lists', keys: [['↑'], ['↓'], ['←'], ['→']], label: 'shortcuts.listMove', match: (e) => arrows.has(e.key) },
  { id: 'listPick', section: 'lists', keys: [['Enter']], label: 'shortcuts.listPick', match: (e) => e.key === 'Enter' },
];

const BY_ID = new Map(SHORTCUTS.map((s) => [s.id, s]));

export function matchesShortcut(id: ShortcutId, e: KeyLike): boolean {
  return BY_ID.get(id)!.match(e);
}

/** The first of `ids` that the key press is, or null. */
export function whichShortcut<T extends ShortcutId>(e: KeyLike, ids: readonly T[]): T | null {
  return ids.find((id) => matchesShortcut(id, e)) ?? null;
}

/** A key's name on this computer's keyboard: ⌘ and ⌥ on a Mac. */
export function keyLabel(k: KeyName, mac: boolean): string {
  if (!mac) return k;
  return k === 'Ctrl' ? '⌘' : k === 'Alt' ? '⌥' : k === 'Shift' ? '⇧' : k;
}

export const isMac = (): boolean => typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);
