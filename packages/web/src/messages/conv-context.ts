import { createContext, useContext } from 'react';
import type { Message } from '@parley/protocol';

/** Per-view message state: which message is being edited, and the recall confirmation. */
export interface MessageViewState {
  editingId: string | null;
  setEditingId: (id: string | null) => void;
  requestRecall: (m: Message) => void;
  /** Where the thread's replies go: null in the main list. */
  threadRootId: string | null;
  /** Gives the focus back to this view's composer (after an edit or a menu action). */
  focusComposer: () => void;
}

export const MessageViewContext = createContext<MessageViewState | null>(null);

export function useMessageView(): MessageViewState {
  const v = useContext(MessageViewContext);
  if (!v) throw new Error('useMessageView outside a message view');
  return v;
}
