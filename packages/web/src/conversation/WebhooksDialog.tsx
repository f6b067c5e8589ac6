import { useId, useState } from 'react';
import type { Conversation } from '@parley/protocol';
import { useT } from '../i18n/i18n';
import { Dialog } from '../ui/Dialog';
import { TabList } from '../ui/TabList';
import { IncomingWebhooks } from './IncomingWebhooks';
import { OutgoingWebhooks } from './OutgoingWebhooks';

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
  return (
    <Dialog title={t('webhooks.title', { name })} onClose={onClose} className="wide webhooks-dialog">
      <TabList keys={TABS} current={tab} onSelect={setTab} label={t('webhooks.kinds')} idBase={id} testIdPrefix="webhooks-tab-" renderLabel={(k) => t(`webhooks.tab.${k}`)} />
      {TABS.map((k) => (
        <div key={k} role="tabpanel" id={`${id}-${k}`} aria-labelledby={`${id}-${k}-tab`} hidden={tab !== k} className="tab-panel">
          {k === 'incoming' ? <IncomingWebhooks conv={conv} /> : <OutgoingWebhooks conv={conv} />}
        </div>
      ))}
    </Dialog>
  );
}
