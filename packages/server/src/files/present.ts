import type { Attachment } from '@parley/protocol';
import type { UploadsTable } from '../store/schema.js';

/** The wire shape of an attached upload (bigint columns may arrive as strings from PostgreSQL). */
export function presentAttachment(u: UploadsTable): Attachment {
  return {
    id: u.id,
    name: u.name,
    size: Number(u.size),
    mime: u.mime ?? 'application/octet-stream',
    width: u.width === null ? null : Number(u.width),
    height: u.height === null ? null : Number(u.height),
    has_thumbnail: u.thumb_sha256 !== null,
    preview: u.preview,
  };
}
