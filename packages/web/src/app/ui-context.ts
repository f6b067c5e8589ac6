import { createContext, useContext } from 'react';

export type DialogKind = 'new-dm' | 'new-group' | 'new-channel' | 'browse' | 'switcher' | 'settings' | 'search' | null;

/** Layout state shared by distant components: which dialog is open, the thread panel, the phone drawer. */
export interface UiState {
  dialog: DialogKind;
  openDialog: (d: DialogKind) => void;
  /** Opens message search, its box prefilled (say `in:#ops `). */
  openSearch: (prefill?: string) => void;
  thread: { convId: string; rootId: string } | null;
  openThread: (convId: string, rootId: string) => void;
  closeThread: () => void;
  drawerOpen: boolean;
  setDrawerOpen: (open: boolean) => void;
  /** The message a link pointed at, highlighted once scrolled into view. */
  highlight: string | null;
}

export const UiContext = createContext<UiState | null>(null);

export function useUi(): UiState {
  const ui = useContext(UiContext);
  if (!ui) throw new Error('useUi outside the shell');
  return ui;
}
