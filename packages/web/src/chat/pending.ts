import type { Message } from '@parley/protocol';
import { ParleyError, type OutboxStore, type Parley } from '@parley/sdk';
import { warnFailed } from '../app/report';
import { errorText, newClientMsgId, omit } from './names';
import type { PendingMessage } from './types';

type PendingMap = Record<string, PendingMessage>;

export interface PendingSendsHost {
  /** The store's pending messages now, and a change to them (the screens render from the store). */
  pending(): PendingMap;
  setPending(f: (p: PendingMap) => PendingMap): void;
  me(): string;
  client(): Pick<Parley, 'send'> | null;
  /** A failed send is written down with the rest of the cache (chat/cache.ts), so it survives a reload. */
  persist(): void;
}

/**
 * The sender's side of a message until the server has it: shown at once as pending, sent through
 * the SDK (whose outbox keeps it across reloads and retries it with the same client_msg_id),
 * marked failed with the server's reason, retried or discarded by the user, and dropped when its
 * ack or its message arrives — whichever comes first, so it is never shown twice.
 */
export class PendingSends {
  constructor(
    private readonly host: PendingSendsHost,
    /** The SDK's outbox (IndexedDB in the app): what was still unsent when the page closed. */
    private readonly outbox: Pick<OutboxStore, 'load' | 'delete'>,
  ) {}

  /** Sends still in the outbox from an earlier visit of this account, shown as pending again. */
  async restore(): Promise<void> {
    const entries = await this.outbox.load();
    const map: PendingMap = {};
    for (const e of entries)
      map[e.client_msg_id] = {
        client_msg_id: e.client_msg_id,
        conv_id: e.conv_id,
        body: e.body,
        reply_to: e.reply_to ?? null,
        created_at: e.created_at,
        status: 'pending',
        error: null,
        // The outbox keeps upload ids only: enough to send them again, not to name them.
        ...(e.attachments?.length ? { files: e.attachments.map((id) => ({ id, name: '', size: 0 })) } : {}),
      };
    this.host.setPending((p) => ({ ...map, ...p }));
  }

  send(convId: string, body: string, replyTo: string | null, files: NonNullable<PendingMessage['files']>, burnAfter?: number): void {
    const p: PendingMessage = {
      client_msg_id: newClientMsgId(),
      conv_id: convId,
      body,
      reply_to: replyTo,
      created_at: Date.now(),
      status: 'pending',
      error: null,
      ...(files.length ? { files } : {}),
      ...(burnAfter !== undefined ? { burn_after: burnAfter } : {}),
    };
    this.host.setPending((s) => ({ ...s, [p.client_msg_id]: p }));
    this.dispatch(p);
  }

  /** Sends again with the same client_msg_id, so a send that did land is not stored twice. */
  retry(clientMsgId: string): void {
    const p = this.host.pending()[clientMsgId];
    if (!p) return;
    const next: PendingMessage = { ...p, status: 'pending', error: null };
    this.host.setPending((s) => ({ ...s, [clientMsgId]: next }));
    this.dispatch(next);
  }

  discard(clientMsgId: string): void {
    this.host.setPending((s) => omit(s, clientMsgId));
    void this.outbox.delete(clientMsgId).catch(warnFailed('removing a discarded message from the outbox'));
    this.host.persist();
  }

  /** The server acknowledged it: the message itself is shown from now on. */
  acked(clientMsgId: string): void {
    if (this.host.pending()[clientMsgId]) this.host.setPending((s) => omit(s, clientMsgId));
  }

  failed(clientMsgId: string, e: unknown): void {
    const p = this.host.pending()[clientMsgId];
    if (!p) return;
    this.host.setPending((s) => ({ ...s, [clientMsgId]: { ...p, status: 'failed', error: errorText(e) } }));
    this.host.persist();
  }

  /** Drops pending entries whose message has arrived (by client_msg_id): never show one twice. */
  arrived(messages: readonly Message[]): void {
    const pending = this.host.pending();
    const me = this.host.me();
    let next: PendingMap | null = null;
    for (const m of messages) {
      if (m.sender_id !== me || !pending[m.client_msg_id]) continue;
      next ??= { ...pending };
      delete next[m.client_msg_id];
    }
    if (next) {
      const settled = next;
      this.host.setPending(() => settled);
    }
  }

  private dispatch(p: PendingMessage): void {
    const client = this.host.client();
    if (!client) {
      this.failed(p.client_msg_id, new ParleyError('disconnected', 'Not started'));
      return;
    }
    client
      .send(p.conv_id, p.body, {
        clientMsgId: p.client_msg_id,
        ...(p.reply_to ? { replyTo: p.reply_to } : {}),
        ...(p.files?.length ? { attachments: p.files.map((f) => f.id) } : {}),
        ...(p.burn_after !== undefined ? { burnAfter: p.burn_after } : {}),
      })
      // The ack itself reaches the store through the client's `sent` event.
      .catch((e: unknown) => this.failed(p.client_msg_id, e));
  }
}
