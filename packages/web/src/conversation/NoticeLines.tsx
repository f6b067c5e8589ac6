import { useEffect } from 'react';
import { useChat, useStore } from '../chat/context';
import { userLabel } from '../chat/names';
import type { Translate } from '../i18n/i18n';
import { useT } from '../i18n/i18n';
import { fullTime } from '../messages/format';
import type { Notice } from './notices';
import './notices.css';

/** The compact lines for membership and channel changes between messages (rows.ts places them). */
export function NoticeLines({ notices }: { notices: readonly Notice[] }) {
  const t = useT();
  const store = useStore();
  const users = useChat((s) => s.users);
  // People named by a line whom this page has not met yet (someone who left, an admin).
  useEffect(() => {
    const ids = new Set<string>();
    for (const n of notices) {
      if (!users[n.actor_id]) ids.add(n.actor_id);
      if ((n.type === 'member.left' || n.type === 'member.role_changed') && !users[n.user_id]) ids.add(n.user_id);
    }
    if (ids.size > 0) store.ensureUsers([...ids]);
  }, [notices, users, store]);
  const name = (id: string) => userLabel(users[id]);
  return (
    <>
      {notices.map((n) => (
        <div key={n.seq} className="notice-line" data-testid="notice-line" data-type={n.type} data-seq={n.seq} title={fullTime(n.ts)}>
          {noticeText(n, name, t)}
        </div>
      ))}
    </>
  );
}

/** One notice in words: "Bob joined", "Alice added Bob", "Alice renamed the channel to #ops". */
export function noticeText(n: Notice, name: (id: string) => string, t: Translate): string {
  const actor = name(n.actor_id);
  switch (n.type) {
    case 'member.joined': {
      const who = n.user.display_name || n.user.username;
      return n.actor_id === n.user.id ? t('timeline.joined', { name: who }) : t('timeline.added', { actor, name: who });
    }
    case 'member.left':
      return n.removed_by && n.removed_by !== n.user_id ? t('timeline.removed', { actor: name(n.removed_by), name: name(n.user_id) }) : t('timeline.left', { name: name(n.user_id) });
    case 'member.role_changed':
      return t('timeline.role', { actor, name: name(n.user_id), role: t(`timeline.role.${n.role}`) });
    case 'conversation.updated': {
      const ch = n.changes;
      const parts: string[] = [];
      if (ch.name) parts.push(t('timeline.renamed', { actor, name: ch.name }));
      if (ch.topic !== undefined) parts.push(ch.topic ? t('timeline.topic', { actor, topic: ch.topic }) : t('timeline.topicCleared', { actor }));
      if (ch.archived !== undefined) parts.push(t(ch.archived ? 'timeline.archived' : 'timeline.unarchived', { actor }));
      // Members should know when history starts being erased, and from when.
      if (ch.retention_days !== undefined) parts.push(ch.retention_days === null ? t('timeline.retentionInherit', { actor }) : t('timeline.retention', { actor, n: ch.retention_days }));
      // Other changes (purpose, history visibility) are shown in the details panel, not as lines.
      return parts.join(' · ');
    }
  }
}
