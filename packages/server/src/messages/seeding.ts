/** What a benchmark needs to drive the embedded send writer exactly as the server does (bench/writer.ts). */
export { openSqlite } from '../store/db.js';
export { SendBatchWriter, type BatchItem } from './sqlite-send-batch.js';
