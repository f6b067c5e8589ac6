export { Parley, type ParleyOptions, type ClientEvents, type ConnectionState, type WebSocketCtor, type WebSocketLike, type SearchOptions } from './client/parley.js';
export { ParleyError } from './client/errors.js';
export { MemoryOutbox, type OutboxEntry, type OutboxStore } from './client/outbox.js';
export { RestClient, jwtExpiry, type Tokens, type AuthAnswer, type FetchLike } from './client/rest.js';
export { backoffDelay } from './client/backoff.js';
export * from './state/reducer.js';
