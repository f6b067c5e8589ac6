import compact from 'emojibase-data/en/compact.json';
import github from 'emojibase-data/en/shortcodes/github.json';
import { fromEmojibase, type EmojibaseCompact, type EmojibaseShortcodes } from './emojibase';

/**
 * Every emoji, from Emojibase (a maintained data set that follows each Unicode release), with
 * GitHub's shortcodes (`:tada:`, `:+1:`), which developers already type. Its own chunk: loaded
 * on first use only (load.ts).
 */
export const entries = fromEmojibase(compact as EmojibaseCompact[], github as EmojibaseShortcodes);
