import { sql, type RawBuilder } from 'kysely';
import { DND_MAX_MS, type NotificationSettings, type NotificationSettingsBody } from '@parley/protocol';
import type { Actor, Deps } from '../core/context.js';
import { AppError } from '../core/errors.js';
import { iso } from '../core/time.js';

/**
 * A user's own notification settings: Do Not Disturb until a time, and sounds. Per-conversation
 * levels are membership settings (ConversationsService.setNotify). Both are read by the push
 * dispatcher (push/dispatcher.ts) and by clients for their desktop notifications.
 */
export class NotificationsService {
  constructor(private readonly deps: Deps) {}

  async settings(actor: Actor): Promise<NotificationSettings> {
    const row = await this.deps.db.selectFrom('users').select(['dnd_until', 'sounds']).where('id', '=', actor.userId).executeTakeFirstOrThrow();
    return presentSettings(row, this.deps.now());
  }

  /**
   * Changes only the caller's own row, and tells their other devices (`notifications.updated`).
   * Do Not Disturb takes a time in the future, at most a year away; null turns it off.
   */
  async update(actor: Actor, body: NotificationSettingsBody): Promise<NotificationSettings> {
    const { db, now, publisher } = this.deps;
    const t = now();
    const patch: { dnd_until?: number | RawBuilder<number | null>; sounds?: number } = {};
    if (body.dnd_until !== undefined) {
      // Turned off: a Do Not Disturb under way ends now and keeps that end, one that ended keeps
      // its own. The push dispatcher may look at a message after the switch (its passes are
      // spaced, and lag after a restart): a message sent during it is silenced by `dnd_until`
      // lying after the message, which erasing the end would forget.
      if (body.dnd_until === null) patch.dnd_until = sql<number | null>`CASE WHEN dnd_until > ${t} THEN ${t} ELSE dnd_until END`;
      else {
        const until = Date.parse(body.dnd_until);
        if (!Number.isFinite(until)) throw new AppError('invalid_request', 'dnd_until is not a time.', { field: '/dnd_until' });
        if (until <= t) throw new AppError('invalid_request', 'dnd_until has passed: give a time in the future, or null to turn Do Not Disturb off.', { field: '/dnd_until' });
        if (until - t > DND_MAX_MS) throw new AppError('invalid_request', 'dnd_until is more than a year away.', { field: '/dnd_until' });
        patch.dnd_until = until;
      }
    }
    if (body.sounds !== undefined) patch.sounds = body.sounds ? 1 : 0;
    if (Object.keys(patch).length > 0) await db.updateTable('users').set(patch).where('id', '=', actor.userId).execute();
    const settings = await this.settings(actor);
    publisher.toUser(actor.userId, { type: 'notifications.updated', settings });
    return settings;
  }
}

/** A Do Not Disturb that ended reads as off. */
export function presentSettings(row: { dnd_until: number | string | null; sounds: number | string }, now: number): NotificationSettings {
  const until = row.dnd_until === null ? null : Number(row.dnd_until);
  return { dnd_until: until !== null && until > now ? iso(until) : null, sounds: Number(row.sounds) === 1 };
}
