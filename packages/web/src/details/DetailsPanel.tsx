import { useEffect, useId, useRef } from 'react';
import type { Conversation } from '@parley/protocol';
import { useChat, useStore } from '../chat/context';
import { conversationName, userLabel } from '../chat/names';
import { useUi, type DetailsTab } from '../app/ui-context';
import { useT, type Translate } from '../i18n/i18n';
import { fullTime } from '../messages/format';
import { IconClose } from '../ui/icons';
import { TabList } from '../ui/TabList';
import { PinnedList } from '../pins/PinnedList';
import { MembersTab } from './MembersTab';
import { SettingsTab } from './SettingsTab';
import { LeaveButton } from './LeaveButton';
import './details.css';

const TABS: readonly DetailsTab[] = ['about', 'members', 'pins', 'settings'];

/** What a conversation is, in words: its kind and who can find it. */
export function kindLabel(conv: Conversation, t: Translate): string {
  if (conv.kind === 'channel') return t(conv.visibility === 'private' ? 'details.kind.private' : 'details.kind.public');
  return t(conv.kind === 'group' ? 'details.kind.group' : 'details.kind.dm');
}

/**
 * The open conversation's details beside it (a phone gives it the whole screen, like a thread):
 * about, members, pinned messages and settings. Everything shown is the store's state, which the
 * log events keep live, so a rename or a new member by someone else shows here at once.
 */
export function DetailsPanel({ convId, tab }: { convId: string; tab: DetailsTab }) {
  const t = useT();
  const ui = useUi();
  const id = useId();
  const conv = useChat((s) => s.conversations[convId]);
  // Removed from it meanwhile (or it was never ours to see): say so rather than load forever.
  const missing = useChat((s) => s.missing[convId]);
  const tabRefs = useRef<Partial<Record<DetailsTab, HTMLButtonElement | null>>>({});
  const panelRef = useRef<HTMLElement>(null);
  const member = !!conv?.membership && conv.membership.left_seq === null;
  // Members, pins and settings are a member's to see; a DM has nothing to set.
  const tabs = TABS.filter((k) => k === 'about' || (member && !(k === 'settings' && conv?.kind === 'dm')));
  const current = tabs.includes(tab) ? tab : 'about';

  useEffect(() => {
    // Focus moves into the panel when it opens (and back to the header button when it closes, below).
    const opener = document.activeElement as HTMLElement | null;
    tabRefs.current[current]?.focus();
    return () => {
      if (opener?.isConnected) opener.focus();
    };
    // Once, on opening: switching tabs keeps focus where the keyboard put it.
  }, []);

  return (
    <aside
      ref={panelRef}
      className="details-panel"
      data-testid="details-panel"
      aria-label={t('details.title')}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && !e.defaultPrevented) {
          e.preventDefault();
          ui.closeDetails();
        }
      }}
    >
      <header className="thread-header">
        <h2>{t('details.title')}</h2>
        <button type="button" className="icon-button" onClick={ui.closeDetails} aria-label={t('details.close')} data-testid="details-close">
          <IconClose />
        </button>
      </header>
      {!conv ? (
        <p className="muted small-pad">{t(missing ? 'conv.notFound' : 'conv.loading')}</p>
      ) : (
        <>
          <TabList
            keys={tabs}
            current={current}
            onSelect={(k) => ui.openDetails(convId, k)}
            label={t('details.sections')}
            idBase={id}
            testIdPrefix="details-tab-"
            className="details-tabs"
            renderLabel={(k) => t(`details.tab.${k}`)}
            tabRef={(k, el) => {
              tabRefs.current[k] = el;
            }}
          />
          <div role="tabpanel" id={`${id}-${current}`} aria-labelledby={`${id}-${current}-tab`} className="details-body" data-testid={`details-${current}`}>
            {current === 'about' && <AboutTab conv={conv} />}
            {current === 'members' && <MembersTab conv={conv} />}
            {current === 'pins' && <PinnedList conv={conv} onOpened={ui.closeDetails} />}
            {current === 'settings' && <SettingsTab conv={conv} />}
          </div>
        </>
      )}
    </aside>
  );
}

function AboutTab({ conv }: { conv: Conversation }) {
  const t = useT();
  const store = useStore();
  const users = useChat((s) => s.users);
  const me = useChat((s) => s.me.id);
  const members = useChat((s) => s.members[conv.id]);
  const creator = users[conv.created_by];
  useEffect(() => {
    if (!creator) store.ensureUsers([conv.created_by]);
  }, [creator, conv.created_by, store]);
  const name = conversationName(conv, users, me, members ? Object.keys(members) : undefined);
  return (
    <div className="details-about">
      <h3 className="details-name" data-testid="details-name">
        {conv.kind === 'channel' ? `#${name}` : name}
      </h3>
      <p className="muted small">{kindLabel(conv, t)}</p>
      {conv.archived && <p className="archived-note muted">{t('conv.archived')}</p>}
      {conv.kind !== 'dm' && (
        <dl className="details-facts">
          <dt>{t('details.topic')}</dt>
          <dd data-testid="details-topic">{conv.topic || <span className="muted">{t('conv.noTopic')}</span>}</dd>
          <dt>{t('details.purpose')}</dt>
          <dd data-testid="details-purpose">{conv.purpose ?? <span className="muted">{t('details.noPurpose')}</span>}</dd>
          {conv.kind === 'channel' && (
            <>
              <dt>{t('details.history')}</dt>
              <dd data-testid="details-history">{t(`details.history.${conv.history_visibility}`)}</dd>
            </>
          )}
          <dt>{t('details.tab.members')}</dt>
          <dd>{t('conv.members', { n: conv.member_count })}</dd>
        </dl>
      )}
      <p className="muted small" data-testid="details-created">
        {t('details.created', { name: userLabel(creator), date: fullTime(conv.created_at) })}
      </p>
      <LeaveButton conv={conv} />
    </div>
  );
}
