import { useSyncExternalStore } from 'react';
import { useStore } from './context';
import type { PinsAndSaved } from './pins';

/** Subscribes to the pinned and saved lists (chat/pins.ts); the selector returns what is stored, never a fresh object. */
export function useMarks<T>(selector: (m: PinsAndSaved) => T): T {
  const store = useStore();
  return useSyncExternalStore(store.marks.subscribe, () => selector(store.marks));
}
