import { expect, test, vi } from 'vitest';
import type { Message, User } from '@parley/protocol';
import { buildRows } from './rows';
import type { Notice } from './notices';

// rows.ts formats day labels through i18n, which reads the saved language: none here.
vi.hoisted(() => {
  const none = { getItem: () => null, setItem: () => undefined, removeItem: () => undefined };
  Object.assign(globalThis, { localStorage: none, document: { documentElement: {} }, navigator: { language: 'en', languages: ['en'] } });
});

const at = (min: number) => new Date(Date.UTC(2026, 0, 5, 10, min)).toISOString();
const msg = (seq: number, sender = 'u1'): Message =>
  ({ id: `m${seq}`, conv_id: 'c', seq, sender_id: sender, client_msg_id: `k${seq}`, created_at: at(seq), thread_root_id: null, recalled: false }) as unknown as Message;
const joined = (seq: number, user = 'u2'): Notice =>
  ({ type: 'member.joined', conv_id: 'c', seq, ts: at(seq), actor_id: user, user: { id: user, username: user } as User, role: 'member', member_count: 2 }) as Notice;

const shape = (rows: ReturnType<typeof buildRows>) =>
  rows.map(
    (r) =>
      `${r.kind === 'notices' ? 'notices' : r.kind === 'message' ? r.msg.seq : r.kind}${r.notices && r.kind !== 'notices' ? `+[${r.notices.map((n) => n.seq).join(',')}]` : ''}${r.kind === 'notices' ? `[${r.notices.map((n) => n.seq).join(',')}]` : ''}`,
  );

test('a notice is drawn above the message after it by seq, and ones after the newest message are a row of their own', () => {
  const rows = buildRows([msg(2), msg(5)], [], 'u1', null, true, [], [joined(1), joined(3), joined(4), joined(6)]);
  expect(shape(rows)).toEqual(['2+[1]', '5+[3,4]', 'notices[6]']);
});

test('notices older than the loaded messages wait for their page; without notices the rows are as before', () => {
  expect(shape(buildRows([msg(5), msg(6)], [], 'u1', null, false, [], [joined(1), joined(7)]))).toEqual(['5', '6', 'notices[7]']);
  expect(shape(buildRows([msg(5), msg(6)], [], 'u1', null, false))).toEqual(['5', '6']);
});

test('a notice between two messages of one sender breaks their group', () => {
  const plain = buildRows([msg(1), msg(2)], [], 'me', null, true);
  expect(plain[1]!.grouped).toBe(true);
  const split = buildRows([msg(1), msg(3)], [], 'me', null, true, [], [joined(2)]);
  expect(split[1]!.grouped).toBe(false);
});
