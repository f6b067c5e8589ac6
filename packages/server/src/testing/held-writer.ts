import type { BatchReply, BatchRequest, ItemResult } from '../messages/sqlite-send-batch.js';
import type { SendWriter } from '../messages/sqlite-send.js';

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
