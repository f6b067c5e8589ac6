import crypto from 'node:crypto';
import { fileTypeFromBuffer } from 'file-type';
import sharp from 'sharp';
import { AVATAR_EDGE, AVATAR_TYPES, avatarPath, plural, type AvatarCropQuery, type User } from '@parley/protocol';
import type { Actor } from '../core/context.js';
import { AppError } from '../core/errors.js';
import type { Services } from '../services.js';

const MiB = 1024 * 1024;
/** Decoding a picture this many pixels big is refused before it starts (a "pixel bomb" in a small file). */
const MAX_INPUT_PIXELS = 50_000_000;

const isAvatarType = (t: string): boolean => (AVATAR_TYPES as readonly string[]).includes(t);
const sizeText = (n: number) => (n >= MiB ? `${Math.floor(n / MiB)} MiB` : plural(n, 'byte'));

/** The media type of a Content-Type header, without parameters, lower case. */
export function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase();
}

/**
 * The square to keep from a `width`×`height` picture: the one asked for (which must lie inside
 * it), or the largest centred one.
 */
export function cropSquare(width: number, height: number, crop: AvatarCropQuery): { left: number; top: number; size: number } {
  const given = [crop.x, crop.y, crop.size].filter((v) => v !== undefined).length;
  if (given === 0) {
    const size = Math.min(width, height);
    return { left: Math.floor((width - size) / 2), top: Math.floor((height - size) / 2), size };
  }
  if (given !== 3) throw new AppError('invalid_request', 'Give the crop as x, y and size together, or none of them.', { field: '/querystring' });
  const { x, y, size } = crop as Required<AvatarCropQuery>;
  if (x + size > width || y + size > height) {
    throw new AppError('invalid_request', `The crop (${size} px at ${x},${y}) does not fit in the ${width}×${height} picture.`, { field: '/querystring/size' });
  }
  return { left: x, top: y, size };
}

/**
 * Makes the stored avatar from uploaded bytes: checks the type from the bytes themselves (the
 * Content-Type is only the client's claim), decodes it for real, applies EXIF orientation, crops
 * the square and resizes it to AVATAR_EDGE² WebP. sharp writes no metadata unless asked, so none
 * of the original's (GPS, camera serials) survives. Animated GIFs keep their first frame.
 */
export async function renderAvatar(bytes: Buffer, declared: string, crop: AvatarCropQuery, maxBytes: number): Promise<Buffer> {
  if (!isAvatarType(declared)) throw new AppError('unsupported_media_type', 'Send the picture as the request body with Content-Type image/png, image/jpeg, image/webp or image/gif.');
  if (bytes.length === 0) throw new AppError('invalid_request', 'The body is empty: send the picture’s bytes.');
  if (bytes.length > maxBytes) throw new AppError('payload_too_large', `An avatar picture has at most ${sizeText(maxBytes)}.`);
  const sniffed = await fileTypeFromBuffer(bytes);
  if (!sniffed) throw new AppError('invalid_request', 'The body is not a picture Parley can read.');
  if (!isAvatarType(sniffed.mime)) throw new AppError('unsupported_media_type', `The body is ${sniffed.mime}; an avatar is PNG, JPEG, WebP or GIF.`);
  try {
    const meta = await sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS }).metadata();
    if (!meta.width || !meta.height) throw new Error('no dimensions');
    // Orientations 5–8 turn the picture a quarter: the crop is in the picture as it is shown.
    const turned = (meta.orientation ?? 1) >= 5;
    const width = turned ? meta.height : meta.width;
    const height = turned ? meta.width : meta.height;
    const square = cropSquare(width, height, crop);
    return await sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' })
      .rotate()
      .extract({ left: square.left, top: square.top, width: square.size, height: square.size })
      .resize(AVATAR_EDGE, AVATAR_EDGE)
      .webp({ quality: 85 })
      .toBuffer();
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw new AppError('invalid_request', 'The picture could not be decoded (damaged or too large to open).');
  }
}

/**
 * Stores a new avatar for the caller and points their avatar_url at it. The blob is claimed
 * before its bytes are put, like an upload's (files/collector.ts), and the collector keeps any
 * blob a user's avatar references; the previous picture's blob is freed once nothing else holds it.
 */
export async function setAvatar(services: Services, actor: Actor, bytes: Buffer, declared: string, crop: AvatarCropQuery): Promise<User> {
  const { deps, files, users } = services;
  const out = await renderAvatar(bytes, declared, crop, deps.config.limits.maxAvatarBytes);
  const sha256 = crypto.createHash('sha256').update(out).digest('hex');
  await files.collector.claim([{ sha256, size: out.length }]);
  await files.blobs.putBytes(out, sha256);
  await deps.db
    .updateTable('users')
    .set({ avatar_sha256: sha256, avatar_url: avatarPath(actor.userId, sha256.slice(0, 16)) })
    .where('id', '=', actor.userId)
    .execute();
  files.collector.kick();
  const user = await users.getUser(actor.userId);
  await users.announce(user);
  return user;
}

/** Removes the caller's avatar (uploaded or a URL they set); clients show initials again. */
export async function removeAvatar(services: Services, actor: Actor): Promise<User> {
  const { deps, files, users } = services;
  await deps.db.updateTable('users').set({ avatar_sha256: null, avatar_url: null }).where('id', '=', actor.userId).execute();
  files.collector.kick();
  const user = await users.getUser(actor.userId);
  await users.announce(user);
  return user;
}

/** The blob of a user's uploaded avatar; not_found when they have none (or no such user). */
export async function avatarBlob(services: Services, userId: string): Promise<string> {
  const row = await services.deps.db.selectFrom('users').select('avatar_sha256').where('id', '=', userId).executeTakeFirst();
  if (!row?.avatar_sha256) throw new AppError('not_found', 'This user has no uploaded avatar.');
  return row.avatar_sha256;
}
