/**
 * Sync correctness, after Zulip's `verify_action` (docs/subsystems/events-system.md): snapshot a
 * client's state over REST, run an action, apply the events pushed to the client with the SDK's
 * reducer, fetch fresh state, and deep-compare. If they differ, either the server sent the wrong
 * events (or none), or the reducer applies them wrongly; both are bugs.
 *
 * Each observer is checked twice: as a client that holds whole histories, and as one that holds
 * windows of them, as the web does (a windowed state, with windows of `WINDOW` messages so that
 * actions touch messages outside them): its counters, followed event by event, and the re-reads it
 * asks for must give the server's conversations too.
 */
import { expect } from 'vitest';
import type { Conversation, EventsPage, HistoryPage, Member, Message, ServerEvent } from '@parley/protocol';
import { applyEvent, applyEventsPage, createState, loadConversation, loadHistory, refreshConversation, stateFromSnapshots, type ClientState, type ConversationSnapshot } from '@parley/sdk';
import { api, type SocketClient, type TestUser } from './harness.js';

type Server = { url: string };

/** One device watching the action: whose it is and its socket. */
export interface Observer {
  /** Shown in failure messages ("alice", "bob's phone"). */
  label: string;
  user: TestUser;
  client: SocketClient;
}

export interface ObserverResult {
  label: string;
  /** Every event pushed to this device while the action ran. */
  events: ServerEvent[];
  /** Conversations whose history and members were loaded after `conversation.added`. */
  historyLoads: string[];
  /** The state after applying the events (and loading added conversations). */
  state: ClientState;
  /** The fresh state fetched over REST after the action. */
  fresh: ClientState;
  /** The windowed state after the events, the loads and the re-reads it asked for. */
  windowed: ClientState;
  /** Conversations the windowed state re-read because its window could not tell their counters. */
  countRereads: string[];
}

/** A windowed client's window: small, so that actions reach messages outside it. */
export const WINDOW = 3;

/** The state of a client that holds only each conversation's latest `WINDOW` messages. */
export function windowedState(me: string, snaps: readonly ConversationSnapshot[]): ClientState {
  let s = createState(me, { windowed: true });
  for (const snap of snaps) s = loadConversation(s, { ...snap, messages: snap.messages.slice(-WINDOW), hasOlder: snap.messages.length > WINDOW });
  return s;
}

export interface VerifyOptions {
  /** Quiet period that counts as "the pushed events have settled". */
  settleMs?: number;
  /** Give up waiting for quiet after this long. */
  maxWaitMs?: number;
}

