import { afterEach, expect, test } from 'vitest';
import WebSocket from 'ws';
import type { MessageCreatedEvent, ServerEvent } from '@parley/protocol';
import { until } from '@parley/protocol/testing';
import { createConversation, registerUser, startServer, SocketClient } from '@parley/server/testing';
import { Parley } from '../node.js';
import type { WebSocketCtor, WebSocketLike } from './parley.js';
import type { ParleyError } from './errors.js';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f().catch(() => undefined);
});

/**
 * A real `ws` socket under the test's control in both directions: `hold` keeps incoming frames and
 * `holdOut` outgoing frames it matches until `release()` (a push or a request that is late),
 * `rewrite` changes outgoing frames (what the client asks the server for); `sent` counts outgoing
 * frames by type.
 */
class ScriptedWire {
  hold: (text: string) => boolean = () => false;
  holdOut: (frame: { type: string }) => boolean = () => false;
  rewrite: (frame: { type: string; data?: Record<string, unknown> }) => void = () => undefined;
  readonly sent = new Map<string, number>();
  private held: (() => void)[] = [];
  /** Frames held now, either way. */
  get heldCount(): number {
    return this.held.length;
  }
  release(): void {
    for (const deliver of this.held.splice(0)) deliver();
  }
  socket(): WebSocketCtor {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the socket class below is built per test and reads the test's current script
    const wire = this;
    return class implements WebSocketLike {
      private readonly ws: WebSocket;
      constructor(url: string) {
        this.ws = new WebSocket(url);
      }
      get readyState(): number {
        return this.ws.readyState;
      }
      send(data: string): void {
        const frame = JSON.parse(data) as { type: string; data?: Record<string, unknown> };
        wire.rewrite(frame);
        wire.sent.set(frame.type, (wire.sent.get(frame.type) ?? 0) + 1);
        if (wire.holdOut(frame)) wire.held.push(() => this.ws.send(JSON.stringify(frame)));
        else this.ws.send(JSON.stringify(frame));
      }
      close(code?: number, reason?: string): void {
        this.ws.close(code, reason);
      }
      addEventListener(type: 'open' | 'message' | 'close' | 'error', fn: (ev: never) => void): void {
        const deliver = (text: string) => (fn as (ev: { data: string }) => void)({ data: text });
        if (type === 'message')
          this.ws.on('message', (data) => {
            const text = data.toString();
            if (wire.hold(text)) wire.held.push(() => deliver(text));
            else deliver(text);
          });
        else if (type === 'close') this.ws.on('close', (code, reason) => (fn as (ev: { code: number; reason: string }) => void)({ code, reason: reason.toString() }));
        else if (type === 'open') this.ws.on('open', () => (fn as () => void)());
        else this.ws.on('error', (e) => (fn as (ev: unknown) => void)(e));
      }
    };
  }
}

test('a live event that arrives after a missing seq makes the client fetch the missing one, then apply both in order', async () => {
  const server = await startServer();
  cleanup.push(() => server.stop());
  const alice = await registerUser(server);
  const bob = await registerUser(server);
  const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
  const sender = await SocketClient.connect(server, alice.token);
  cleanup.push(() => sender.close());

  // Drop the live push of "two" only (held and never released); the idle resync is far away, so only gap detection can recover it.
  const wire = new ScriptedWire();
  wire.hold = (t) => t.startsWith('{"type":"event"') && t.includes('"body":"two"');
  const receiver = new Parley({ url: server.url, token: bob.token, idleResyncMs: 600_000, WebSocket: wire.socket() });
  cleanup.push(() => receiver.close());
  await receiver.connect();
  const got: MessageCreatedEvent[] = [];
  receiver.on('event', (e: ServerEvent) => {
    if (e.type === 'message.created') got.push(e);
  });

  for (const body of ['one', 'two', 'three']) await sender.request('message.send', { conv_id: dm.id, client_msg_id: `c-${body}`, body });
  const deadline = Date.now() + 5_000;
  while (got.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));

  expect(got.map((e) => e.message.body)).toEqual(['one', 'two', 'three']);
  expect(got.map((e) => e.seq)).toEqual([got[0]!.seq, got[0]!.seq + 1, got[0]!.seq + 2]);
});

/**
 * Alice and Bob in a DM on a fresh server; Bob's client talks through a ScriptedWire and records
 * the bodies of the messages it emits, in order.
 */
async function scriptedDm() {
  const server = await startServer();
  cleanup.push(() => server.stop());
  const alice = await registerUser(server);
  const bob = await registerUser(server);
  const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
  const wire = new ScriptedWire();
  const receiver = new Parley({ url: server.url, token: bob.token, idleResyncMs: 600_000, WebSocket: wire.socket() });
  cleanup.push(() => receiver.close());
  await receiver.connect();
  const got: string[] = [];
  receiver.on('event', (e: ServerEvent) => {
    if (e.type === 'message.created') got.push(e.message.body);
  });
  const sender = new Parley({ url: server.url, token: alice.token });
  cleanup.push(() => sender.close());
  await sender.connect();
  return { server, dm, wire, receiver, got, sender };
}

