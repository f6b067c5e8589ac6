import { useEffect, type RefObject } from 'react';

/** How long a finger rests on a message before its menu opens (the platforms' own is about this). */
const HOLD_MS = 500;
/** A finger that moves further than this is scrolling, not pressing. */
const SLOP_PX = 10;

/**
 * Opens a message's menu when a finger rests on the message: on a phone the menu has no room to
 * sit on every row, and a hover never happens. Listens on the row around `inside` (the menu's
 * button), so it needs nothing from the row itself.
 */
export function useLongPress(inside: RefObject<HTMLElement | null>, onPress: () => void): void {
  useEffect(() => {
    const row = inside.current?.closest<HTMLElement>('[data-testid="message"]');
    if (!row) return;
    let timer: ReturnType<typeof setTimeout> | null = null;
    let start: { x: number; y: number } | null = null;
    let pressed = false;
    const cancel = () => {
      if (timer) clearTimeout(timer);
      timer = null;
      start = null;
    };
    const down = (e: PointerEvent) => {
      if (e.pointerType !== 'touch') return;
      // A press on a link, button or field is theirs.
      if ((e.target as Element | null)?.closest('a, button, input, textarea, [role="menuitem"]')) return;
      cancel();
      pressed = false;
      start = { x: e.clientX, y: e.clientY };
      timer = setTimeout(() => {
        timer = null;
        pressed = true;
        onPress();
      }, HOLD_MS);
    };
    const move = (e: PointerEvent) => {
      if (start && Math.hypot(e.clientX - start.x, e.clientY - start.y) > SLOP_PX) cancel();
    };
    // The browser's own long-press (text selection callout, context menu) would cover ours.
    const menu = (e: Event) => {
      if (pressed || timer) e.preventDefault();
    };
    row.addEventListener('pointerdown', down);
    row.addEventListener('pointermove', move);
    row.addEventListener('pointerup', cancel);
    row.addEventListener('pointercancel', cancel);
    row.addEventListener('contextmenu', menu);
    return () => {
      cancel();
      row.removeEventListener('pointerdown', down);
      row.removeEventListener('pointermove', move);
      row.removeEventListener('pointerup', cancel);
      row.removeEventListener('pointercancel', cancel);
      row.removeEventListener('contextmenu', menu);
    };
  }, [inside, onPress]);
}
