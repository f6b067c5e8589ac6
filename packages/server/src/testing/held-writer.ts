import pino from 'pino';
import type { Deps } from '../core/context.js';
import type { BatchReply, BatchRequest, ItemResult } from '../messages/sqlite-send-batch.js';
import type { SendWriter } from '../messages/sqlite-send.js';

/** What the embedded batcher reads of its Deps, and nothing more: for tests that drive it against a HeldWriter. */
export const batcherDeps = {
  now: Date.now,
  log: pino({ level: 'silent' }),
  config: { limits: { maxMessageChars: 4000, sendRatePerSec: 1 } },
  publisher: { logEncoded: () => undefined },
  metrics: { batchSize: { observe: () => undefined }, publishSeconds: { observe: () => undefined } },
} as unknown as Deps;

/** The one sender of those tests. */
export const batcherActor = { userId: 'u1', role: 'member' as const, sessionId: 's', via: 'session' as const };

/**
 * A send writer whose batches complete when a test says so: for tests of the embedded batcher's
 * hand-over rules (what goes out when), not of the writing. Each send of a finished batch is
 * answered `sent` (acked) or, with `overRate`, refused as over the sender's rate.
 */
export class HeldWriter implements SendWriter {
  readonly batches: { req: BatchRequest; finish: () => void }[] = [];
  constructor(private readonly answer: 'sent' | 'overRate' = 'sent') {}
  ready = () => Promise.resolve();
  stop = () => Promise.resolve();
  run(req: BatchRequest): Promise<BatchReply> {
    return new Promise((resolve) => {
      const results = (): ItemResult[] =>
        req.items.map((it, i) => (this.answer === 'overRate' ? { kind: 'over_rate' } : { kind: 'sent', id: it.input.client_msg_id, convId: it.input.conv_id, seq: i + 1, ack: '{}', frame: '{}' }));
      this.batches.push({ req, finish: () => resolve({ ok: true, replayedAfter: null, results: results() }) });
    });
  }
}
