import { useSyncExternalStore } from 'react';

/**
 * A device whose main pointer is a finger: no hover, coarse aim, and most often an on-screen
 * keyboard whose Enter key is the only way to start a new line. A laptop with a touch screen
 * has a fine pointer and hover, so it keeps the keyboard habits of a desktop.
 */
const QUERY = '(hover: none) and (pointer: coarse)';

function media(): MediaQueryList | null {
  return typeof window !== 'undefined' && typeof window.matchMedia === 'function' ? window.matchMedia(QUERY) : null;
}

export function isTouchOnly(): boolean {
  return media()?.matches ?? false;
}

function subscribe(onChange: () => void): () => void {
  const mq = media();
  mq?.addEventListener('change', onChange);
  return () => mq?.removeEventListener('change', onChange);
}

/** Whether the device is touch-only, kept current (a tablet docked to a keyboard and mouse changes). */
export function useTouchOnly(): boolean {
  return useSyncExternalStore(subscribe, isTouchOnly, () => false);
}
