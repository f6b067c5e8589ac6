import { afterEach, expect, test } from 'vitest';
import WebSocket from 'ws';
import type { MessageCreatedEvent, ServerEvent } from '@parley/protocol';
import { createConversation, registerUser, startServer, SocketClient } from '@parley/server/testing';
import { Parley } from '../node.js';
import type { WebSocketCtor, WebSocketLike } from './parley.js';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f().catch(() => undefined);
});

/** A real `ws` socket whose incoming frames pass through `filter` first: a lossy network, for one test. */
function lossyWebSocket(filter: (text: string) => boolean): WebSocketCtor {
  return class implements WebSocketLike {
    private readonly ws: WebSocket;
    constructor(url: string) {
      this.ws = new WebSocket(url);
    }
    get readyState(): number {
      return this.ws.readyState;
    }
    send(data: string): void {
      this.ws.send(data);
    }
    close(code?: number, reason?: string): void {
      this.ws.close(code, reason);
    }
    addEventListener(type: 'open' | 'message' | 'close' | 'error', fn: (ev: never) => void): void {
      if (type === 'message') this.ws.on('message', (data) => filter(data.toString()) && (fn as (ev: { data: string }) => void)({ data: data.toString() }));
      else if (type === 'close') this.ws.on('close', (code, reason) => (fn as (ev: { code: number; reason: string }) => void)({ code, reason: reason.toString() }));
      else if (type === 'open') this.ws.on('open', () => (fn as () => void)());
      else this.ws.on('error', (e) => (fn as (ev: unknown) => void)(e));
    }
  };
}

test('a live event that arrives after a missing seq makes the client fetch the missing one, then apply both in order', async () => {
  const server = await startServer();
  cleanup.push(() => server.stop());
  const alice = await registerUser(server);
  const bob = await registerUser(server);
  const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
  const sender = await SocketClient.connect(server, alice.token);
  cleanup.push(() => sender.close());

  // Drop the live push of "two" only; the idle resync is far away, so only gap detection can recover it.
  const receiver = new Parley({ url: server.url, token: bob.token, idleResyncMs: 600_000, WebSocket: lossyWebSocket((t) => !(t.startsWith('{"type":"event"') && t.includes('"body":"two"'))) });
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

test('events already applied are not emitted again when they are replayed by a resync', async () => {
  const server = await startServer();
  cleanup.push(() => server.stop());
  const alice = await registerUser(server);
  const bob = await registerUser(server);
  const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
  const receiver = new Parley({ url: server.url, token: bob.token, idleResyncMs: 600_000 });
  cleanup.push(() => receiver.close());
  await receiver.connect();
  const got: number[] = [];
  receiver.on('event', (e: ServerEvent) => {
    if (e.type === 'message.created') got.push(e.seq);
  });
  const sender = new Parley({ url: server.url, token: alice.token });
  cleanup.push(() => sender.close());
  await sender.connect();
  for (let i = 0; i < 5; i++) await sender.send(dm.id, `m${i}`);
  const deadline = Date.now() + 5_000;
  while (got.length < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await receiver.resync();
  await receiver.resync();
  expect(got).toHaveLength(5);
  expect(new Set(got).size).toBe(5);
});
