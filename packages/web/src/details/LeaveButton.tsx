import { useState } from 'react';
import type { Conversation } from '@parley/protocol';
import { useChat, useStore } from '../chat/context';
import { useUi } from '../app/ui-context';
import { navigate } from '../app/router';
import { useT } from '../i18n/i18n';
import { useAction } from '../ui/useAction';
import { InlineConfirm } from '../ui/InlineConfirm';
import { allows } from './permissions';

/** Leave, asked twice; the conversation leaves the sidebar when the server's `member.left` arrives. */
export function LeaveButton({ conv }: { conv: Conversation }) {
  const t = useT();
  const store = useStore();
  const ui = useUi();
  const role = useChat((s) => s.me.role);
  const [asking, setAsking] = useState(false);
  const { busy, error, act } = useAction();
  if (!allows(conv, role, 'leave')) return null;
  return (
    <div className="details-leave">
      <div className="row-actions">
        {asking ? (
          <InlineConfirm
            question={t('details.leaveConfirm')}
            action={t('details.leave')}
            busy={busy}
            testId="details-leave-confirm"
            onCancel={() => setAsking(false)}
            onConfirm={() =>
              void act(async () => {
                await store.api.leave(conv.id);
                ui.closeDetails();
                navigate('/');
              })
            }
          />
        ) : (
          <button type="button" className="button danger" data-testid="details-leave" onClick={() => setAsking(true)}>
            {t('details.leave')}
          </button>
        )}
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