test('events already applied are not emitted again when they are replayed by a resync', async () => {
  const { dm, wire, receiver, got, sender } = await scriptedDm();
  const waitFor = async (n: number) => {
    const deadline = Date.now() + 5_000;
    while (got.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  };
  for (let i = 0; i < 5; i++) await sender.send(dm.id, `m${i}`);
  await waitFor(5);
  expect(got).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);

  // The live push of m5 is held back, so the server's log is one event ahead of the client and the
  // resync pulls a page; the page is asked for from seq 0, so the server's answer repeats m0…m4,
  // which the client has already applied. (The sync is sent without `events_limit`, so the page
  // comes from `sync.events`, as from a server before inline pages or for a page with has_more.)
  wire.hold = (t) => t.startsWith('{"type":"event"') && t.includes('"body":"m5"');
  wire.rewrite = (f) => {
    if (f.type === 'sync' && f.data) delete f.data['events_limit'];
    if (f.type === 'sync.events' && f.data) f.data['after_seq'] = 0;
  };
  await sender.send(dm.id, 'm5');
  await new Promise((r) => setTimeout(r, 100));
  await receiver.resync();
  expect(got).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5']);

  // Then the held push of m5 arrives, after the resync has applied m5 from its page: it is dropped
  // on arrival, without a page request to find out it is old.
  wire.hold = () => false;
  wire.rewrite = () => undefined;
  const pagesBefore = wire.sent.get('sync.events') ?? 0;
  wire.release();
  await new Promise((r) => setTimeout(r, 100));
  expect(got).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5']);
  expect(wire.sent.get('sync.events') ?? 0).toBe(pagesBefore);

  // A push that arrives while a catch-up is under way waits for it, and the page it waited for
  // carries the same event: m6's push is held, the resync's page request too, then the push is let
  // in first (it waits) and the request after it (its page holds m6).
  wire.hold = (t) => t.startsWith('{"type":"event"') && t.includes('"body":"m6"');
  wire.holdOut = (f) => f.type === 'sync.events';
  wire.rewrite = (f) => {
    if (f.type === 'sync' && f.data) delete f.data['events_limit'];
  };
  await sender.send(dm.id, 'm6');
  // Each step waits for what it needs rather than a fixed time: on a loaded machine the push, or
  // the resync's sync answer, took longer than 100 ms once, and the order below never happened.
  await until("m6's push to be held", () => wire.heldCount === 1, 10_000, 10);
  const resynced = receiver.resync();
  await until("the resync's page request to be held", () => (wire.sent.get('sync.events') ?? 0) > pagesBefore, 10_000, 10);
  wire.hold = () => false;
  wire.holdOut = () => false;
  wire.release();
  await resynced;
  await new Promise((r) => setTimeout(r, 200));
  expect(got).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6']);
  // One page for the resync; a replayed event that was taken for a gap would ask again and again.
  expect(wire.sent.get('sync.events') ?? 0).toBe(pagesBefore + 1);
});

test('a client briefly away catches up in one round trip: the sync answer carries the missed events, each emitted once', async () => {
  const { dm, wire, receiver, got, sender } = await scriptedDm();
  await sender.send(dm.id, 'm0');
  for (let i = 0; i < 100 && got.length < 1; i++) await new Promise((r) => setTimeout(r, 20));
  expect(got).toEqual(['m0']);

  // Three pushes never arrive (as if the socket had been away): the resync's answer brings them.
  wire.hold = (t) => t.startsWith('{"type":"event"') && /"body":"m[123]"/.test(t);
  for (const body of ['m1', 'm2', 'm3']) await sender.send(dm.id, body);
  await new Promise((r) => setTimeout(r, 100));
  const pagesBefore = wire.sent.get('sync.events') ?? 0;
  await receiver.resync();
  expect(got).toEqual(['m0', 'm1', 'm2', 'm3']);
  expect(wire.sent.get('sync.events') ?? 0).toBe(pagesBefore);
  // The held pushes arriving late are old news: nothing is emitted twice.
  wire.hold = () => false;
  wire.release();
  await new Promise((r) => setTimeout(r, 100));
  expect(got).toEqual(['m0', 'm1', 'm2', 'm3']);

  // The answer's page repeats what was applied (the cursor sent is rewound to 0): only m4 is new.
  wire.hold = (t) => t.startsWith('{"type":"event"') && t.includes('"body":"m4"');
  wire.rewrite = (f) => {
    if (f.type === 'sync' && f.data) (f.data['cursors'] as Record<string, number>)[dm.id] = 0;
  };
  await sender.send(dm.id, 'm4');
  await new Promise((r) => setTimeout(r, 100));
  await receiver.resync();
  expect(got).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
  expect(wire.sent.get('sync.events') ?? 0).toBe(pagesBefore);
});

test('a delivery ack the server refuses is reported as an error event, not dropped', async () => {
  const server = await startServer();
  cleanup.push(() => server.stop());
  const alice = await registerUser(server);
  const bob = await registerUser(server);
  const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
  const wire = new ScriptedWire();
  // The SDK acks on its own, with no caller to reject: point its ack at a conversation that does not exist.
  wire.rewrite = (f) => {
    if (f.type === 'delivery.ack' && f.data) f.data['conv_id'] = '01HZZZZZZZZZZZZZZZZZZZZZZZ';
  };
  const receiver = new Parley({ url: server.url, token: bob.token, idleResyncMs: 600_000, WebSocket: wire.socket() });
  cleanup.push(() => receiver.close());
  const errors: ParleyError[] = [];
  receiver.on('error', (e) => errors.push(e));
  await receiver.connect();
  const sender = await SocketClient.connect(server, alice.token);
  cleanup.push(() => sender.close());
  await sender.request('message.send', { conv_id: dm.id, client_msg_id: 'c-ack', body: 'ack me' });
  const deadline = Date.now() + 5_000;
  while (errors.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  expect(errors.map((e) => e.code)).toEqual(['not_found']);
  expect(errors[0]!.message).toMatch(/^delivery ack: /);
});
