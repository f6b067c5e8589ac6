import { useEffect } from 'react';
import type { Message } from '@parley/protocol';
import { useChat, useStore } from '../chat/context';
import { userLabel } from '../chat/names';
import { fullTime, relativeTime } from '../messages/format';

const PREVIEW_CHARS = 240;

/** What stands for a message in a list: its first words, or its files' names. */
function preview(m: Message): string {
  const text = m.body.replace(/\s+/g, ' ').trim();
  if (text) return text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS)}…` : text;
  return m.attachments.map((a) => `📎 ${a.name}`).join(', ');
}

/**
 * One message of the pinned or saved list: who wrote it, when, its first words and a note (who
 * pinned it, where it is). The whole entry is one button that opens the message in its conversation.
 */
export function ListedMessage({ message, note, onOpen, testId }: { message: Message; note: string; onOpen: () => void; testId: string }) {
  const store = useStore();
  const sender = useChat((s) => s.users[message.sender_id]);
  useEffect(() => {
    if (!sender) store.ensureUsers([message.sender_id]);
  }, [sender, message.sender_id, store]);
  return (
    <button type="button" className="listed-message" data-testid={testId} data-message-id={message.id} onClick={onOpen}>
      <span className="listed-meta">
        <span className="listed-sender">{userLabel(sender)}</span>
        <time className="muted" dateTime={message.created_at} title={fullTime(message.created_at)}>
          {relativeTime(message.created_at)}
        </time>
      </span>
      <span className="listed-body">{preview(message)}</span>
      <span className="listed-note muted small">{note}</span>
    </button>
  );
}
