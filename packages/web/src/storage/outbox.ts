import type { OutboxEntry, OutboxStore } from '@parley/sdk';
import type { ParleyDb } from './db';

/**
 * The SDK's outbox kept in IndexedDB: a message written offline survives a reload and is sent,
 * with its original client_msg_id, when the socket is back (the server dedupes on that id, so
 * a send that raced a reload is stored once).
 *
 * A burn-after-reading send is the exception: it is held in memory only, because its words must
 * never be written to disk, not even until the server has them. Written offline, it is lost with
 * the page; that is the price of it leaving no trace.
 */
export class IdbOutbox implements OutboxStore {
  private counter = 0;
  private readonly inMemory = new Map<string, OutboxEntry>();

  constructor(private readonly db: Promise<ParleyDb>) {}

  async load(): Promise<OutboxEntry[]> {
    const rows = await (await this.db).getAll('outbox');
    rows.sort((a, b) => a.order - b.order);
    return rows.map(({ order: _order, ...entry }) => entry);
  }

  async put(entry: OutboxEntry): Promise<void> {
    if (entry.burn_after !== undefined) {
      this.inMemory.set(entry.client_msg_id, entry);
      return;
    }
    const order = Date.now() * 1000 + (this.counter++ % 1000);
    await (await this.db).put('outbox', { ...entry, order });
  }

  async delete(clientMsgId: string): Promise<void> {
    if (this.inMemory.delete(clientMsgId)) return;
    await (await this.db).delete('outbox', clientMsgId);
  }
}
