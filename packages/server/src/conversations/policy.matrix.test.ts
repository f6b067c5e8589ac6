/**
 * The authorisation matrix, end to end: for each kind of conversation, each kind of person and
 * each action, what a real client gets back over REST — and, for writes, whether the change
 * actually happened (a refusal that still changes state is the worst kind of bug).
 *
 * Expected outcomes follow packages/server/src/conversations/policy.ts as it stands. Every cell
 * runs against a fresh conversation, so one action (kick, leave, archive) never colours another.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Conversation, ErrorBody, Member, Message } from '@parley/protocol';
import { RequestError, SocketClient, api, createConversation, registerUser, startServer, type ApiResult, type TestServer, type TestUser } from '../testing/harness.js';

type Kind = 'private' | 'public' | 'group' | 'dm';
const ACTORS = ['owner', 'admin', 'member', 'guest', 'outsider', 'wsAdmin', 'guestOutsider'] as const;
type ActorKey = (typeof ACTORS)[number];
const ACTIONS = ['view', 'history', 'send', 'react', 'editOwn', 'recallOthers', 'invite', 'kick', 'rename', 'setTopic', 'archive', 'join', 'leave', 'members'] as const;
type Action = (typeof ACTIONS)[number];
type Outcome = 'ok' | 'forbidden' | 'not_member' | '404' | 'n/a';

const WHO: Record<ActorKey, string> = {
  owner: 'the conversation owner',
  admin: 'a conversation admin',
  member: 'a plain member',
  guest: 'a workspace guest who is a member',
  outsider: 'a workspace member who is not in it',
  wsAdmin: 'a workspace admin who is not in it',
  guestOutsider: 'a workspace guest who is not in it',
};
const WHAT: Record<Action, string> = {
  view: 'view the conversation',
  history: 'read the history',
  send: 'send a message',
  react: 'react to a message',
  editOwn: 'edit their own message',
  recallOthers: "recall someone else's message",
  invite: 'invite a member',
  kick: 'kick a member',
  rename: 'rename it',
  setTopic: 'set the topic',
  archive: 'archive it',
  join: 'join it',
  leave: 'leave it',
  members: 'list the members',
};
const KIND_NAME: Record<Kind, string> = { private: 'a private channel', public: 'a public channel', group: 'a group', dm: 'a DM' };

/** One row: the outcome for each actor, in ACTORS order. */
function row(spec: string): Record<ActorKey, Outcome> {
  const cells = spec.trim().split(/\s+/) as Outcome[];
  if (cells.length !== ACTORS.length) throw new Error(`row needs ${ACTORS.length} cells: ${spec}`);
  return Object.fromEntries(ACTORS.map((a, i) => [a, cells[i]!])) as Record<ActorKey, Outcome>;
}

/*
 * The matrix. Columns: owner, conversation admin, plain member, guest member, outsider
 * (workspace member not in it), workspace admin not in it, guest not in it.
 *   ok          the action succeeds (join/leave of a member you already are: no-op success)
 *   forbidden   403 forbidden
 *   not_member  403 not_member ("join first")
 *   404         404 not_found — the actor may not learn the conversation exists
 *   n/a         no such person (a DM has no admins)
 * In a DM, "owner" is the participant who opened it and "member" the other participant.
 * Non-members have no message of their own, so "edit own message" targets someone else's.
 */
// prettier-ignore
const PRIVATE_OR_GROUP: Record<Action, Record<ActorKey, Outcome>> = {
  //                   owner      admin      member     guest      outsider   wsAdmin    guestOutsider
  view:         row(' ok         ok         ok         ok         404        404        404 '),
  history:      row(' ok         ok         ok         ok         404        404        404 '),
  send:         row(' ok         ok         ok         ok         404        404        404 '),
  react:        row(' ok         ok         ok         ok         404        404        404 '),
  editOwn:      row(' ok         ok         ok         ok         404        404        404 '),
  recallOthers: row(' ok         ok         forbidden  forbidden  404        404        404 '),
  invite:       row(' ok         ok         ok         forbidden  404        404        404 '),
  kick:         row(' ok         ok         forbidden  forbidden  404        404        404 '),
  rename:       row(' ok         ok         forbidden  forbidden  404        404        404 '),
  setTopic:     row(' ok         ok         ok         ok         404        404        404 '),
  archive:      row(' ok         forbidden  forbidden  forbidden  404        404        404 '),
  join:         row(' ok         ok         ok         ok         404        404        404 '),
  leave:        row(' ok         ok         ok         ok         404        404        404 '),
  members:      row(' ok         ok         ok         ok         404        404        404 '),
};

