import { createContext, useContext, useSyncExternalStore } from 'react';
import type { ChatStore } from './store';
import type { ChatState } from './types';

export const ChatContext = createContext<ChatStore | null>(null);

export function useStore(): ChatStore {
  const store = useContext(ChatContext);
  if (!store) throw new Error('useStore outside a signed-in session');
  return store;
}

/**
 * Subscribes to a slice of the chat state. The selector must return something already in the
 * state (or a primitive), never a fresh object, or every change would re-render the component.
 */
export function useChat<T>(selector: (s: ChatState) => T): T {
  const store = useStore();
  return useSyncExternalStore(store.subscribe, () => selector(store.getState()));
}
