import { Type, type Static } from '@sinclair/typebox';
import { Id, Timestamp } from './entities.js';

/**
 * Web Push: a browser's PushSubscription as `subscription.toJSON()` gives it. The endpoint is the
 * push service's URL for that browser; the keys encrypt what Parley sends there (RFC 8291), so the
 * push service carries it without reading it.
 */
export const PushSubscribeBody = Type.Object(
  {
    endpoint: Type.String({ minLength: 8, maxLength: 2048, pattern: '^https?://' }),
    keys: Type.Object(
      {
        /** The browser's P-256 public key, base64url (65 bytes uncompressed). */
        p256dh: Type.String({ minLength: 80, maxLength: 100, pattern: '^[A-Za-z0-9_-]+=*$' }),
        /** The 16-byte authentication secret, base64url. */
        auth: Type.String({ minLength: 16, maxLength: 32, pattern: '^[A-Za-z0-9_-]+=*$' }),
      },
      { additionalProperties: false },
    ),
    expirationTime: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
  },
  { additionalProperties: false },
);
export type PushSubscribeBody = Static<typeof PushSubscribeBody>;

export const PushSubscription = Type.Object(
  {
    id: Id,
    /** The push service (scheme and host), not the browser's secret endpoint path. */
    service: Type.String(),
    created_at: Timestamp,
    last_sent_at: Type.Union([Timestamp, Type.Null()]),
    /** This device's: the one the request came from. */
    current: Type.Boolean(),
  },
  { $id: 'PushSubscription' },
);
export type PushSubscription = Static<typeof PushSubscription>;

export const PushSettings = Type.Object(
  {
    /** The server's VAPID public key (base64url): `applicationServerKey` for `pushManager.subscribe`. */
    vapid_public_key: Type.String(),
    /** Message text in notifications (false: only who wrote where). Burn-after-reading text never is. */
    previews: Type.Boolean(),
    subscriptions: Type.Array(PushSubscription),
  },
  { $id: 'PushSettings' },
);
export type PushSettings = Static<typeof PushSettings>;

export const PushSettingsBody = Type.Object({ previews: Type.Boolean() }, { additionalProperties: false });
export type PushSettingsBody = Static<typeof PushSettingsBody>;

/**
 * What a push carries, decrypted by the browser's service worker: enough to show a notification
 * and open the conversation. `body` is the message's first line (with previews on) or a neutral
 * sentence; a burn-after-reading message is always "a message that burns after reading".
 */
export interface PushPayload {
  type: 'message';
  conv_id: string;
  message_id: string;
  seq: number;
  /** Who, and where: "Alice", "Alice in #deploys". */
  title: string;
  body: string;
  /** The sentence kind, for a client that words it in its own language. */
  kind: 'preview' | 'hidden' | 'burn';
  mention: boolean;
  /** The web client's path for the conversation. */
  url: string;
  ts: string;
}
