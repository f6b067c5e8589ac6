import { createContext, useContext } from 'react';

export type DialogKind = 'new-dm' | 'new-group' | 'new-channel' | 'browse' | 'switcher' | 'settings' | 'search' | 'shortcuts' | null;

export type DetailsTab = 'about' | 'members' | 'pins' | 'settings';

/** Layout state shared by distant components: which dialog is open, the thread panel, the phone drawer. */
export interface UiState {
  dialog: DialogKind;
  openDialog: (d: DialogKind) => void;
  /** Opens message search, its box prefilled (say `in:#ops `). */
  openSearch: (prefill?: string) => void;
  thread: { convId: string; rootId: string } | null;
  openThread: (convId: string, rootId: string) => void;
  closeThread: () => void;
  /** The details panel (about, members, pins, settings) of a conversation; it shares the side with the thread. */
  details: { convId: string; tab: DetailsTab } | null;
  openDetails: (convId: string, tab?: DetailsTab) => void;
  closeDetails: () => void;
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
