import { useCallback, useSyncExternalStore } from 'react';
import i18next, { type TOptions } from 'i18next';
import { LANGUAGES, en, type Dictionary, type Language, type StringKey } from './strings';

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

/**
 * i18next holds the dictionaries and does the lookups: plural categories by the language's rules,
 * placeholders, and English where a lazily added namespace (the admin console's) lacks a string.
 * Placeholders keep the `{name}` form the dictionaries were written in; React escapes the output.
 */
const i18n = i18next.createInstance();
void i18n.init({
  lng: 'en',
  fallbackLng: 'en',
  load: 'currentOnly',
  resources: { en: { translation: en } },
  initAsync: false,
  keySeparator: false,
  nsSeparator: false,
  interpolation: { prefix: '{', suffix: '}', escapeValue: false },
});

/** Dictionaries other than English, each its own chunk (precached for offline use like the app). */
const loaders: Record<Exclude<Language, 'en'>, () => Promise<Dictionary>> = {
  'zh-CN': () => import('./strings.zh-CN').then((m) => m.zhCN),
};

/** Makes a language's strings available (a no-op for English, or once loaded). */
export async function loadLanguage(lang: Language): Promise<void> {
  if (lang === 'en' || i18n.hasResourceBundle(lang, 'translation')) return;
  i18n.addResourceBundle(lang, 'translation', await loaders[lang]());
}

/** Resolves once the saved or preferred language can be shown (English until then, never a raw key). */
export const languageReady: Promise<void> = loadLanguage(current).then(
  () => i18n.changeLanguage(current).then(() => undefined),
  () => undefined,
);

export function getLanguage(): Language {
  return current;
}

/** Switches the language once its strings are loaded, so the screen never shows half of each. */
export async function setLanguage(lang: Language): Promise<void> {
  if (lang === current) return;
  await loadLanguage(lang);
  await i18n.changeLanguage(lang);
  current = lang;
  localStorage.setItem(STORAGE_KEY, lang);
  document.documentElement.lang = lang;
  for (const l of listeners) l();
}

export type Params = Record<string, string | number>;
export type Translate = (key: StringKey, params?: Params) => string;

/** `{ n }` is the count that picks a plural form (i18next calls it `count`). */
function lookup(key: string, params: Params | undefined, lang: Language, ns?: string): string {
  const options: TOptions = { ...params, lng: lang, ...(ns ? { ns } : {}) };
  if (typeof params?.n === 'number') options.count = params.n;
  return String(i18n.t(key, options));
}

/** Translation outside React (notifications, document title). */
export function translate(key: StringKey, params?: Params, lang: Language = current): string {
  return lookup(key, params, lang);
}

/**
 * Adds a namespace of strings loaded with a lazy screen (the admin console), and returns its
 * translate function for a language.
 */
export function addNamespace(ns: string, dictionaries: Readonly<Record<Language, object>>): (key: string, params: Params | undefined, lang: Language) => string {
  for (const [lang, dict] of Object.entries(dictionaries)) i18n.addResourceBundle(lang, ns, dict, true, true);
  return (key, params, lang) => lookup(key, params, lang, ns);
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
