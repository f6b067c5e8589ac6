import { buildDataset, type EmojiDataset } from './types';

let pending: Promise<EmojiDataset> | null = null;
let loaded: EmojiDataset | null = null;

/**
 * The emoji data set (Emojibase's, emojibase-data.ts), loaded once on first use as a chunk of its
 * own: it is far larger than the rest of the picker and no first paint needs it.
 */
export function loadEmojiData(): Promise<EmojiDataset> {
  pending ??= import('./emojibase-data').then(
    (m) => (loaded = buildDataset(m.entries)),
    (e: unknown) => {
      // A failed chunk (offline, a deploy replaced it) is tried again on the next call.
      pending = null;
      throw e;
    },
  );
  return pending;
}

/** The data set if it has loaded, without asking for it. */
export function emojiDataIfLoaded(): EmojiDataset | null {
  return loaded;
}