// prettier-ignore
const PUBLIC: Record<Action, Record<ActorKey, Outcome>> = {
  //                   owner      admin      member     guest      outsider   wsAdmin    guestOutsider
  view:         row(' ok         ok         ok         ok         ok         ok         404 '),
  history:      row(' ok         ok         ok         ok         not_member not_member 404 '),
  send:         row(' ok         ok         ok         ok         not_member not_member 404 '),
  // Messages of a channel you have not joined are not readable, so a message id is unknown to you.
  react:        row(' ok         ok         ok         ok         404        404        404 '),
  editOwn:      row(' ok         ok         ok         ok         404        404        404 '),
  recallOthers: row(' ok         ok         forbidden  forbidden  404        404        404 '),
  invite:       row(' ok         ok         ok         forbidden  not_member not_member 404 '),
  // Workspace admins manage public channels without joining them.
  kick:         row(' ok         ok         forbidden  forbidden  not_member ok         404 '),
  rename:       row(' ok         ok         forbidden  forbidden  not_member ok         404 '),
  setTopic:     row(' ok         ok         ok         ok         not_member not_member 404 '),
  archive:      row(' ok         forbidden  forbidden  forbidden  not_member ok         404 '),
  join:         row(' ok         ok         ok         ok         ok         ok         404 '),
  leave:        row(' ok         ok         ok         ok         not_member not_member 404 '),
  members:      row(' ok         ok         ok         ok         not_member not_member 404 '),
};

// prettier-ignore
const DM: Record<Action, Record<ActorKey, Outcome>> = {
  //                   opener     admin      other      guest      outsider   wsAdmin    guestOutsider
  view:         row(' ok         n/a        ok         ok         404        404        404 '),
  history:      row(' ok         n/a        ok         ok         404        404        404 '),
  send:         row(' ok         n/a        ok         ok         404        404        404 '),
  react:        row(' ok         n/a        ok         ok         404        404        404 '),
  editOwn:      row(' ok         n/a        ok         ok         404        404        404 '),
  recallOthers: row(' forbidden  n/a        forbidden  forbidden  404        404        404 '),
  invite:       row(' forbidden  n/a        forbidden  forbidden  404        404        404 '),
  kick:         row(' forbidden  n/a        forbidden  forbidden  404        404        404 '),
  rename:       row(' forbidden  n/a        forbidden  forbidden  404        404        404 '),
  setTopic:     row(' forbidden  n/a        forbidden  forbidden  404        404        404 '),
  archive:      row(' forbidden  n/a        forbidden  forbidden  404        404        404 '),
  join:         row(' ok         n/a        ok         ok         404        404        404 '),
  leave:        row(' forbidden  n/a        forbidden  forbidden  404        404        404 '),
  members:      row(' ok         n/a        ok         ok         404        404        404 '),
};

const MATRIX: Record<Kind, Record<Action, Record<ActorKey, Outcome>>> = { private: PRIVATE_OR_GROUP, public: PUBLIC, group: PRIVATE_OR_GROUP, dm: DM };

/* ------------------------------------------------------------------------------------------ */

let server: TestServer;
let root: TestUser; // workspace owner, only used to hand out workspace roles
const u = {} as Record<'cOwner' | 'cAdmin' | 'cMember' | 'guest' | 'outsider' | 'wsAdmin' | 'guestOutsider' | 'victim' | 'watcher' | 'invitee', TestUser>;
let mainDm: string; // cOwner <-> cMember
let guestDm: string; // cOwner <-> guest

const actorUser = (k: ActorKey): TestUser => ({ owner: u.cOwner, admin: u.cAdmin, member: u.cMember, guest: u.guest, outsider: u.outsider, wsAdmin: u.wsAdmin, guestOutsider: u.guestOutsider })[k];

