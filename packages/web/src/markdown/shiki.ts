/**
 * The lazily loaded half of code highlighting: shiki's core with the JavaScript regex engine
 * (no WebAssembly to fetch) and a curated set of grammars, each its own chunk fetched on first use.
 */
import { createHighlighterCore, type HighlighterCore, type LanguageInput } from 'shiki/core';
import { createJavaScriptRegexEngine } from 'shiki/engine/javascript';
import { CODE_BG, readable } from './contrast';

type Loader = () => LanguageInput;

const LANGS: Record<string, Loader> = {
  typescript: () => import('shiki/langs/typescript.mjs'),
  javascript: () => import('shiki/langs/javascript.mjs'),
  tsx: () => import('shiki/langs/tsx.mjs'),
  jsx: () => import('shiki/langs/jsx.mjs'),
  json: () => import('shiki/langs/json.mjs'),
  html: () => import('shiki/langs/html.mjs'),
  css: () => import('shiki/langs/css.mjs'),
  scss: () => import('shiki/langs/scss.mjs'),
  python: () => import('shiki/langs/python.mjs'),
  go: () => import('shiki/langs/go.mjs'),
  rust: () => import('shiki/langs/rust.mjs'),
  java: () => import('shiki/langs/java.mjs'),
  kotlin: () => import('shiki/langs/kotlin.mjs'),
  swift: () => import('shiki/langs/swift.mjs'),
  c: () => import('shiki/langs/c.mjs'),
  cpp: () => import('shiki/langs/cpp.mjs'),
  csharp: () => import('shiki/langs/csharp.mjs'),
  ruby: () => import('shiki/langs/ruby.mjs'),
  php: () => import('shiki/langs/php.mjs'),
  shellscript: () => import('shiki/langs/shellscript.mjs'),
  sql: () => import('shiki/langs/sql.mjs'),
  yaml: () => import('shiki/langs/yaml.mjs'),
  toml: () => import('shiki/langs/toml.mjs'),
  markdown: () => import('shiki/langs/markdown.mjs'),
  dockerfile: () => import('shiki/langs/dockerfile.mjs'),
  xml: () => import('shiki/langs/xml.mjs'),
  graphql: () => import('shiki/langs/graphql.mjs'),
  lua: () => import('shiki/langs/lua.mjs'),
  elixir: () => import('shiki/langs/elixir.mjs'),
  haskell: () => import('shiki/langs/haskell.mjs'),
  scala: () => import('shiki/langs/scala.mjs'),
  zig: () => import('shiki/langs/zig.mjs'),
  ini: () => import('shiki/langs/ini.mjs'),
  make: () => import('shiki/langs/make.mjs'),
  protobuf: () => import('shiki/langs/proto.mjs'),
};

const ALIASES: Record<string, string> = {
  ts: 'typescript',
  js: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  node: 'javascript',
  py: 'python',
  golang: 'go',
  rs: 'rust',
  kt: 'kotlin',
  'c++': 'cpp',
  cc: 'cpp',
  h: 'c',
  hpp: 'cpp',
  cs: 'csharp',
  'c#': 'csharp',
  rb: 'ruby',
  sh: 'shellscript',
  bash: 'shellscript',
  zsh: 'shellscript',
  shell: 'shellscript',
  console: 'shellscript',
  yml: 'yaml',
  md: 'markdown',
  docker: 'dockerfile',
  svg: 'xml',
  gql: 'graphql',
  ex: 'elixir',
  exs: 'elixir',
  hs: 'haskell',
  makefile: 'make',
  proto: 'protobuf',
  jsonc: 'json',
};

export function resolveLang(lang: string): string | null {
  const l = lang.toLowerCase();
  const name = ALIASES[l] ?? l;
  return name in LANGS ? name : null;
}

let core: Promise<HighlighterCore> | null = null;
const loaded = new Map<string, Promise<void>>();

function highlighter(): Promise<HighlighterCore> {
  core ??= createHighlighterCore({
    themes: [import('shiki/themes/github-light.mjs'), import('shiki/themes/github-dark.mjs')],
    langs: [],
    engine: createJavaScriptRegexEngine(),
  });
  return core;
}

export interface Token {
  content: string;
  light: string | null;
  dark: string | null;
}

const COLOR = /^#[0-9a-f]{3,8}$/i;

/** Tokens with a colour per theme, or null for a language we do not ship. */
export async function tokenize(code: string, lang: string): Promise<Token[][] | null> {
  const name = resolveLang(lang);
  if (!name) return null;
  const h = await highlighter();
  let p = loaded.get(name);
  if (!p) {
    p = h.loadLanguage(LANGS[name]!());
    loaded.set(name, p);
  }
  await p;
  const result = h.codeToTokens(code, { lang: name, themes: { light: 'github-light', dark: 'github-dark' } });
  return result.tokens.map((line) =>
    line.map((t) => {
      const style = t.htmlStyle ?? {};
      const light = style.color ?? t.color ?? null;
      const dark = style['--shiki-dark'] ?? null;
      // Only plain hex colours from the theme are ever applied (anything else is dropped), each
      // nudged to read at 4.5:1 on the code background.
      return {
        content: t.content,
        light: light && COLOR.test(light) ? readable(light, CODE_BG.light) : null,
        dark: dark && COLOR.test(dark) ? readable(dark, CODE_BG.dark) : null,
      };
    }),
  );
}
