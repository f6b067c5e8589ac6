import { useEffect, useMemo, useState } from 'react';
import type { Conversation, Member, MemberRole } from '@parley/protocol';
import { useChat, useStore } from '../chat/context';
import { userLabel } from '../chat/names';
import { useT } from '../i18n/i18n';
import { Avatar } from '../ui/Avatar';
import { InlineConfirm } from '../ui/InlineConfirm';
import { toast } from '../ui/toast';
import { useAction } from '../ui/useAction';
import { PresenceDot } from '../sidebar/PresenceDot';
import { UserPicker } from '../sidebar/UserPicker';
import { allows, canRemove } from './permissions';

const ROLES: readonly MemberRole[] = ['owner', 'admin', 'member'];
const RANK: Record<MemberRole, number> = { owner: 0, admin: 1, member: 2 };

/**
 * The members, owners first, with presence and role; a filter; "Add people"; and, for those the
 * server lets do so, a role menu and Remove. A refusal shows the server's own words.
 */
export function MembersTab({ conv }: { conv: Conversation }) {
  const t = useT();
  const store = useStore();
  const members = useChat((s) => s.members[conv.id]);
  const me = useChat((s) => s.me);
  const connection = useChat((s) => s.connection);
  const [filter, setFilter] = useState('');
  const [adding, setAdding] = useState(false);
  const { busy, error, act } = useAction();

  useEffect(() => {
    void store.loadMembers(conv.id);
  }, [store, conv.id]);
  const ids = useMemo(() => Object.keys(members ?? {}), [members]);
  useEffect(() => {
    if (ids.length > 0) store.watchPresence(ids);
  }, [store, ids, connection]);

  const list = useMemo(() => {
    const q = filter.trim().toLowerCase();
    return Object.values(members ?? {})
      .filter((m) => !q || m.user.username.toLowerCase().includes(q) || m.user.display_name.toLowerCase().includes(q))
      .sort((a, b) => RANK[a.role] - RANK[b.role] || userLabel(a.user).localeCompare(userLabel(b.user)));
  }, [members, filter]);

  const canInvite = allows(conv, me.role, 'invite');
  const canRole = allows(conv, me.role, 'role');

  return (
    <div className="details-members">
      <div className="members-tools">
        <input
          type="search"
          className="input"
          data-testid="members-filter"
          placeholder={t('members.filter')}
          aria-label={t('members.filter')}
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
        />
        {canInvite && (
          <button type="button" className="button" data-testid="members-add" aria-expanded={adding} onClick={() => setAdding((a) => !a)}>
            {adding ? t('members.addDone') : t('members.add')}
          </button>
        )}
      </div>
      {adding && (
        <div className="members-add">
          <UserPicker
            onPick={(u) =>
              // Someone already in is a no-op for the server too.
              !members?.[u.id] &&
              void act(async () => {
                await store.api.invite(conv.id, u.id);
                toast(t('members.added', { name: userLabel(u) }));
              })
            }
          />
        </div>
      )}
      {error && (
        <p className="error" role="alert" data-testid="members-error">
          {error}
        </p>
      )}
      {!members ? (
        <p className="muted">{t('members.loading')}</p>
      ) : list.length === 0 ? (
        <p className="muted">{t('members.none')}</p>
      ) : (
        <ul className="member-list" aria-label={t('details.tab.members')}>
          {list.map((m) => (
            <MemberRow key={m.user.id} conv={conv} member={m} canRole={canRole && m.user.id !== me.id} busy={busy} act={act} />
          ))}
        </ul>
      )}
    </div>
  );
}

function MemberRow({ conv, member, canRole, busy, act }: { conv: Conversation; member: Member; canRole: boolean; busy: boolean; act: (f: () => Promise<void>) => Promise<void> }) {
  const t = useT();
  const store = useStore();
  const me = useChat((s) => s.me);
  const [confirming, setConfirming] = useState(false);
  const name = userLabel(member.user);
  const removable = canRemove(conv, me.role, me.id, member);
  return (
    <li className="member-row" data-testid="member-row" data-username={member.user.username}>
      <span className="member-avatar">
        <Avatar user={member.user} id={member.user.id} size={28} />
        <PresenceDot userId={member.user.id} />
      </span>
      <span className="member-name">
        <span className="ellipsis">{name}</span>
        <span className="muted small ellipsis">
          @{member.user.username}
          {member.user.id === me.id ? ` · ${t('members.you')}` : ''}
        </span>
      </span>
      {canRole ? (
        <select
          className="input member-role"
          data-testid="member-role"
          aria-label={t('members.roleOf', { name })}
          value={member.role}
          disabled={busy}
          onChange={(e) => {
            const role = e.target.value as MemberRole;
            void act(async () => {
              await store.api.setMemberRole(conv.id, member.user.id, role);
            });
          }}
        >
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {t(`role.${r}`)}
            </option>
          ))}
        </select>
      ) : (
        member.role !== 'member' && (
          <span className="role-badge" data-testid="member-role-badge">
            {t(`role.${member.role}`)}
          </span>
        )
      )}
      {removable &&
        (confirming ? (
          <span className="row-actions">
            <InlineConfirm
              question={t('members.removeConfirm', { name })}
              action={t('members.remove')}
              busy={busy}
              testId="member-remove-confirm"
              onCancel={() => setConfirming(false)}
              onConfirm={() =>
                void act(async () => {
                  await store.api.removeMember(conv.id, member.user.id);
                })
              }
            />
          </span>
        ) : (
          <button type="button" className="button small" data-testid="member-remove" aria-label={t('members.removeLabel', { name })} onClick={() => setConfirming(true)}>
            {t('members.remove')}
          </button>
        ))}
    </li>
  );
}
