import { useEffect, useMemo, useState } from 'react';
import { useT } from '../i18n/i18n';
import { emojiDataIfLoaded, loadEmojiData } from '../emoji/load';
import { shortcodeOptions, shortcodeQuery, type ShortcodeOption } from '../emoji/search';
import type { EmojiDataset } from '../emoji/types';
import './shortcodes.css';

export interface ShortcodeCompletion {
  /** Where the `:` is; the completion replaces from there to the caret. */
  start: number;
  options: ShortcodeOption[];
  /** Escape: no list for this `:` until another one is typed. */
  dismiss: () => void;
}

/**
 * `:smi` before the caret offers matching emoji, as `@` offers members (mentions.ts). The emoji
 * data loads (its own chunk) the first time a `:word` is typed; until then there is no list.
 */
export function useShortcodeCompletion(text: string, caret: number): ShortcodeCompletion | null {
  const q = shortcodeQuery(text, caret);
  const [data, setData] = useState<EmojiDataset | null>(emojiDataIfLoaded);
  const [dismissed, setDismissed] = useState<number | null>(null);
  const wanted = q !== null;
  useEffect(() => {
    if (!wanted || data) return;
    let live = true;
    loadEmojiData().then(
      (d) => live && setData(d),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [wanted, data]);
  const options = useMemo(() => (q && data && q.start !== dismissed ? shortcodeOptions(data, q.query) : []), [q?.query, q?.start, data, dismissed]);
  if (!q || options.length === 0) return null;
  return { start: q.start, options, dismiss: () => setDismissed(q.start) };
}

/** The list under the composer; `id` and the options' ids match the textarea's aria attributes. */
export function ShortcodeList({ id, options, active, onPick }: { id: string; options: ShortcodeOption[]; active: number; onPick: (o: ShortcodeOption) => void }) {
  const t = useT();
  return (
    <ul className="mention-suggestions" id={id} role="listbox" data-testid="emoji-suggestions" aria-label={t('emoji.suggestions')}>
      {options.map((o, i) => (
        <li
          key={o.shortcode}
          id={`${id}-${i}`}
          role="option"
          aria-selected={i === active}
          className={`option ${i === active ? 'active' : ''}`}
          data-testid="emoji-suggestion"
          data-shortcode={o.shortcode}
          data-emoji={o.entry.emoji}
          onMouseDown={(e) => {
            e.preventDefault();
            onPick(o);
          }}
        >
          <span className="emoji-suggestion-glyph" aria-hidden="true">
            {o.entry.emoji}
          </span>
          <span className="option-main">:{o.shortcode}:</span>
          <span className="muted">{o.entry.label}</span>
        </li>
      ))}
    </ul>
  );
}
