import { memo, useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import { useChat } from '../chat/context';
import { useT } from '../i18n/i18n';
import { Popover } from '../messages/Popover';
import { loadEmojiData } from './load';
import { rememberEmoji, setSkinTone, useEmojiPrefs } from './prefs';
import { searchEmoji } from './search';
import { EMOJI_GROUPS, withTone, type EmojiDataset, type EmojiEntry, type EmojiGroup, type SkinTone } from './types';
import './emoji.css';

export interface EmojiPickerProps {
  anchor: HTMLElement | null;
  onPick: (emoji: string) => void;
  onClose: () => void;
  /** What the picker is for, its accessible name ("Pick a reaction", "Insert emoji"). */
  label: string;
}

/** Cells a row; the CSS grid has the same number of columns. */
export const COLUMNS = 8;
const TONES: readonly SkinTone[] = [0, 1, 2, 3, 4, 5];
const TONE_SAMPLE = ['✋', '✋🏻', '✋🏼', '✋🏽', '✋🏾', '✋🏿'];

interface Section {
  key: EmojiGroup | 'recent' | 'results';
  entries: EmojiEntry[];
}

/** The emoji picker in a popover: it closes after a pick. Loaded on first open (see messages/EmojiPicker). */
export default function EmojiPickerPopover({ anchor, onPick, onClose, label }: EmojiPickerProps) {
  return (
    <Popover anchor={anchor} onClose={onClose} label={label} testId="emoji-picker">
      <PickerBody
        label={label}
        onPick={(e) => {
          onPick(e);
          onClose();
        }}
      />
    </Popover>
  );
}

/**
 * Search, categories, skin tone and recently used. Focus stays in the search box and the arrow
 * keys move a highlighted cell (announced through aria-activedescendant), so one can type,
 * arrow and press Enter without leaving the keyboard's home row; Escape closes (the popover).
 */
function PickerBody({ onPick, label }: { onPick: (emoji: string) => void; label: string }) {
  const t = useT();
  const me = useChat((s) => s.me.id);
  const prefs = useEmojiPrefs(me);
  const [data, setData] = useState<EmojiDataset | null>(null);
  const [failed, setFailed] = useState(false);
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const scrollRef = useRef<HTMLDivElement>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const byKeyboard = useRef(false);
  const id = useId();

  useEffect(() => {
    let live = true;
    loadEmojiData().then(
      (d) => live && setData(d),
      () => live && setFailed(true),
    );
    return () => {
      live = false;
    };
  }, [failed]);

  // Typing starts at once: the search box takes focus as soon as the popover is shown (it is
  // placed, and made visible, after its first render).
  useEffect(() => {
    const frame = requestAnimationFrame(() => inputRef.current?.focus());
    return () => cancelAnimationFrame(frame);
  }, []);

  const sections = useMemo<Section[]>(() => {
    if (!data) return [];
    if (query.trim()) return [{ key: 'results', entries: searchEmoji(data, query) }];
    const recent = prefs.recent.map((e) => data.byEmoji.get(e)).filter((e): e is EmojiEntry => !!e);
    const groups = EMOJI_GROUPS.map((g) => ({ key: g, entries: data.entries.filter((e) => e.group === g) })).filter((s) => s.entries.length > 0);
    return recent.length ? [{ key: 'recent', entries: recent }, ...groups] : groups;
    // The recent list is read when the picker opens or the search changes, not on every pick.
  }, [data, query]);

  // Rows of up to COLUMNS cells, each section starting a new row; `start` is its first cell's index.
  const { rows, cells } = useMemo(() => {
    const rows: { start: number; length: number }[] = [];
    const cells: EmojiEntry[] = [];
    for (const s of sections) {
      for (let i = 0; i < s.entries.length; i += COLUMNS) rows.push({ start: cells.length + i, length: Math.min(COLUMNS, s.entries.length - i) });
      cells.push(...s.entries);
    }
    return { rows, cells };
  }, [sections]);

  const current = cells[Math.min(active, cells.length - 1)];
  const cellId = (i: number) => `${id}-cell-${i}`;

  useEffect(() => {
    if (!byKeyboard.current) return;
    byKeyboard.current = false;
    document.getElementById(cellId(active))?.scrollIntoView({ block: 'nearest' });
  }, [active]);

  const onPickRef = useRef(onPick);
  onPickRef.current = onPick;
  const tone = prefs.tone;
  const pick = useCallback(
    (entry: EmojiEntry) => {
      rememberEmoji(me, entry.emoji);
      onPickRef.current(withTone(entry, tone));
    },
    [me, tone],
  );

  function move(to: number) {
    byKeyboard.current = true;
    setActive(Math.max(0, Math.min(cells.length - 1, to)));
  }

  function onKeyDown(e: React.KeyboardEvent<HTMLInputElement>) {
    if (e.nativeEvent.isComposing) return;
    const r = rows.findIndex((row) => active >= row.start && active < row.start + row.length);
    const row = rows[r];
    const col = row ? active - row.start : 0;
    const toRow = (n: number) => {
      const target = rows[n];
      if (target) move(target.start + Math.min(col, target.length - 1));
    };
    const keys: Record<string, () => void> = {
      ArrowRight: () => move(active + 1),
      ArrowLeft: () => move(active - 1),
      ArrowDown: () => toRow(r + 1),
      ArrowUp: () => toRow(r - 1),
      PageDown: () => toRow(Math.min(rows.length - 1, r + 5)),
      PageUp: () => toRow(Math.max(0, r - 5)),
      Enter: () => current && pick(current),
    };
    const action = keys[e.key];
    if (!action || cells.length === 0) return;
    e.preventDefault();
    // The popover's own arrow keys move focus between buttons; here they move the highlight.
    e.stopPropagation();
    action();
  }

  function jumpTo(key: Section['key']) {
    const i = sections.findIndex((s) => s.key === key);
    const start = sections.slice(0, i).reduce((n, s) => n + s.entries.length, 0);
    setActive(start);
    document.getElementById(`${id}-sec-${key}`)?.scrollIntoView({ block: 'start' });
  }

  let index = 0;
  return (
    <div className="emoji-picker" data-testid="emoji-picker-body">
      <div className="emoji-picker-top">
        <input
          ref={inputRef}
          type="search"
          className="emoji-search"
          data-testid="emoji-search"
          placeholder={t('emoji.search')}
          aria-label={t('emoji.search')}
          role="combobox"
          aria-expanded={cells.length > 0}
          aria-controls={`${id}-grid`}
          aria-haspopup="grid"
          aria-activedescendant={current ? cellId(Math.min(active, cells.length - 1)) : undefined}
          autoComplete="off"
          spellCheck={false}
          value={query}
          onChange={(e) => {
            setQuery(e.target.value);
            setActive(0);
            scrollRef.current?.scrollTo({ top: 0 });
          }}
          onKeyDown={onKeyDown}
        />
      </div>
      {!query.trim() && data && (
        <div className="emoji-tabs" role="toolbar" aria-label={t('emoji.categories')}>
          {sections.map((s) => (
            <button
              key={s.key}
              type="button"
              className="emoji-tab icon-button small"
              tabIndex={-1}
              aria-label={t(`emoji.group.${s.key}`)}
              title={t(`emoji.group.${s.key}`)}
              onClick={() => jumpTo(s.key)}
            >
              <span aria-hidden="true">{s.key === 'recent' ? '🕘' : (s.entries[0]?.emoji ?? '')}</span>
            </button>
          ))}
        </div>
      )}
      {/* Focusable, so it scrolls from the keyboard too (the search box's arrows move the highlight instead). */}
      <div ref={scrollRef} className="emoji-scroll" id={`${id}-grid`} role="group" tabIndex={0} aria-busy={!data && !failed} aria-label={label}>
        {failed ? (
          <p className="emoji-note" role="alert">
            {t('emoji.loadFailed')}{' '}
            <button type="button" className="link-button" onClick={() => setFailed(false)}>
              {t('emoji.retry')}
            </button>
          </p>
        ) : !data ? (
          <p className="emoji-note muted">{t('emoji.loading')}</p>
        ) : cells.length === 0 ? (
          <p className="emoji-note muted" data-testid="emoji-none">
            {t('emoji.none', { query: query.trim() })}
          </p>
        ) : (
          sections.map((s) => {
            const first = index;
            index += s.entries.length;
            return (
              <section key={s.key} className="emoji-section" data-testid="emoji-section" data-section={s.key}>
                <h3 className="emoji-section-title" id={`${id}-sec-${s.key}`}>
                  {t(`emoji.group.${s.key}`)}
                </h3>
                <div role="grid" className="emoji-cells" aria-labelledby={`${id}-sec-${s.key}`} aria-colcount={COLUMNS}>
                  {chunk(s.entries, COLUMNS).map((row, r) => (
                    <div role="row" key={r} className="emoji-row">
                      {row.map((entry, c) => {
                        const i = first + r * COLUMNS + c;
                        return <Cell key={entry.emoji} id={cellId(i)} entry={entry} tone={prefs.tone} active={i === active} index={i} onPick={pick} onHover={setActive} />;
                      })}
                    </div>
                  ))}
                </div>
              </section>
            );
          })
        )}
      </div>
      <div className="emoji-picker-foot">
        <div className="emoji-preview" aria-hidden="true">
          {current && (
            <>
              <span className="emoji-preview-glyph">{withTone(current, prefs.tone)}</span>
              <span className="emoji-preview-name">{current.shortcodes[0] ? `:${current.shortcodes[0]}:` : current.label}</span>
            </>
          )}
        </div>
        <div className="emoji-tones" role="radiogroup" aria-label={t('emoji.skinTone')}>
          {TONES.map((tone) => (
            <button
              key={tone}
              type="button"
              role="radio"
              aria-checked={prefs.tone === tone}
              className={`emoji-tone ${prefs.tone === tone ? 'chosen' : ''}`}
              data-testid="emoji-tone"
              data-tone={tone}
              aria-label={t(`emoji.tone.${tone}`)}
              title={t(`emoji.tone.${tone}`)}
              onClick={() => setSkinTone(me, tone)}
            >
              <span aria-hidden="true">{TONE_SAMPLE[tone]}</span>
            </button>
          ))}
        </div>
      </div>
    </div>
  );
}

interface CellProps {
  id: string;
  index: number;
  entry: EmojiEntry;
  tone: SkinTone;
  active: boolean;
  onPick: (e: EmojiEntry) => void;
  onHover: (index: number) => void;
}

const Cell = memo(function Cell({ id, index, entry, tone, active, onPick, onHover }: CellProps) {
  const shown = withTone(entry, tone);
  return (
    <div
      id={id}
      role="gridcell"
      aria-selected={active}
      aria-label={entry.label}
      className={`emoji-cell ${active ? 'active' : ''}`}
      data-testid="emoji-option"
      data-emoji={shown}
      title={entry.shortcodes[0] ? `${entry.label} :${entry.shortcodes[0]}:` : entry.label}
      // The search box keeps focus: a click picks without moving it.
      onMouseDown={(e) => e.preventDefault()}
      onClick={() => onPick(entry)}
      onMouseEnter={() => onHover(index)}
    >
      {shown}
    </div>
  );
});

function chunk<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}
