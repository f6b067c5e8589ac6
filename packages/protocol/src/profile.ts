import { Type, type Static } from '@sinclair/typebox';

/** Edge of a stored avatar, in pixels: every upload is cropped square and resized to this (WebP). */
export const AVATAR_EDGE = 256;

/** Image types `PUT /me/avatar` accepts, as the request's Content-Type and as sniffed from the bytes. */
export const AVATAR_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'image/gif'] as const;
export type AvatarType = (typeof AVATAR_TYPES)[number];

/**
 * The square of the source image to keep, in source pixels; absent: the largest centred square.
 * All three or none.
 */
export const AvatarCropQuery = Type.Object(
  {
    x: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
    y: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
    size: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
  },
  { additionalProperties: false },
);
export type AvatarCropQuery = Static<typeof AvatarCropQuery>;

/**
 * An uploaded avatar's URL: same-origin, under the API, versioned by its content hash so it can
 * be cached for good and a new picture gets a new URL.
 */
export function avatarPath(userId: string, version: string): string {
  return `/api/v1/users/${userId}/avatar?v=${version}`;
}

const AVATAR_PATH = /^\/api\/v1\/users\/([0-9A-HJKMNP-TV-Z]{26})\/avatar\?v=([0-9a-f]{8,64})$/;

/** The user id of one of Parley's own avatar paths, or null for anything else (a remote URL a user set). */
export function ownAvatarUser(url: string | null | undefined): string | null {
  if (!url) return null;
  return AVATAR_PATH.exec(url)?.[1] ?? null;
}
