import { useEffect, useSyncExternalStore } from 'react';
import type { MarkdownIt, StateInline } from 'markdown-it';
import { emojiDataIfLoaded, loadEmojiData } from '../emoji/load';
import { SHORTCODES } from './emoji';

/**
 * `:tada:` in a message body renders as 🎉, whoever sent it (the CLI and bots send shortcodes as
 * typed). The common ones are known at once (emoji.ts); any other waits for the emoji data set,
 * which a body with an unknown `:word:` asks for, and then renders again. An inline rule, so code
 * spans and blocks, which markdown-it takes whole before inline rules run, keep the text as typed.
 */

const SHORTCODE = /^:([a-z0-9_+-]{1,48}):/i;
const CANDIDATES = /(?:^|[^\w:]):([a-z0-9_+-]{1,48}):/gi;

/** The emoji for a shortcode, or undefined while it is not known (yet). */
export function shortcodeEmoji(code: string): string | undefined {
  const lower = code.toLowerCase();
  return SHORTCODES[lower] ?? emojiDataIfLoaded()?.byShortcode.get(lower)?.emoji;
}

function shortcodeRule(state: StateInline, silent: boolean): boolean {
  if (state.src.charCodeAt(state.pos) !== 0x3a) return false;
  // Not inside a word or a time: `a:b:c` and `10:30:00` stay as typed.
  const prev = state.pos > 0 ? state.src[state.pos - 1]! : '';
  if (/[\w:]/.test(prev)) return false;
  const m = SHORTCODE.exec(state.src.slice(state.pos));
  const emoji = m ? shortcodeEmoji(m[1]!) : undefined;
  if (!m || !emoji) return false;
  if (!silent) {
    const token = state.push('text', '', 0);
    token.content = emoji;
  }
  state.pos += m[0].length;
  return true;
}

export const shortcodePlugin = (md: MarkdownIt): void => {
  md.inline.ruler.push('emoji', shortcodeRule);
};

let version = 0;
const listeners = new Set<() => void>();

/** Changes once, when the full data set arrives: part of the rendered-HTML cache's key. */
export function shortcodesVersion(): number {
  return version;
}

function hasUnknownShortcode(body: string): boolean {
  if (!body.includes(':')) return false;
  for (const m of body.matchAll(CANDIDATES)) if (!SHORTCODES[m[1]!.toLowerCase()]) return true;
  return false;
}

/** For a message body: loads the data set when the body may need it; re-renders when it has come. */
export function useShortcodesFor(body: string): number {
  const v = useSyncExternalStore((l) => {
    listeners.add(l);
    return () => listeners.delete(l);
  }, shortcodesVersion);
  const wanted = v === 0 && hasUnknownShortcode(body);
  useEffect(() => {
    if (!wanted) return;
    loadEmojiData().then(
      () => {
        if (version !== 0) return;
        version = 1;
        for (const l of listeners) l();
      },
      () => undefined,
    );
  }, [wanted]);
  return v;
}
