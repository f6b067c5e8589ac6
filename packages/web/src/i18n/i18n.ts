import { useCallback, useSyncExternalStore } from 'react';
import { LANGUAGES, type Dictionary, type Language, type StringKey } from './strings';

const STORAGE_KEY = 'parley.lang';
const listeners = new Set<() => void>();

function isLanguage(v: unknown): v is Language {
  return LANGUAGES.some((l) => l.code === v);
}

function initialLanguage(): Language {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (isLanguage(saved)) return saved;
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

let current: Language = initialLanguage();
document.documentElement.lang = current;

export function getLanguage(): Language {
  return current;
}

export function setLanguage(lang: Language): void {
  if (lang === current) return;
  current = lang;
  localStorage.setItem(STORAGE_KEY, lang);
  document.documentElement.lang = lang;
  for (const l of listeners) l();
}

function dictionary(lang: Language): Dictionary {
  return LANGUAGES.find((l) => l.code === lang)?.dict ?? LANGUAGES[0].dict;
}

export type Params = Record<string, string | number>;
export type Translate = (key: StringKey, params?: Params) => string;

/** Translation outside React (notifications, document title). */
export function translate(key: StringKey, params?: Params, lang: Language = current): string {
  let text = dictionary(lang)[key];
  if (!params) return text;
  // "{n} reply|{n} replies": the first form where the language says one, the second otherwise.
  if (typeof params.n === 'number' && text.includes('|')) {
    const [one, other] = text.split('|') as [string, string];
    text = new Intl.PluralRules(lang).select(params.n) === 'one' ? one : other;
  }
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

function subscribe(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function useLanguage(): Language {
  return useSyncExternalStore(subscribe, getLanguage);
}

/** The translate function for the current language; components re-render when it changes. */
export function useT(): Translate {
  const lang = useLanguage();
  return useCallback((key: StringKey, params?: Params) => translate(key, params, lang), [lang]);
}
