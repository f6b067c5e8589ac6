/**
 * The send writer's thread (see sqlite-send.ts): its own connection to parley.db, tuned like the
 * main one, writing the batches the main thread hands over and answering each with its results.
 *
 * From the main thread: `{ type: 'batch', id, req }` → `{ type: 'done', id, reply }`;
 * `{ type: 'pragma', id, sql }` → `{ type: 'pragma', id, value }` or `{ type: 'pragma', id, error }`
 * (operations tooling and fault-injection tests reach this connection that way);
 * `{ type: 'stop' }` closes the connection and ends the thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { tuneWritingConnection, type SqliteTuning } from '../store/sqlite-pragmas.js';
import { SendBatchWriter, toWire, type BatchRequest } from './sqlite-send-batch.js';

interface Data extends SqliteTuning {
  file: string;
}

type Incoming = { type: 'batch'; id: number; req: BatchRequest } | { type: 'pragma'; id: number; sql: string } | { type: 'stop' };

const port = parentPort!;
const { file, synchronous, checkpointMs } = workerData as Data;
const db = new Database(file, { fileMustExist: true });
tuneWritingConnection(db, { synchronous, checkpointMs });
const writer = new SendBatchWriter(db);

port.on('message', (m: Incoming) => {
  if (m.type === 'batch') port.postMessage({ type: 'done', id: m.id, reply: writer.run(m.req) });
  else if (m.type === 'pragma') {
    try {
      port.postMessage({ type: 'pragma', id: m.id, value: db.pragma(m.sql, { simple: true }) });
    } catch (e) {
      port.postMessage({ type: 'pragma', id: m.id, error: toWire(e) });
    }
  } else {
    db.close();
    port.close();
  }
});
port.postMessage({ type: 'ready' });
