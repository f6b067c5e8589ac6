import { useEffect, useState } from 'react';
import type { Message, MessageEdit } from '@parley/protocol';
import { useChat, useStore } from '../chat/context';
import { describeError } from '../auth/errors';
import { useT } from '../i18n/i18n';
import { MessageBody } from '../markdown/MessageBody';
import { fullTime } from '../messages/format';
import { Dialog } from '../ui/Dialog';
import { canViewEdits } from '../details/permissions';
import './edits.css';

/** Whether I may open this message's edit history (its sender, and the conversation's admins). */
export function useCanViewEdits(msg: Message): boolean {
  const me = useChat((s) => s.me);
  const conv = useChat((s) => s.conversations[msg.conv_id]);
  return !msg.recalled && canViewEdits(conv, me.role, me.id, msg);
}

/**
 * A message's versions, newest first: as it reads now, then each earlier one with the time it
 * was replaced (the server keeps them; GET /messages/:id/edits). Each is rendered as a message is.
 */
export function EditHistoryDialog({ msg, onClose }: { msg: Message; onClose: () => void }) {
  const t = useT();
  const store = useStore();
  const me = useChat((s) => s.me.username);
  const [edits, setEdits] = useState<MessageEdit[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    store.api.messageEdits(msg.id).then(
      (e) => live && setEdits(e),
      (e: unknown) => live && setError(describeError(e, t)),
    );
    return () => {
      live = false;
    };
    // The message's latest edit changes the list: read it again then.
  }, [store, msg.id, msg.edited_at, t]);

  return (
    <Dialog title={t('edits.title')} onClose={onClose} className="wide edit-history-dialog">
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : !edits ? (
        <p className="muted">{t('edits.loading')}</p>
      ) : (
        <ol className="edit-versions" data-testid="edit-versions">
          <li className="edit-version current" data-testid="edit-version">
            <p className="edit-when muted small">{t('edits.current', { time: fullTime(msg.edited_at ?? msg.created_at) })}</p>
            <MessageBody body={msg.body} me={me} />
          </li>
          {edits.map((e, i) => (
            <li key={`${e.edited_at}-${i}`} className="edit-version" data-testid="edit-version">
              <p className="edit-when muted small">
                <time dateTime={e.edited_at}>{t(i === edits.length - 1 ? 'edits.original' : 'edits.written', { time: fullTime(e.edited_at) })}</time>
              </p>
              <MessageBody body={e.previous_body} me={me} />
            </li>
          ))}
          {edits.length === 0 && <li className="muted">{t('edits.none')}</li>}
        </ol>
      )}
    </Dialog>
  );
}

/** The "(edited)" note under a message: a button that opens the history for those who may read it. */
export function EditedMarker({ msg }: { msg: Message }) {
  const t = useT();
  const allowed = useCanViewEdits(msg);
  const [open, setOpen] = useState(false);
  if (!allowed) return <span className="edited muted">{t('message.edited')}</span>;
  return (
    <>
      <button type="button" className="edited muted link-button edited-button" data-testid="edited-marker" title={t('edits.marker')} onClick={() => setOpen(true)}>
        {t('message.edited')}
      </button>
      {open && <EditHistoryDialog msg={msg} onClose={() => setOpen(false)} />}
    </>
  );
}
