import { useSyncExternalStore } from 'react';

export type ThemePref = 'system' | 'light' | 'dark';
export type Theme = 'light' | 'dark';

const STORAGE_KEY = 'parley.theme';
const media = window.matchMedia('(prefers-color-scheme: dark)');
const listeners = new Set<() => void>();

function readPref(): ThemePref {
  const v = localStorage.getItem(STORAGE_KEY);
  return v === 'light' || v === 'dark' ? v : 'system';
}

let pref: ThemePref = readPref();

function resolved(): Theme {
  if (pref === 'system') return media.matches ? 'dark' : 'light';
  return pref;
}

function apply(): void {
  const theme = resolved();
  document.documentElement.dataset.theme = theme;
  document.querySelector('meta[name="theme-color"]')?.setAttribute('content', theme === 'dark' ? '#14161c' : '#4f46e5');
  for (const l of listeners) l();
}

// Following the system means following it live, not only at load.
media.addEventListener('change', () => {
  if (pref === 'system') apply();
});

/** Applies the stored theme before the first render, so there is no flash of the wrong one. */
export function initTheme(): void {
  apply();
}

export function setThemePref(next: ThemePref): void {
  pref = next;
  if (next === 'system') localStorage.removeItem(STORAGE_KEY);
  else localStorage.setItem(STORAGE_KEY, next);
  apply();
}

export function toggleTheme(): void {
  setThemePref(resolved() === 'dark' ? 'light' : 'dark');
}

const subscribe = (fn: () => void) => {
  listeners.add(fn);
  return () => listeners.delete(fn);
};

export function useTheme(): { theme: Theme; pref: ThemePref } {
  const theme = useSyncExternalStore(subscribe, resolved);
  const p = useSyncExternalStore(subscribe, () => pref);
  return { theme, pref: p };
}
