import type { RequestData, RequestResults, RequestType } from '@parley/protocol';
import type { Actor } from '../core/context.js';
import type { Services } from '../services.js';
import { EncodedJson } from '../core/encoded.js';

/** What a socket request handler may touch besides the services: its own connection's subscriptions. */
export interface ConnectionPort {
  subscribePresence(userIds: string[]): void;
  /** Sets what the socket receives besides the log; returns what holds now. */
  settings(change: RequestData<'connection.set'>): RequestResults['connection.set'];
  /** message.send: called once the send has its place in the commit order; the socket's next frame may start. */
  placed?: (() => void) | undefined;
}

type Result<T extends RequestType> = RequestResults[T] | EncodedJson<RequestResults[T]>;
type Handler<T extends RequestType> = (s: Services, actor: Actor, data: RequestData<T>, conn: ConnectionPort) => Promise<Result<T>> | Result<T>;

/**
 * Socket requests, each a thin call into the same services REST uses (auth is handled by the
 * connection itself). Adding a request type to the protocol without a handler fails to compile.
 */
export const handlers: { [T in Exclude<RequestType, 'auth'>]: Handler<T> } = {
  ping: () => ({ ts: new Date().toISOString() }),
  'message.send': async (s, actor, d, c) => {
    const ack = await s.messages.sendEncoded(actor, d, c.placed);
    // An encoded ack is a new message's (a retry is answered from the stored one, as an object).
    if (ack instanceof EncodedJson || !ack.duplicate) s.presence.stoppedBySend(actor.userId, d.conv_id);
    return ack;
  },
  'message.edit': (s, actor, d) => s.messages.edit(actor, d.message_id, d.body),
  'message.recall': (s, actor, d) => s.messages.recall(actor, d.message_id),
  'message.get': (s, actor, d) => s.messages.get(actor, d.message_id),
  'message.reveal': (s, actor, d) => s.messages.reveal(actor, d.message_id),
  'reaction.add': (s, actor, d) => s.messages.react(actor, d.message_id, d.emoji, 'add'),
  'reaction.remove': (s, actor, d) => s.messages.react(actor, d.message_id, d.emoji, 'remove'),
  'tag.add': (s, actor, d) => s.tags.change(actor, d.message_id, d.tag, 'add'),
  'tag.remove': (s, actor, d) => s.tags.change(actor, d.message_id, d.tag, 'remove'),
  'pin.add': (s, actor, d) => s.pins.change(actor, d.message_id, 'add'),
  'pin.remove': (s, actor, d) => s.pins.change(actor, d.message_id, 'remove'),
  'read.mark': (s, actor, d) => s.receipts.markRead(actor, d.conv_id, d.seq),
  'delivery.ack': (s, actor, d) => s.receipts.markDelivered(actor, d.conv_id, d.seq),
  'typing.start': async (s, actor, d) => {
    await s.presence.typing(actor, d.conv_id, d.thread_root_id ?? null, true);
    return {};
  },
  'typing.stop': async (s, actor, d) => {
    await s.presence.typing(actor, d.conv_id, null, false);
    return {};
  },
  'presence.set': (s, actor, d) => s.presence.set(actor, d.status),
  'presence.subscribe': async (s, _actor, d, conn) => {
    conn.subscribePresence(d.user_ids);
    return { presences: await s.presence.many(d.user_ids) };
  },
  'connection.set': (_s, _actor, d, conn) => conn.settings(d),
  sync: (s, actor, d) => s.sync.sync(actor, d.cursors, d.events_limit ?? 0),
  'sync.events': (s, actor, d) => s.sync.events(actor, d.conv_id, d.after_seq, d.limit),
  history: (s, actor, d) => s.messages.history(actor, d.conv_id, d),
  'conversation.list': async (s, actor) => ({ conversations: await s.conversations.listMine(actor) }),
  'conversation.get': (s, actor, d) => s.conversations.get(actor, d.conv_id),
  search: (s, actor, d) => s.search.search(actor, d),
};
