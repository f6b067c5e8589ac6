export {
  Parley,
  type ParleyOptions,
  type ClientEvents,
  type ConnectionState,
  type ConnectionHealth,
  type WebSocketCtor,
  type WebSocketLike,
  type DownloadedFile,
  type DownloadOptions,
  type SearchOptions,
} from './client/parley.js';
export { ParleyError } from './client/errors.js';
export { MemoryOutbox, type OutboxEntry, type OutboxStore } from './client/outbox.js';
export { RestClient, jwtExpiry, type Tokens, type AuthAnswer, type FetchLike, type StreamedResponse } from './client/rest.js';
export {
  browserUploads,
  uploadError,
  type NodeReadableLike,
  type ResumeOption,
  type StoredUpload,
  type UploadedFile,
  type UploadOptions,
  type UploadPlatform,
  type UploadSource,
  type UploadUrlStorage,
  type PreparedUpload,
} from './client/uploads.js';
export { backoffDelay } from './client/backoff.js';
export * from './state/reducer.js';
export { addLive, emptyTimeline, findById, lowerBound, mergeAround, mergeLatest, replaceIfPresent, updateById, upsert, upsertMany, type Timeline } from './state/timeline.js';
export { countAll, countFrom, countOf, joinedMember, mentionsUser, withChanges, withLastMessage, withLiveMessage, withMuted, type MessageCount } from './state/conversation.js';
