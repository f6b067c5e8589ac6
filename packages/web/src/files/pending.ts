/**
 * The files waiting in a composer, as plain data: what the chips show, what a reload restores,
 * and when the message may be sent. Every change returns a new list (React state).
 */
export const MAX_ATTACHMENTS = 10;

export type UploadError = 'payload_too_large' | 'quota_exceeded' | 'too_many' | 'network' | 'failed';

export interface PendingUpload {
  /** Local id (the upload has no server id until it is created). */
  key: string;
  name: string;
  size: number;
  /** The browser's guess, used only to choose a local preview; the server sniffs the bytes. */
  type: string;
  status: 'uploading' | 'done' | 'error';
  sent: number;
  /** The server's upload id once the upload finished. */
  id: string | null;
  error: UploadError | null;
}

export interface NewFile {
  key: string;
  name: string;
  size: number;
  type: string;
}

/** Adds files up to the cap; the files past it are returned so the composer can say why. */
export function addFiles(list: readonly PendingUpload[], files: readonly NewFile[], max = MAX_ATTACHMENTS): { list: PendingUpload[]; accepted: NewFile[]; rejected: NewFile[] } {
  const room = Math.max(0, max - list.length);
  const accepted = files.slice(0, room);
  const added = accepted.map<PendingUpload>((f) => ({ ...f, status: 'uploading', sent: 0, id: null, error: null }));
  return { list: [...list, ...added], accepted, rejected: files.slice(room) };
}

function update(list: readonly PendingUpload[], key: string, fn: (p: PendingUpload) => PendingUpload): PendingUpload[] {
  return list.map((p) => (p.key === key ? fn(p) : p));
}

export function progressed(list: readonly PendingUpload[], key: string, sent: number): PendingUpload[] {
  // Progress only moves forward: a resumed upload reports from its new start.
  return update(list, key, (p) => (p.status === 'uploading' ? { ...p, sent: Math.min(p.size, Math.max(p.sent, sent)) } : p));
}

export function finished(list: readonly PendingUpload[], key: string, id: string): PendingUpload[] {
  return update(list, key, (p) => ({ ...p, status: 'done', sent: p.size, id, error: null }));
}

export function failed(list: readonly PendingUpload[], key: string, error: UploadError): PendingUpload[] {
  return update(list, key, (p) => ({ ...p, status: 'error', error }));
}

export function retrying(list: readonly PendingUpload[], key: string): PendingUpload[] {
  return update(list, key, (p) => (p.status === 'error' ? { ...p, status: 'uploading', error: null } : p));
}

export function removed(list: readonly PendingUpload[], key: string): PendingUpload[] {
  return list.filter((p) => p.key !== key);
}

/**
 * A message can go when nothing is still uploading or failed, and it says something: text, or
 * at least one finished file.
 */
export function canSend(list: readonly PendingUpload[], text: string): boolean {
  if (list.some((p) => p.status !== 'done')) return false;
  return text.trim().length > 0 || list.length > 0;
}

/** The upload ids to attach, in the order the files were added. */
export function attachmentIds(list: readonly PendingUpload[]): string[] {
  return list.filter((p) => p.status === 'done' && p.id !== null).map((p) => p.id!);
}

/** Overall progress of the unfinished files, 0..1 (for an aria-live summary). */
export function overallProgress(list: readonly PendingUpload[]): number {
  const total = list.reduce((n, p) => n + p.size, 0);
  if (total === 0) return list.length > 0 && list.every((p) => p.status === 'done') ? 1 : 0;
  return list.reduce((n, p) => n + p.sent, 0) / total;
}
