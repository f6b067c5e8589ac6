import type { UpdateProfileBody } from '@parley/protocol';
import { AppError } from '../core/errors.js';
import { isTimeZone } from '../core/zones.js';

/** The columns a profile update writes. */
export interface ProfilePatch {
  display_name?: string;
  avatar_url?: string | null;
  avatar_sha256?: null;
  status_text?: string | null;
  status_emoji?: string | null;
  status_expires_at?: number | null;
  time_zone?: string | null;
}

/** A status expiry further away than this is a mistake, not a plan. */
const STATUS_MAX_MS = 366 * 86_400_000;

/**
 * What `PATCH /me` writes, checked beyond the schema (a time in the future, a zone Intl knows).
 * Setting the status's text or emoji without an expiry sets a status that stays: a new status
 * replaces the old one whole, as in other chat apps.
 */
export function profilePatch(body: UpdateProfileBody, now: number): ProfilePatch {
  const patch: ProfilePatch = {};
  if (body.display_name !== undefined) patch.display_name = body.display_name.trim() || body.display_name;
  if (body.avatar_url !== undefined) {
    // A URL set by hand replaces an uploaded picture (whose blob the collector may then free).
    patch.avatar_url = body.avatar_url;
    patch.avatar_sha256 = null;
  }
  if (body.status_text !== undefined) patch.status_text = body.status_text === null ? null : body.status_text.trim() || null;
  if (body.status_emoji !== undefined) patch.status_emoji = body.status_emoji;
  if (body.status_expires_at !== undefined) {
    if (body.status_expires_at === null) patch.status_expires_at = null;
    else {
      const at = Date.parse(body.status_expires_at);
      if (!Number.isFinite(at)) throw new AppError('invalid_request', 'status_expires_at is not a time.', { field: '/status_expires_at' });
      if (at <= now) throw new AppError('invalid_request', 'status_expires_at has passed: give a time in the future, or null for a status that stays.', { field: '/status_expires_at' });
      if (at - now > STATUS_MAX_MS) throw new AppError('invalid_request', 'status_expires_at is more than a year away.', { field: '/status_expires_at' });
      patch.status_expires_at = at;
    }
  } else if (body.status_text !== undefined || body.status_emoji !== undefined) {
    patch.status_expires_at = null;
  }
  if (body.time_zone !== undefined) {
    if (body.time_zone === null) patch.time_zone = null;
    else {
      if (!isTimeZone(body.time_zone)) throw new AppError('invalid_request', `${body.time_zone} is not a time zone: give an IANA name such as Europe/Paris.`, { field: '/time_zone' });
      // Intl's own spelling (`europe/paris` → `Europe/Paris`), so every client reads the same name.
      patch.time_zone = new Intl.DateTimeFormat('en', { timeZone: body.time_zone }).resolvedOptions().timeZone;
    }
  }
  return patch;
}
