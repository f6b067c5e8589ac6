import { useEffect } from 'react';
import { useChat } from '../chat/context';
import { conversationName } from '../chat/names';

/** "(3) #general · Parley": the unread total in the tab title, visible from other tabs. */
export function useDocumentTitle(convId: string | null): void {
  const conversations = useChat((s) => s.conversations);
  const users = useChat((s) => s.users);
  const me = useChat((s) => s.me.id);
  useEffect(() => {
    let unread = 0;
    for (const c of Object.values(conversations)) unread += c.unread_count;
    const conv = convId ? conversations[convId] : undefined;
    const name = conv ? conversationName(conv, users, me) : null;
    const title = `${unread ? `(${unread}) ` : ''}${name ? `${conv?.kind === 'channel' ? '#' : ''}${name} · ` : ''}Parley`;
    // Setting the title is not free even when it is the same (the browser is told each time).
    if (document.title !== title) document.title = title;
  }, [conversations, users, me, convId]);
}