beforeAll(async () => {
  server = await startServer({ sqliteSynchronous: 'normal' });
  root = await registerUser(server, 'root');
  for (const name of ['cOwner', 'cAdmin', 'cMember', 'guest', 'outsider', 'wsAdmin', 'guestOutsider', 'victim', 'watcher', 'invitee'] as const) {
    u[name] = await registerUser(server, name.toLowerCase());
  }
  for (const [who, role] of [
    [u.guest, 'guest'],
    [u.guestOutsider, 'guest'],
    [u.wsAdmin, 'admin'],
  ] as const) {
    const res = await api(server, 'PATCH', `/admin/users/${who.user.id}`, { role }, root.token);
    expect(res.status).toBe(200);
  }
  mainDm = (await createConversation(server, u.cOwner.token, { kind: 'dm', user_id: u.cMember.user.id })).id;
  guestDm = (await createConversation(server, u.cOwner.token, { kind: 'dm', user_id: u.guest.user.id })).id;
});
afterAll(async () => {
  await server.stop();
});

let counter = 0;
const uniq = (p: string) => `${p}${++counter}`;

async function sendAs(who: TestUser, convId: string, body: string): Promise<Message> {
  const res = await api<Message>(server, 'POST', `/conversations/${convId}/messages`, { client_msg_id: uniq('c'), body }, who.token);
  if (res.status !== 201) throw new Error(`setup send failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

interface Fixture {
  convId: string;
  actor: TestUser;
  /** Someone who stays a member throughout and checks what really happened. */
  observer: TestUser;
  ownMessage: Message | null;
  othersMessage: Message;
  kickTarget: TestUser;
  wasMember: boolean;
}

/**
 * Actions whose effect is confined to the actor's own message or reaction share one conversation
 * per row. Actions that change the conversation itself get a fresh conversation for each actor
 * expected to succeed; the actors expected to be refused share one (if a refusal wrongly
 * succeeds, the row fails either way).
 */
const SHARED: ReadonlySet<Action> = new Set(['view', 'history', 'members', 'send', 'react', 'editOwn', 'recallOthers']);
const sharedConvs = new Map<string, Promise<string>>();

/** A conversation owned by cOwner with `extra` members (besides the owner) plus the victim and the watcher. */
async function newConversation(kind: Exclude<Kind, 'dm'>, promoteAdmin: boolean, extra: TestUser[]): Promise<string> {
  const members = [...extra, u.victim, u.watcher].map((m) => m.user.id);
  const body = kind === 'group' ? { kind: 'group', name: uniq('g'), member_ids: members } : { kind: 'channel', name: uniq(kind === 'private' ? 'priv' : 'pub'), visibility: kind, member_ids: members };
  const conv = await createConversation(server, u.cOwner.token, body);
  if (promoteAdmin) {
    const res = await api(server, 'PATCH', `/conversations/${conv.id}/members/${u.cAdmin.user.id}`, { role: 'admin' }, u.cOwner.token);
    if (res.status !== 200) throw new Error(`promote failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return conv.id;
}

/** A conversation of `kind` set up for `actor` to try `action`, with its own target messages. */
async function fixture(kind: Kind, actorKey: ActorKey, action: Action): Promise<Fixture> {
  const actor = actorUser(actorKey);
  const isParticipant = ['owner', 'admin', 'member', 'guest'].includes(actorKey);
  const needsMessages = action === 'react' || action === 'editOwn' || action === 'recallOthers';
  let convId: string;
  let other: TestUser;
  let observer: TestUser;
  if (kind === 'dm') {
    convId = actorKey === 'guest' ? guestDm : mainDm;
    other = actorKey === 'owner' ? u.cMember : u.cOwner;
    observer = other;
  } else {
    if (SHARED.has(action) || MATRIX[kind][action][actorKey] !== 'ok') {
      const key = `${kind}:${action}:${SHARED.has(action) ? 'all' : 'refused'}`;
      if (!sharedConvs.has(key)) sharedConvs.set(key, newConversation(kind, true, [u.cAdmin, u.cMember, u.guest]));
      convId = await sharedConvs.get(key)!;
    } else {
      // Just the actor expected to succeed (if they are to be in it at all), so it is cheap to make.
      convId = await newConversation(kind, actorKey === 'admin', isParticipant && actorKey !== 'owner' ? [actor] : []);
    }
    other = u.victim;
    observer = u.watcher;
  }
  return {
    convId,
    actor,
    observer,
    ownMessage: isParticipant && action === 'editOwn' ? await sendAs(actor, convId, 'mine') : null,
    othersMessage: needsMessages ? await sendAs(other, convId, 'theirs') : ({ id: '' } as Message),
    kickTarget: other,
    wasMember: isParticipant,
  };
}

/** Performs `action` over REST as the fixture's actor. */
function perform(action: Action, fx: Fixture, marker: string): Promise<ApiResult> {
  const t = fx.actor.token;
  const c = `/conversations/${fx.convId}`;
  switch (action) {
    case 'view':
      return api(server, 'GET', c, undefined, t);
    case 'history':
      return api(server, 'GET', `${c}/messages`, undefined, t);
    case 'send':
      return api(server, 'POST', `${c}/messages`, { client_msg_id: marker, body: marker }, t);
    case 'react':
      return api(server, 'POST', `/messages/${fx.othersMessage.id}/reactions`, { emoji: '👍' }, t);
    case 'editOwn':
      return api(server, 'PATCH', `/messages/${(fx.ownMessage ?? fx.othersMessage).id}`, { body: marker }, t);
    case 'recallOthers':
      return api(server, 'DELETE', `/messages/${fx.othersMessage.id}`, undefined, t);
    case 'invite':
      return api(server, 'POST', `${c}/members`, { user_id: u.invitee.user.id }, t);
    case 'kick':
      return api(server, 'DELETE', `${c}/members/${fx.kickTarget.user.id}`, undefined, t);
    case 'rename':
      return api(server, 'PATCH', c, { name: marker }, t);
    case 'setTopic':
      return api(server, 'PATCH', c, { topic: marker }, t);
    case 'archive':
      return api(server, 'PATCH', c, { archived: true }, t);
    case 'join':
      return api(server, 'POST', `${c}/join`, undefined, t);
    case 'leave':
      return api(server, 'POST', `${c}/leave`, undefined, t);
    case 'members':
      return api(server, 'GET', `${c}/members`, undefined, t);
  }
}

/** Whether the action's effect is visible to the observer afterwards; null for read-only actions. */
async function effectHappened(action: Action, fx: Fixture, marker: string): Promise<boolean | null> {
  const o = fx.observer.token;
  const c = `/conversations/${fx.convId}`;
  const members = async () => (await api<{ members: Member[] }>(server, 'GET', `${c}/members`, undefined, o)).body.members.map((m) => m.user.id);
  const conv = async () => (await api<Conversation>(server, 'GET', c, undefined, o)).body;
  const message = async (id: string) => (await api<Message>(server, 'GET', `/messages/${id}`, undefined, o)).body;
  switch (action) {
    case 'view':
    case 'history':
    case 'members':
      return null;
    case 'send':
      return (await api<{ messages: Message[] }>(server, 'GET', `${c}/messages`, undefined, o)).body.messages.some((m) => m.body === marker);
    case 'react':
      return (await message(fx.othersMessage.id)).reactions.some((r) => r.user_ids.includes(fx.actor.user.id));
    case 'editOwn':
      return (await message((fx.ownMessage ?? fx.othersMessage).id)).body === marker;
    case 'recallOthers':
      return (await message(fx.othersMessage.id)).recalled;
    case 'invite':
      return (await members()).includes(u.invitee.user.id);
    case 'kick':
      return !(await members()).includes(fx.kickTarget.user.id);
    case 'rename':
      return (await conv()).name === marker;
    case 'setTopic':
      return (await conv()).topic === marker;
    case 'archive':
      return (await conv()).archived;
    case 'join':
      return (await members()).includes(fx.actor.user.id);
    case 'leave':
      return fx.wasMember && !(await members()).includes(fx.actor.user.id);
  }
}

function outcomeOf(res: ApiResult): Outcome | string {
  if (res.status >= 200 && res.status < 300) return 'ok';
  const code = (res.body as { error?: ErrorBody } | undefined)?.error?.code;
  if (res.status === 404 && code === 'not_found') return '404';
  if (res.status === 403 && (code === 'forbidden' || code === 'not_member')) return code;
  return `${res.status} ${code ?? JSON.stringify(res.body)}`;
}

function describeRow(expected: Record<ActorKey, Outcome>): string {
  const groups: Partial<Record<Outcome, string[]>> = {};
  for (const a of ACTORS) if (expected[a] !== 'n/a') (groups[expected[a]] ??= []).push(a);
  const label: Record<Outcome, string> = { ok: 'allowed for', forbidden: '403 forbidden for', not_member: '403 not_member for', '404': '404 for', 'n/a': '' };
  return (Object.keys(groups) as Outcome[]).map((o) => `${label[o]} ${groups[o]!.join(', ')}`).join('; ');
}

for (const kind of ['private', 'public', 'group', 'dm'] as const) {
  describe(`in ${KIND_NAME[kind]}`, () => {
    for (const action of ACTIONS) {
      const expected = MATRIX[kind][action];
      test(`"${WHAT[action]}" is ${describeRow(expected)}`, async () => {
        const actual = {} as Record<ActorKey, Outcome | string>;
        const effects: string[] = [];
        await Promise.all(
          ACTORS.map(async (a) => {
            if (expected[a] === 'n/a') {
              actual[a] = 'n/a';
              return;
            }
            const fx = await fixture(kind, a, action);
            const marker = uniq(`m${action}`);
            const res = await perform(action, fx, marker);
            actual[a] = outcomeOf(res);
            const happened = await effectHappened(action, fx, marker);
            // A refusal must change nothing; a success must really happen.
            if (happened !== null && happened !== (actual[a] === 'ok')) {
              effects.push(`${WHO[a]}: answered ${actual[a]} but the change ${happened ? 'DID' : 'did NOT'} happen`);
            }
          }),
        );
        expect(actual).toEqual(expected);
        expect(effects).toEqual([]);
      });
    }
  });
}

/* ------------------------------------------------------------------------------------------ */

describe('non-members learn nothing about private conversations', () => {
  const UNKNOWN_ID = '01ARZ3NDEKTSV4RRFFQ69G5FAV';
  interface Secret {
    label: string;
    convId: string;
    messageId: string;
  }
  let secrets: Secret[];
  /** A DM each non-member does belong to, to try replying to a secret message from there. */
  const ownDm = {} as Record<ActorKey, string>;

  beforeAll(async () => {
    for (const who of ['outsider', 'wsAdmin', 'guestOutsider'] as const) {
      // A guest may not open a DM with someone they share nothing with; the watcher opens it.
      ownDm[who] =
        who === 'guestOutsider'
          ? (await createConversation(server, u.watcher.token, { kind: 'dm', user_id: actorUser(who).user.id })).id
          : (await createConversation(server, actorUser(who).token, { kind: 'dm', user_id: u.watcher.user.id })).id;
    }
    const members = [u.cMember.user.id, u.victim.user.id];
    const priv = await createConversation(server, u.cOwner.token, { kind: 'channel', name: uniq('secret'), visibility: 'private', member_ids: members });
    const group = await createConversation(server, u.cOwner.token, { kind: 'group', name: uniq('secretgroup'), member_ids: members });
    secrets = [];
    for (const [label, convId] of [
      ['private channel', priv.id],
      ['group', group.id],
      ['DM', mainDm],
    ] as const) {
      const m = await sendAs(u.cOwner, convId, 'top secret');
      secrets.push({ label, convId, messageId: m.id });
    }
  });

  /** Every REST path that names the conversation or one of its messages. */
  const restPaths = (target: string): [string, string, unknown?][] => [
    ['GET', `/conversations/${target}`],
    ['PATCH', `/conversations/${target}`, { topic: 'x' }],
    ['GET', `/conversations/${target}/messages`],
    ['POST', `/conversations/${target}/messages`, { client_msg_id: uniq('leak'), body: 'hi' }],
    ['GET', `/conversations/${target}/members`],
    ['POST', `/conversations/${target}/members`, { user_id: u.outsider.user.id }],
    ['DELETE', `/conversations/${target}/members/${u.victim.user.id}`],
    ['PATCH', `/conversations/${target}/members/${u.victim.user.id}`, { role: 'admin' }],
    ['POST', `/conversations/${target}/join`],
    ['POST', `/conversations/${target}/leave`],
    ['GET', `/conversations/${target}/events?after_seq=0`],
    ['POST', `/conversations/${target}/read`, { seq: 1 }],
    ['POST', `/conversations/${target}/typing`, {}],
  ];
  const messagePaths = (target: string, from: string): [string, string, unknown?][] => [
    ['POST', `/conversations/${from}/messages`, { client_msg_id: uniq('reply'), body: 're', reply_to: target }],
    ['GET', `/messages/${target}`],
    ['PATCH', `/messages/${target}`, { body: 'x' }],
    ['DELETE', `/messages/${target}`],
    ['GET', `/messages/${target}/thread`],
    ['GET', `/messages/${target}/edits`],
    ['POST', `/messages/${target}/reactions`, { emoji: '👍' }],
    ['DELETE', `/messages/${target}/reactions/${encodeURIComponent('👍')}`],
  ];

  for (const who of ['outsider', 'wsAdmin', 'guestOutsider'] as const) {
    test(`${WHO[who]} gets exactly the 404 of a conversation or message that does not exist, on every REST path`, async () => {
      const t = actorUser(who).token;
      const mismatches: string[] = [];
      // What the same requests get for ids that do not exist at all.
      const unknownPaths = [...restPaths(UNKNOWN_ID), ...messagePaths(UNKNOWN_ID, ownDm[who])];
      const baseline = await Promise.all(unknownPaths.map(([method, path, body]) => api(server, method, path, body, t)));
      for (const s of secrets) {
        await Promise.all(
          [...restPaths(s.convId), ...messagePaths(s.messageId, ownDm[who])].map(async ([method, path, body], i) => {
            const real = await api(server, method, path, body, t);
            const none = baseline[i]!;
            if (real.status !== 404 || JSON.stringify(real.body) !== JSON.stringify(none.body)) {
              mismatches.push(`${s.label} ${method} ${path}: ${real.status} ${JSON.stringify(real.body)} vs unknown id: ${none.status} ${JSON.stringify(none.body)}`);
            }
          }),
        );
      }
      expect(mismatches).toEqual([]);
    });
  }

  test('every socket request about a private conversation or its messages is answered exactly like one about an id that does not exist', async () => {
    const s = await SocketClient.connect(server, u.outsider.token);
    const requests = (c: string, m: string): [string, Record<string, unknown>][] => [
      ['conversation.get', { conv_id: c }],
      ['message.send', { conv_id: c, client_msg_id: uniq('sock'), body: 'hi' }],
      ['message.send', { conv_id: ownDm.outsider, client_msg_id: uniq('sockreply'), body: 're', reply_to: m }],
      ['history', { conv_id: c }],
      ['sync.events', { conv_id: c, after_seq: 0 }],
      ['typing.start', { conv_id: c }],
      ['typing.stop', { conv_id: c }],
      ['read.mark', { conv_id: c, seq: 1 }],
      ['delivery.ack', { conv_id: c, seq: 1 }],
      ['message.get', { message_id: m }],
      ['message.edit', { message_id: m, body: 'x' }],
      ['message.recall', { message_id: m }],
      ['reaction.add', { message_id: m, emoji: '👍' }],
      ['reaction.remove', { message_id: m, emoji: '👍' }],
    ];
    const answer = (type: string, data: Record<string, unknown>) =>
      s.request(type as 'ping', data).then(
        (r) => `result ${JSON.stringify(r).slice(0, 80)}`,
        (e: unknown) => (e instanceof RequestError ? JSON.stringify(e.error) : String(e)),
      );
    const baseline: string[] = [];
    for (const [type, data] of requests(UNKNOWN_ID, UNKNOWN_ID)) baseline.push(await answer(type, data));
    expect(baseline.every((b) => JSON.parse(b.startsWith('{') ? b : '{}').code === 'not_found')).toBe(true);
    const failures: string[] = [];
    for (const secret of secrets) {
      const list = requests(secret.convId, secret.messageId);
      for (let i = 0; i < list.length; i++) {
        const [type, data] = list[i]!;
        const got = await answer(type, data);
        if (got !== baseline[i]) failures.push(`${secret.label} ${type}: ${got} vs unknown id: ${baseline[i]}`);
      }
    }
    expect(failures).toEqual([]);
    expect(s.closeInfo).toBeNull();
    await s.close();
  });

  test("a non-member's socket receives no events of a private conversation, and it is listed nowhere they can look", async () => {
    const spy = await SocketClient.connect(server, u.outsider.token);
    const insider = await SocketClient.connect(server, u.cMember.token);
    const priv = secrets[0]!;
    await sendAs(u.cOwner, priv.convId, 'psst');
    await insider.waitFor((e) => e.type === 'message.created' && e.conv_id === priv.convId && e.message.body === 'psst');
    await spy.request('ping', {});
    expect(spy.events.filter((e) => 'conv_id' in e && e.conv_id === priv.convId)).toEqual([]);

    const browse = await api<{ conversations: Conversation[] }>(server, 'GET', '/channels', undefined, u.outsider.token);
    expect(browse.body.conversations.map((c) => c.id)).not.toContain(priv.convId);
    const mine = await api<{ conversations: Conversation[] }>(server, 'GET', '/conversations', undefined, u.outsider.token);
    expect(mine.body.conversations.map((c) => c.id)).not.toContain(priv.convId);
    // Resync treats a private conversation's id exactly like an id that does not exist.
    const sync = await api<{ conversations: Conversation[]; removed: string[]; events?: unknown[] }>(
      server,
      'POST',
      '/sync',
      { cursors: { [priv.convId]: 0, [UNKNOWN_ID]: 0 }, events_limit: 100 },
      u.outsider.token,
    );
    expect(sync.body.conversations.map((c) => c.id)).not.toContain(priv.convId);
    expect(sync.body.removed.sort()).toEqual([priv.convId, UNKNOWN_ID].sort());
    // Asking for the pages of moved conversations brings none of it either.
    expect(sync.body.events).toEqual([]);
    expect(JSON.stringify(sync.body)).not.toContain('psst');
    await spy.close();
    await insider.close();
  });
});

/* ------------------------------------------------------------------------------------------ */

// Guests take part only where they were added, but could open a DM with anyone in the workspace.
// The socket has no request that creates a conversation: REST is the only way in.
describe('opening a DM (POST /conversations, kind dm)', () => {
  const dm = (from: TestUser, to: string) => api<Conversation | { error: ErrorBody }>(server, 'POST', '/conversations', { kind: 'dm', user_id: to }, from.token);
  const outcome = (r: ApiResult) => (r.status === 201 ? 'created' : r.status === 200 ? 'existing' : outcomeOf(r));
  /** Whether `a` and `b` have a DM, as `b` sees their list. */
  const haveDm = async (a: TestUser, b: TestUser) =>
    (await api<{ conversations: Conversation[] }>(server, 'GET', '/conversations', undefined, b.token)).body.conversations.some((c) => c.kind === 'dm' && c.dm_user_id === a.user.id);

  test('a guest may open a DM only with someone they share a conversation with (or already have a DM with); members may DM guests', async () => {
    const [guest, pal, stranger, leaver, member] = [await registerUser(server), await registerUser(server), await registerUser(server), await registerUser(server), await registerUser(server)];
    expect((await api(server, 'PATCH', `/admin/users/${guest.user.id}`, { role: 'guest' }, root.token)).status).toBe(200);
    const g = await createConversation(server, pal.token, { kind: 'group', member_ids: [guest.user.id, leaver.user.id] });
    expect((await api(server, 'POST', `/conversations/${g.id}/leave`, undefined, leaver.token)).status).toBe(204);

    const actual = {
      'guest → a stranger': outcome(await dm(guest, stranger.user.id)),
      'guest → someone who left the only conversation they shared': outcome(await dm(guest, leaver.user.id)),
      'guest → someone in a group with them': outcome(await dm(guest, pal.user.id)),
      'guest → the same person again': outcome(await dm(guest, pal.user.id)),
      'guest → themselves': outcome(await dm(guest, guest.user.id)),
      'guest → a user id that does not exist': outcome(await dm(guest, '01ARZ3NDEKTSV4RRFFQ69G5FAV')),
      'member → the guest, whom they share nothing with': outcome(await dm(member, guest.user.id)),
      'guest → that member, now that the DM exists': outcome(await dm(guest, member.user.id)),
    };
    expect(actual).toEqual({
      'guest → a stranger': 'forbidden',
      'guest → someone who left the only conversation they shared': 'forbidden',
      'guest → someone in a group with them': 'created',
      'guest → the same person again': 'existing',
      'guest → themselves': 'created',
      'guest → a user id that does not exist': '404',
      'member → the guest, whom they share nothing with': 'created',
      'guest → that member, now that the DM exists': 'existing',
    });
    // A refusal creates nothing.
    expect(await haveDm(guest, stranger)).toBe(false);
    expect(await haveDm(guest, leaver)).toBe(false);
    expect(await haveDm(guest, pal)).toBe(true);
  });
});
