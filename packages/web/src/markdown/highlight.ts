import type * as Shiki from './shiki';

type Token = Shiki.Token;

/**
 * Highlights `<pre data-lang>` blocks inside a rendered message. The block first shows as plain
 * text; shiki is imported on first need (a separate chunk). Tokens become DOM nodes built with
 * textContent, and colours are set through the style API from the theme's hex values only, so
 * no user text is ever parsed as HTML or applied as style.
 */
const cache = new Map<string, Token[][] | null>();
const CACHE_MAX = 500;
let shiki: Promise<typeof Shiki> | null = null;

function paint(code: HTMLElement, lines: Token[][]): void {
  const frag = document.createDocumentFragment();
  lines.forEach((line, i) => {
    for (const t of line) {
      const span = document.createElement('span');
      span.textContent = t.content;
      if (t.light) span.style.setProperty('--hl-light', t.light);
      if (t.dark) span.style.setProperty('--hl-dark', t.dark);
      span.className = 'tok';
      frag.appendChild(span);
    }
    if (i < lines.length - 1) frag.appendChild(document.createTextNode('\n'));
  });
  code.replaceChildren(frag);
  code.parentElement?.classList.add('highlighted');
}

/** `memo: false` keeps the code's tokens out of the cache (revealed burn-after-reading content). */
export function highlightWithin(root: HTMLElement, memo = true): () => void {
  let cancelled = false;
  for (const pre of root.querySelectorAll<HTMLElement>('pre[data-lang]')) {
    const code = pre.querySelector('code');
    const lang = pre.dataset.lang;
    if (!code || !lang || pre.classList.contains('highlighted')) continue;
    const text = code.textContent ?? '';
    const key = `${lang}\u0000${text}`;
    if (cache.has(key)) {
      const hit = cache.get(key);
      if (hit) paint(code, hit);
      continue;
    }
    shiki ??= import('./shiki');
    shiki
      .then((m) => m.tokenize(text, lang))
      .then((tokens) => {
        if (memo) {
          if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
          cache.set(key, tokens);
        }
        if (!cancelled && tokens && code.isConnected) paint(code, tokens);
      })
      .catch(() => memo && cache.set(key, null));
  }
  return () => {
    cancelled = true;
  };
}
