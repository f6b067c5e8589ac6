import { Type, type Static } from '@sinclair/typebox';
import { NotifyLevel, Nullable, Timestamp, type ConversationKind } from './entities.js';

/** `PUT /conversations/:id/notify`: what notifies me in this conversation. */
export const SetNotifyLevelBody = Type.Object({ level: NotifyLevel }, { additionalProperties: false });
export type SetNotifyLevelBody = Static<typeof SetNotifyLevelBody>;

/** The longest Do Not Disturb one can set: a year (longer is "off", not "later"). */
export const DND_MAX_MS = 366 * 86_400_000;

/** My notification settings, the same on every device (`GET /me/notifications`). */
export const NotificationSettings = Type.Object(
  {
    /** Do Not Disturb until then: nothing notifies me, pushed or on a desktop. Null (or a time past): off. */
    dnd_until: Nullable(Timestamp),
    /** Clients play a sound with a notification. */
    sounds: Type.Boolean(),
  },
  { $id: 'NotificationSettings' },
);
export type NotificationSettings = Static<typeof NotificationSettings>;

/** `PATCH /me/notifications`: the fields to change (at least one). */
export const NotificationSettingsBody = Type.Object(
  {
    /** A time in the future (at most DND_MAX_MS away), or null to turn Do Not Disturb off. */
    dnd_until: Type.Optional(Nullable(Timestamp)),
    sounds: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type NotificationSettingsBody = Static<typeof NotificationSettingsBody>;

/** The level of a member who never chose one: every message of a DM or group, mentions in a channel. */
export function defaultNotifyLevel(kind: ConversationKind): NotifyLevel {
  return kind === 'channel' ? 'mentions' : 'all';
}

/** Whether a message notifies a member at `level` (`mentioned`: it names them, or `@channel` / `@here`). */
export function levelNotifies(level: NotifyLevel, mentioned: boolean): boolean {
  return level === 'all' || (level === 'mentions' && mentioned);
}

/** Whether Do Not Disturb holds at `now` (ms): it ends by itself at `dnd_until`. */
export function dndActive(settings: Pick<NotificationSettings, 'dnd_until'> | null | undefined, now: number = Date.now()): boolean {
  if (!settings?.dnd_until) return false;
  const until = Date.parse(settings.dnd_until);
  return Number.isFinite(until) && until > now;
}
