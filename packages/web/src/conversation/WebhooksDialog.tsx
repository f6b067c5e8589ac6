import { useId, useRef, useState, type KeyboardEvent } from 'react';
import type { Conversation, User } from '@parley/protocol';
import { useT } from '../i18n/i18n';
import { Dialog } from '../ui/Dialog';
import { IncomingWebhooks } from './IncomingWebhooks';
import { OutgoingWebhooks } from './OutgoingWebhooks';

/**
 * Who may manage a conversation's webhooks, as the server decides it (policy
 * `conversation.manage_webhooks`): its owners and admins, workspace admins who are members or
 * in a public channel; never guests, never in a DM or an archived conversation.
 */
export function canManageWebhooks(conv: Conversation, me: User): boolean {
  if (conv.kind === 'dm' || conv.archived || me.role === 'guest') return false;
  const active = conv.membership !== null && conv.membership.left_seq === null;
  if (active && (conv.membership!.role === 'owner' || conv.membership!.role === 'admin')) return true;
  const wsAdmin = me.role === 'owner' || me.role === 'admin';
  return wsAdmin && (active || (conv.kind === 'channel' && conv.visibility === 'public'));
}

const TABS = ['incoming', 'outgoing'] as const;
type Tab = (typeof TABS)[number];

/**
 * The conversation's webhooks, one tab each way. Both panels stay mounted while the dialog is
 * open, so a secret shown once is still there after a look at the other tab.
 */
export function WebhooksDialog({ conv, name, onClose }: { conv: Conversation; name: string; onClose: () => void }) {
  const t = useT();
  const id = useId();
  const [tab, setTab] = useState<Tab>('incoming');
  const tabRefs = useRef<Partial<Record<Tab, HTMLButtonElement | null>>>({});

  // The tablist's arrow keys (WAI-ARIA tabs, automatic activation).
  function onTabKey(e: KeyboardEvent) {
    const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (!step) return;
    e.preventDefault();
    const next = TABS[(TABS.indexOf(tab) + step + TABS.length) % TABS.length]!;
    setTab(next);
    tabRefs.current[next]?.focus();
  }

  return (
    <Dialog title={t('webhooks.title', { name })} onClose={onClose} className="wide webhooks-dialog">
      <div className="tabs" role="tablist" aria-label={t('webhooks.kinds')} onKeyDown={onTabKey}>
        {TABS.map((k) => (
          <button
            key={k}
            ref={(el) => {
              tabRefs.current[k] = el;
            }}
            type="button"
            role="tab"
            id={`${id}-${k}-tab`}
            aria-controls={`${id}-${k}`}
            aria-selected={tab === k}
            tabIndex={tab === k ? 0 : -1}
            className="tab"
            data-testid={`webhooks-tab-${k}`}
            onClick={() => setTab(k)}
          >
            {t(`webhooks.tab.${k}`)}
          </button>
        ))}
      </div>
      {TABS.map((k) => (
        <div key={k} role="tabpanel" id={`${id}-${k}`} aria-labelledby={`${id}-${k}-tab`} hidden={tab !== k} className="tab-panel">
          {k === 'incoming' ? <IncomingWebhooks conv={conv} /> : <OutgoingWebhooks conv={conv} />}
        </div>
      ))}
    </Dialog>
  );
}
