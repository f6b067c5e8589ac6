import type { Actor, Deps, Role } from '../core/context.js';
import type { ConversationsService } from '../conversations/service.js';

/** The workspace_settings row naming the default channel: claimed (empty) by its maker, then its id. */
const KEY = 'default_channel_id';

/**
 * The channel a new workspace starts with (PARLEY_DEFAULT_CHANNEL, `general` by default): the
 * first account's sign-up makes it, and every new account joins it, by password or by a first
 * single sign-on. Made only with the first account, so a workspace that already had people
 * before this existed is not handed a channel nobody asked for.
 *
 * Several nodes, first sign-ups racing: the maker claims the settings row first (one insert
 * wins, so one channel), then adds everyone who exists by then; each later account joins itself
 * after its own commit. Whichever of the two runs last sees the other, so nobody is left out,
 * and joining twice is a no-op. It never fails a sign-up: a problem here is logged.
 */
export class DefaultChannel {
  constructor(
    private readonly deps: Deps,
    private readonly conversations: ConversationsService,
  ) {}

  async welcome(userId: string, first: boolean): Promise<void> {
    const name = this.deps.config.defaultChannel;
    if (name === null) return;
    try {
      if (first) await this.make(userId, name);
      const id = await this.channelId();
      if (id) await this.join(userId, id);
    } catch (err) {
      this.deps.log.warn({ err, userId }, 'could not add a new account to the default channel');
    }
  }

  private async make(ownerId: string, name: string): Promise<void> {
    const { db, now } = this.deps;
    const claimed = await db
      .insertInto('workspace_settings')
      .values({ key: KEY, value: '', updated_at: now(), updated_by: ownerId })
      .onConflict((oc) => oc.column('key').doNothing())
      .executeTakeFirst();
    if (Number(claimed.numInsertedOrUpdatedRows ?? 0) !== 1) return;
    const owner = await this.actor(ownerId);
    if (!owner) return;
    const { conversation } = await this.conversations.create(owner, { kind: 'channel', name, visibility: 'public' });
    await db.updateTable('workspace_settings').set({ value: conversation.id, updated_at: now() }).where('key', '=', KEY).execute();
    const everyone = await db.selectFrom('users').select('id').where('deactivated_at', 'is', null).where('bot_owner_id', 'is', null).where('id', '!=', ownerId).execute();
    for (const u of everyone) await this.join(u.id, conversation.id);
  }

  private async channelId(): Promise<string | null> {
    const row = await this.deps.db.selectFrom('workspace_settings').select('value').where('key', '=', KEY).executeTakeFirst();
    return row?.value || null;
  }

  private async join(userId: string, convId: string): Promise<void> {
    const actor = await this.actor(userId);
    // Guests take part only where they are added; an archived or removed channel is left alone.
    if (!actor || actor.role === 'guest') return;
    await this.conversations.join(actor, convId).catch((err: unknown) => this.deps.log.warn({ err, userId, convId }, 'could not join the default channel'));
  }

  private async actor(userId: string): Promise<Actor | null> {
    const u = await this.deps.db.selectFrom('users').select(['id', 'role']).where('id', '=', userId).where('deactivated_at', 'is', null).executeTakeFirst();
    return u ? { userId: u.id, role: u.role as Role, sessionId: 'default-channel', via: 'session' } : null;
  }
}
