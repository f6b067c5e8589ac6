/** What a benchmark needs to write messages into the index exactly as the send path does (bench/search.ts). */
export { SqliteSearchWriter, firstDocId } from './write.js';
export { searchDocument, toTsvector } from './document.js';
