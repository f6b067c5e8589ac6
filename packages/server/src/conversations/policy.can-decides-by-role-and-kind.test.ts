/**
 * `can()` is a pure function: this checks it directly against the same matrix the end-to-end test
 * exercises, plus the cases that are slow to set up over the wire (archived conversations, former
 * members, a workspace admin who is also a member), and the error each refusal turns into.
 */
import { describe, expect, test } from 'vitest';
import type { ErrorCode } from '@parley/protocol';
import type { Actor } from '../core/context.js';
import { AppError } from '../core/errors.js';
import type { ConversationsTable, MembersTable } from '../store/schema.js';
import { assertCan, can, type ConvAccess, type ConvAction } from './policy.js';

const PEOPLE = {
  owner: { ws: 'member', conv: 'owner' },
  admin: { ws: 'member', conv: 'admin' },
  member: { ws: 'member', conv: 'member' },
  guest: { ws: 'guest', conv: 'member' },
  former: { ws: 'member', conv: 'left' },
  wsAdminMember: { ws: 'admin', conv: 'member' },
  outsider: { ws: 'member', conv: null },
  wsAdmin: { ws: 'admin', conv: null },
  guestOutsider: { ws: 'guest', conv: null },
} as const;
type Person = keyof typeof PEOPLE;
const EVERYONE = Object.keys(PEOPLE) as Person[];
/** A DM has no owners or admins, and nobody can leave one. */
const DM_PEOPLE: Person[] = ['member', 'guest', 'wsAdminMember', 'outsider', 'wsAdmin', 'guestOutsider'];

type Kind = 'private' | 'public' | 'group' | 'dm' | 'archived private';

function access(kind: Kind, who: Person): { actor: Actor; a: ConvAccess } {
  const p = PEOPLE[who];
  const conv: ConversationsTable = {
    id: 'C',
    kind: kind === 'dm' ? 'dm' : kind === 'group' ? 'group' : 'channel',
    name: 'x',
    topic: '',
    purpose: null,
    retention_days: null,
    visibility: kind === 'public' ? 'public' : kind === 'private' || kind === 'archived private' ? 'private' : null,
    history_visibility: 'full',
    dm_key: null,
    created_by: 'O',
    created_at: 0,
    last_seq: 10,
    archived_at: kind === 'archived private' ? 5 : null,
    member_count: 3,
  };
  const member: MembersTable | null =
    p.conv === null
      ? null
      : {
          conv_id: 'C',
          user_id: 'U',
          role: p.conv === 'left' ? 'member' : p.conv,
          joined_at: 0,
          visible_from_seq: 1,
          left_seq: p.conv === 'left' ? 7 : null,
          read_seq: 0,
          delivered_seq: 0,
          notify: null,
        };
  return { actor: { userId: 'U', role: p.ws, sessionId: 'S', via: 'session' }, a: { conv, member } };
}

const ACTIVE = 'owner admin member guest wsAdminMember';
const EVER_MEMBER = `${ACTIVE} former`;

