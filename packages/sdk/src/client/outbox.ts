/** A send not yet acknowledged by the server; kept until acked, re-sent with the same client_msg_id. */
export interface OutboxEntry {
  client_msg_id: string;
  conv_id: string;
  body: string;
  reply_to?: string;
  /** Upload ids the message carries; re-sent with the entry, so a retry attaches the same files. */
  attachments?: string[];
  /** Burn after reading: seconds or a duration (`1m`), and the optional cap (ISO time). */
  burn_after?: number | string;
  expires_at?: string;
  created_at: number;
}

/**
 * Where pending sends live. Memory by default; a browser can keep them in IndexedDB so a send
 * written offline survives a reload. Entries come back from `load` in insertion order.
 */
export interface OutboxStore {
  load(): Promise<OutboxEntry[]>;
  put(entry: OutboxEntry): Promise<void>;
  delete(clientMsgId: string): Promise<void>;
}

export class MemoryOutbox implements OutboxStore {
  private readonly entries = new Map<string, OutboxEntry>();

  async load(): Promise<OutboxEntry[]> {
    return [...this.entries.values()];
  }

  async put(entry: OutboxEntry): Promise<void> {
    this.entries.set(entry.client_msg_id, entry);
  }

  async delete(clientMsgId: string): Promise<void> {
    this.entries.delete(clientMsgId);
  }
}