async function get<T>(server: Server, token: string, route: string): Promise<T> {
  const res = await api<T>(server, 'GET', route, undefined, token);
  if (res.status !== 200) throw new Error(`GET ${route} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** A conversation's whole visible history, paged forward from the start. */
export async function fetchHistory(server: Server, token: string, convId: string): Promise<Message[]> {
  const out: Message[] = [];
  let after = 0;
  for (;;) {
    const page = await get<HistoryPage>(server, token, `/conversations/${convId}/messages?after_seq=${after}&limit=1000`);
    out.push(...page.messages);
    const last = page.messages[page.messages.length - 1];
    if (!page.has_more || !last) return out;
    after = last.seq;
  }
}

export async function fetchMembers(server: Server, token: string, convId: string): Promise<Member[]> {
  return (await get<{ members: Member[] }>(server, token, `/conversations/${convId}/members`)).members;
}

/** Everything REST says about the user's conversations (including ones they left). */
export async function fetchSnapshots(server: Server, token: string): Promise<ConversationSnapshot[]> {
  const { conversations } = await get<{ conversations: Conversation[] }>(server, token, '/conversations?include_left=true');
  return Promise.all(
    conversations.map(async (conversation) => ({
      conversation,
      messages: await fetchHistory(server, token, conversation.id),
      members: await fetchMembers(server, token, conversation.id),
    })),
  );
}

/**
 * A fresh client state from REST. The reducer recomputes every derived field from the fetched
 * messages; this checks, as a first step, that its recomputation agrees with the server's.
 */
export async function fetchState(server: Server, user: TestUser, label = user.user.username): Promise<ClientState> {
  return (await fetchStates(server, user, label)).full;
}

/** fetchState, and the windowed state made from the same snapshots. */
async function fetchStates(server: Server, user: TestUser, label: string): Promise<{ full: ClientState; windowed: ClientState }> {
  const snaps = await fetchSnapshots(server, user.token);
  const state = stateFromSnapshots(user.user.id, snaps);
  for (const snap of snaps) {
    expect(state.conversations[snap.conversation.id], `${label}: the reducer's derived fields of ${snap.conversation.id} differ from the server's`).toStrictEqual(snap.conversation);
  }
  return { full: state, windowed: windowedState(user.user.id, snaps) };
}

/** Waits until no observer has received an event for `settleMs`. */
export async function settle(clients: readonly SocketClient[], settleMs = 150, maxWaitMs = 5_000): Promise<void> {
  const count = () => clients.reduce((n, c) => n + c.events.length, 0);
  const deadline = Date.now() + maxWaitMs;
  let seen = count();
  let quietSince = Date.now();
  while (Date.now() - quietSince < settleMs) {
    if (Date.now() > deadline) throw new Error(`events did not settle within ${maxWaitMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
    const n = count();
    if (n !== seen) {
      seen = n;
      quietSince = Date.now();
    }
  }
}

/**
 * The part of the state REST can reproduce, in a comparable form.
 *
 * Normalisation, and why each one is not hiding anything:
 * - `needs`, `unknown`, `typing`, `presence`, `delivered` are left out: they are client
 *   bookkeeping or ephemeral signals that REST does not expose at all (needs/unknown are asserted
 *   separately: no gap may ever appear).
 * - In channels, other members' `read_seq` is left out: by design (receipts/service.ts,
 *   ARCHITECTURE §2 read fan-out) channel read receipts go only to the reader's own devices, so
 *   no event can keep them current. Our own read_seq in channels is still compared.
 */
export function comparable(state: ClientState): unknown {
  const members: Record<string, Record<string, unknown>> = {};
  for (const [convId, ms] of Object.entries(state.members)) {
    const isChannel = state.conversations[convId]?.kind === 'channel';
    const out: Record<string, unknown> = {};
    for (const [userId, m] of Object.entries(ms)) {
      if (isChannel && userId !== state.me) {
        const { read_seq: _omitted, ...rest } = m;
        out[userId] = rest;
      } else out[userId] = m;
    }
    members[convId] = out;
  }
  return { me: state.me, conversations: state.conversations, messages: state.messages, members, appliedSeq: state.appliedSeq };
}

/**
 * Runs `action` once and checks, for every observer, that snapshot + pushed events == fresh state.
 * Fails on any gap in the pushed log (live delivery must be gapless). The only fetch it does on
 * a client's behalf is the one the protocol requires: after `conversation.added`, the added
 * conversation's history and members (the event carries neither); before that load, the
 * conversation object built from the event must already equal the fresh one.
 */
export async function verifyAction(server: Server, observers: readonly Observer[], action: () => Promise<unknown>, opts: VerifyOptions = {}): Promise<ObserverResult[]> {
  const settleMs = opts.settleMs ?? 150;
  const maxWaitMs = opts.maxWaitMs ?? 5_000;
  const clients = observers.map((o) => o.client);
  // Let events of earlier setup drain first. One that still lands after the mark is harmless: log
  // events are deduped by seq and the others are "set", and the snapshot already includes them.
  await settle(clients, Math.ceil(settleMs / 3), maxWaitMs);
  const marks = observers.map((o) => o.client.events.length);
  const before = await Promise.all(observers.map((o) => fetchStates(server, o.user, o.label)));
  await action();
  await settle(clients, settleMs, maxWaitMs);

  const results: ObserverResult[] = [];
  for (const [i, o] of observers.entries()) {
    const events = o.client.events.slice(marks[i]);
    let state = before[i]!.full;
    for (const e of events) state = applyEvent(state, e);
    const fresh = await fetchState(server, o.user, o.label);

    expect(state.unknown, `${o.label}: log events for conversations the client was never told about`).toEqual({});
    const gaps = Object.entries(state.needs)
      .filter(([, n]) => n.events)
      .map(([id]) => id);
    expect(gaps, `${o.label}: gaps in the pushed log`).toEqual([]);

    const historyLoads: string[] = [];
    for (const [convId, need] of Object.entries(state.needs)) {
      if (!need.history) continue;
      const added = [...events].reverse().find((e) => e.type === 'conversation.added' && e.conversation.id === convId);
      const freshConv = fresh.conversations[convId];
      if (added?.type === 'conversation.added' && state.appliedSeq[convId] === added.conversation.last_seq && freshConv) {
        expect(state.conversations[convId], `${o.label}: conversation.added of ${convId} differs from the fresh conversation`).toStrictEqual(freshConv);
      }
      state = loadHistory(state, convId, await fetchHistory(server, o.user.token, convId), await fetchMembers(server, o.user.token, convId));
      historyLoads.push(convId);
    }

    expect(comparable(state), `${o.label}: state after events != fresh state (events: ${events.map((e) => e.type).join(', ')})`).toStrictEqual(comparable(fresh));
    const { windowed, countRereads } = await followWindowed(server, o, before[i]!.windowed, events, fresh);
    results.push({ label: o.label, events, historyLoads, state, fresh, windowed, countRereads });
  }
  return results;
}

/**
 * The windowed client: the same events applied, an added conversation's latest page loaded, and
 * the conversations it flagged re-read (from the fresh copy, which is what a re-read returns once
 * events have settled). Its conversations and members must then be the server's, and each window
 * the newest part of the conversation's history, without holes.
 */
async function followWindowed(server: Server, o: Observer, start: ClientState, events: readonly ServerEvent[], fresh: ClientState): Promise<{ windowed: ClientState; countRereads: string[] }> {
  const label = `${o.label} (windowed)`;
  let s = start;
  for (const e of events) s = applyEvent(s, e);
  expect(
    Object.keys(s.needs).filter((id) => s.needs[id]!.events),
    `${label}: gaps in the pushed log`,
  ).toEqual([]);
  for (const [convId, need] of Object.entries(s.needs)) {
    if (!need.history) continue;
    const history = await fetchHistory(server, o.user.token, convId);
    s = loadHistory(s, convId, history.slice(-WINDOW), await fetchMembers(server, o.user.token, convId), history.length > WINDOW);
  }
  const countRereads: string[] = [];
  for (const [convId, need] of Object.entries(s.needs)) {
    const conv = fresh.conversations[convId];
    if (!need.counts || !conv) continue;
    s = refreshConversation(s, conv);
    countRereads.push(convId);
  }
  expect(s.needs, `${label}: needs left after loading and re-reading`).toEqual({});
  const full = comparable(fresh) as { conversations: unknown; members: unknown; appliedSeq: unknown };
  const mine = comparable(s) as typeof full;
  const types = events.map((e) => e.type).join(', ');
  expect(mine.conversations, `${label}: conversations after events != fresh (events: ${types})`).toStrictEqual(full.conversations);
  expect(mine.members, `${label}: members after events != fresh (events: ${types})`).toStrictEqual(full.members);
  expect(mine.appliedSeq, `${label}: applied seqs`).toStrictEqual(full.appliedSeq);
  for (const [convId, t] of Object.entries(s.windows ?? {})) {
    const all = fresh.messages[convId] ?? [];
    expect(t.messages, `${label}: the window of ${convId} is not the newest part of its history`).toStrictEqual(all.slice(all.length - t.messages.length));
    expect(t.messages.length, `${label}: the window of ${convId} lost messages`).toBeGreaterThanOrEqual(Math.min(WINDOW, all.length));
  }
  return { windowed: s, countRereads };
}

/** Pulls `GET /conversations/:id/events` pages after the applied seq until caught up (resync). */
export async function pullEvents(server: Server, token: string, state: ClientState, convId: string): Promise<ClientState> {
  let s = state;
  for (;;) {
    const after = s.appliedSeq[convId] ?? 0;
    const page = await get<EventsPage>(server, token, `/conversations/${convId}/events?after_seq=${after}&limit=1000`);
    s = applyEventsPage(s, page);
    if (!page.has_more || page.events.length === 0) return s;
  }
}