/** Who may do what: space-separated people; everyone else is refused. */
const ALLOWED: Record<Kind, Record<ConvAction, string>> = {
  private: {
    'conversation.view': EVER_MEMBER,
    'conversation.read': EVER_MEMBER,
    'conversation.join': '',
    'conversation.leave': ACTIVE,
    'conversation.invite': 'owner admin member wsAdminMember',
    'conversation.kick': 'owner admin wsAdminMember',
    'conversation.rename': 'owner admin wsAdminMember',
    'conversation.set_topic': ACTIVE,
    'conversation.archive': 'owner wsAdminMember',
    'conversation.set_role': 'owner wsAdminMember',
    'conversation.set_history': 'owner admin wsAdminMember',
    'conversation.manage_webhooks': 'owner admin wsAdminMember',
    'message.send': ACTIVE,
    'message.react': ACTIVE,
    'message.tag': ACTIVE,
    'message.pin': ACTIVE,
    'message.edit_own': ACTIVE,
    'message.recall_own': ACTIVE,
    'message.recall_any': 'owner admin wsAdminMember',
    typing: ACTIVE,
    'read.mark': EVER_MEMBER,
  },
  public: {
    'conversation.view': `${EVER_MEMBER} outsider wsAdmin`,
    'conversation.read': EVER_MEMBER,
    'conversation.join': 'former outsider wsAdmin',
    'conversation.leave': ACTIVE,
    'conversation.invite': 'owner admin member wsAdminMember',
    'conversation.kick': 'owner admin wsAdminMember wsAdmin',
    'conversation.rename': 'owner admin wsAdminMember wsAdmin',
    'conversation.set_topic': ACTIVE,
    'conversation.archive': 'owner wsAdminMember wsAdmin',
    'conversation.set_role': 'owner wsAdminMember wsAdmin',
    'conversation.set_history': 'owner admin wsAdminMember wsAdmin',
    'conversation.manage_webhooks': 'owner admin wsAdminMember wsAdmin',
    'message.send': ACTIVE,
    'message.react': ACTIVE,
    'message.tag': ACTIVE,
    'message.pin': ACTIVE,
    'message.edit_own': ACTIVE,
    'message.recall_own': ACTIVE,
    'message.recall_any': 'owner admin wsAdminMember',
    typing: ACTIVE,
    'read.mark': EVER_MEMBER,
  },
  group: {} as Record<ConvAction, string>, // same as private, filled below
  dm: {
    'conversation.view': 'member guest wsAdminMember',
    'conversation.read': 'member guest wsAdminMember',
    'conversation.join': '',
    'conversation.leave': '',
    'conversation.invite': '',
    'conversation.kick': '',
    'conversation.rename': '',
    'conversation.set_topic': '',
    'conversation.archive': '',
    'conversation.set_role': '',
    'conversation.set_history': '',
    'conversation.manage_webhooks': '',
    'message.send': 'member guest wsAdminMember',
    'message.react': 'member guest wsAdminMember',
    'message.tag': 'member guest wsAdminMember',
    'message.pin': 'member guest wsAdminMember',
    'message.edit_own': 'member guest wsAdminMember',
    'message.recall_own': 'member guest wsAdminMember',
    // In a DM each side recalls only their own messages, workspace admins included.
    'message.recall_any': '',
    typing: 'member guest wsAdminMember',
    'read.mark': 'member guest wsAdminMember',
  },
  'archived private': {
    'conversation.view': EVER_MEMBER,
    'conversation.read': EVER_MEMBER,
    'conversation.join': '',
    'conversation.leave': ACTIVE,
    'conversation.invite': '',
    'conversation.kick': '',
    'conversation.rename': '',
    'conversation.set_topic': '',
    // Unarchiving is the archive action again.
    'conversation.archive': 'owner wsAdminMember',
    // Roles are frozen while archived.
    'conversation.set_role': '',
    'conversation.set_history': '',
    'conversation.manage_webhooks': '',
    'message.send': '',
    'message.react': '',
    'message.tag': '',
    // Nobody pins or unpins in an archived conversation: its pins are frozen with it.
    'message.pin': '',
    'message.edit_own': '',
    'message.recall_own': '',
    'message.recall_any': '',
    typing: '',
    'read.mark': EVER_MEMBER,
  },
};
// Only channels have a history option; otherwise a group is judged as a private channel.
ALLOWED.group = { ...ALLOWED.private, 'conversation.set_history': '' };

const LABEL: Record<Kind, string> = {
  private: 'a private channel',
  public: 'a public channel',
  group: 'a group',
  dm: 'a DM',
  'archived private': 'an archived private channel',
};

for (const kind of Object.keys(ALLOWED) as Kind[]) {
  describe(`can() in ${LABEL[kind]}`, () => {
    const people = kind === 'dm' ? DM_PEOPLE : EVERYONE;
    for (const action of Object.keys(ALLOWED[kind]) as ConvAction[]) {
      const allowed = ALLOWED[kind][action].split(' ').filter(Boolean);
      test(`${action} is allowed for ${allowed.length ? allowed.join(', ') : 'nobody'}`, () => {
        const actual = Object.fromEntries(people.map((p) => [p, can(access(kind, p).actor, action, access(kind, p).a)]));
        const expected = Object.fromEntries(people.map((p) => [p, allowed.includes(p)]));
        expect(actual).toEqual(expected);
      });
    }
  });
}

describe('assertCan turns each refusal into the error a client should see', () => {
  const cases: [string, Kind, Person, ConvAction, ErrorCode][] = [
    ['someone outside a private channel learns nothing', 'private', 'outsider', 'message.send', 'not_found'],
    ['a workspace admin outside a private channel learns nothing either', 'private', 'wsAdmin', 'conversation.view', 'not_found'],
    ['a guest outside a public channel learns nothing', 'public', 'guestOutsider', 'conversation.view', 'not_found'],
    ['a stranger to a DM learns nothing', 'dm', 'wsAdmin', 'conversation.read', 'not_found'],
    ['a workspace member who has not joined a public channel is told to join first', 'public', 'outsider', 'message.send', 'not_member'],
    ['a former member is told they are no longer in it', 'private', 'former', 'message.send', 'not_member'],
    ['a plain member trying an admin action is forbidden', 'private', 'member', 'conversation.kick', 'forbidden'],
    ['a guest trying to invite is forbidden', 'group', 'guest', 'conversation.invite', 'forbidden'],
    ['writing to an archived conversation says it is archived', 'archived private', 'member', 'message.send', 'conversation_archived'],
    ['pinning in an archived conversation says it is archived', 'archived private', 'owner', 'message.pin', 'conversation_archived'],
    ['a former member is not told that it was archived after they left', 'archived private', 'former', 'message.send', 'not_member'],
    ['nor when they try to set its topic', 'archived private', 'former', 'conversation.set_topic', 'not_member'],
  ];
  for (const [name, kind, who, action, code] of cases) {
    test(`${name} (${code})`, () => {
      const { actor, a } = access(kind, who);
      let thrown: unknown = null;
      try {
        assertCan(actor, action, a);
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(AppError);
      expect((thrown as AppError).code).toBe(code);
    });
  }

  test('an allowed action does not throw', () => {
    const { actor, a } = access('private', 'owner');
    expect(() => assertCan(actor, 'conversation.archive', a)).not.toThrow();
  });
});
