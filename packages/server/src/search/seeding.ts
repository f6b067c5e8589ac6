/** What a benchmark needs to write messages into the index exactly as the server does (bench/search.ts). */
export { SqliteSearchWriter, firstDocId } from './write.js';
export { searchDocument, toTsvector } from './document.js';
export { SEARCH_SCHEMA, searchIndexFile } from './sqlite-index-file.js';
