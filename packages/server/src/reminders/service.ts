import type { CreateReminderBody, EphemeralMessage, Reminder } from '@parley/protocol';
import type { Actor, Deps } from '../core/context.js';
import { AppError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { iso } from '../core/time.js';
import { isTimeZone } from '../core/zones.js';
import { PassLoop } from '../core/pass-loop.js';
import type { ConversationsService } from '../conversations/service.js';
import type { MessagesService } from '../messages/service.js';
import { accessConversation } from '../conversations/access.js';
import { can } from '../conversations/policy.js';
import type { RemindersTable } from '../store/schema.js';
import { parseReminder } from './parse.js';
import { insertBotUser } from '../users/bots.js';

/** Pending reminders one person may hold. */
const MAX_PENDING = 100;
/** How long a node holds a due reminder while it posts it; after that another node may. */
const CLAIM_MS = 60_000;
/** Due reminders posted per pass. */
const BATCH = 20;
/** Tried in order for the bot's username; the first free one is taken. */
const BOT_NAMES = ['parley', 'parley-bot', 'parley-reminders'];

/**
 * `/remind me in 10m …`: at the due time the Parley bot posts the reminder in a DM with its
 * owner, so it reaches every device, counts as unread and waits for someone offline. Durable
 * like a message: a reminder is a row until its post commits (the post's client_msg_id is the
 * reminder's, so two nodes racing to post it post it once).
 */
export class RemindersService {
  private readonly loop: PassLoop;
  private soon: NodeJS.Timeout | null = null;
  private botId: string | null = null;

  constructor(
    private readonly deps: Deps,
    private readonly conversations: ConversationsService,
    private readonly messages: MessagesService,
  ) {
    this.loop = new PassLoop(
      () => this.fireDue(),
      (err) => this.deps.log.warn({ err }, 'reminders: a pass failed'),
    );
  }

  async create(actor: Actor, body: CreateReminderBody): Promise<Reminder> {
    const { db, now, publisher } = this.deps;
    const tz = body.tz ?? 'UTC';
    if (!isTimeZone(tz)) throw new AppError('invalid_request', `Unknown time zone "${tz}".`, { field: '/body/tz' });
    const t = now();
    const { text, dueAt } = await parseReminder(body.text, t, tz);
    // Where it was typed, only if the person may read there: the confirmation is shown there.
    let where: string | null = null;
    if (body.conv_id) {
      const a = await accessConversation(db, actor, body.conv_id);
      if (!can(actor, 'conversation.read', a)) throw new AppError('not_found', 'No such conversation.');
      where = body.conv_id;
    }
    const pending = await db
      .selectFrom('reminders')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', actor.userId)
      .where('fired_at', 'is', null)
      .executeTakeFirstOrThrow();
    if (Number(pending.n) >= MAX_PENDING) throw new AppError('conflict', `You have ${MAX_PENDING} pending reminders; cancel one first.`);
    const row: RemindersTable = { id: newId(), user_id: actor.userId, conv_id: where, text, due_at: dueAt, next_at: dueAt, created_at: t, fired_at: null };
    await db.insertInto('reminders').values(row).execute();
    this.wakeAt(dueAt);
    if (where) {
      const message: EphemeralMessage = {
        id: newId(),
        conv_id: where,
        thread_root_id: null,
        sender_id: await this.bot(),
        body: `⏰ OK, I will remind you ${when(dueAt, t, tz)}: ${text}`,
        created_at: iso(t),
      };
      publisher.toUser(actor.userId, { type: 'message.ephemeral', message });
    }
    return present(row);
  }

  async list(actor: Actor): Promise<Reminder[]> {
    const rows = await this.deps.db.selectFrom('reminders').selectAll().where('user_id', '=', actor.userId).where('fired_at', 'is', null).orderBy('due_at').execute();
    return rows.map(present);
  }

  async cancel(actor: Actor, id: string): Promise<void> {
    const gone = await this.deps.db.deleteFrom('reminders').where('id', '=', id).where('user_id', '=', actor.userId).where('fired_at', 'is', null).executeTakeFirst();
    if (Number(gone.numDeletedRows) !== 1) throw new AppError('not_found', 'No such pending reminder.');
  }

  start(pollMs = 1_000): void {
    this.loop.start(pollMs);
  }

  async stop(): Promise<void> {
    if (this.soon) clearTimeout(this.soon);
    await this.loop.stop();
  }

  /** A reminder due before the next poll is posted on time by this node. */
  private wakeAt(at: number): void {
    const delay = at - this.deps.now();
    if (delay > 1_000 || !this.loop.active) return;
    if (this.soon) clearTimeout(this.soon);
    this.soon = setTimeout(() => this.loop.kick(), Math.max(0, delay));
    this.soon.unref();
  }

  private async fireDue(): Promise<void> {
    const { db, now } = this.deps;
    const t = now();
    // A poll, on the read-only connection (Deps.reads).
    const due = await this.deps.reads.selectFrom('reminders').selectAll().where('fired_at', 'is', null).where('next_at', '<=', t).orderBy('next_at').limit(BATCH).execute();
    for (const r of due) {
      if (!this.loop.active) return;
      const claimed = await db
        .updateTable('reminders')
        .set({ next_at: t + CLAIM_MS })
        .where('id', '=', r.id)
        .where('fired_at', 'is', null)
        .where('next_at', '=', r.next_at)
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) !== 1) continue;
      try {
        await this.post(r);
        await db.updateTable('reminders').set({ fired_at: now() }).where('id', '=', r.id).execute();
      } catch (err) {
        // Left claimed: retried when the claim lapses.
        this.deps.log.warn({ err, reminder: r.id }, 'reminders: posting one failed');
      }
    }
  }

  private async post(r: RemindersTable): Promise<void> {
    const botId = await this.bot();
    const bot: Actor = { userId: botId, role: 'member', sessionId: 'reminders', via: 'token' };
    const owner = await this.deps.db.selectFrom('users').select('deactivated_at').where('id', '=', r.user_id).executeTakeFirst();
    if (!owner || owner.deactivated_at !== null) return;
    const { conversation } = await this.conversations.create(bot, { kind: 'dm', user_id: r.user_id });
    await this.messages.send(bot, { conv_id: conversation.id, client_msg_id: `remind_${r.id}`, body: `⏰ Reminder: ${r.text}` });
  }

  /**
   * The Parley bot: a bot account that owns itself (no person's rights to borrow), made on first
   * use. Every node finds the same one; two nodes making it at once meet at the unique username.
   */
  private async bot(): Promise<string> {
    if (this.botId) return this.botId;
    const { db, now } = this.deps;
    const find = () => db.selectFrom('users').select('id').whereRef('bot_owner_id', '=', 'id').where('username', 'in', BOT_NAMES).orderBy('created_at').executeTakeFirst();
    let found = await find();
    if (!found) {
      const taken = new Set((await db.selectFrom('users').select('username').where('username', 'in', BOT_NAMES).execute()).map((u) => u.username));
      const username = BOT_NAMES.find((n) => !taken.has(n));
      if (!username) throw new Error('every name for the Parley bot is taken by a person');
      const id = newId();
      // Another node making it at the same moment takes the name first: found below either way.
      await insertBotUser(db, { id, username, displayName: 'Parley', avatarUrl: null, ownerId: id, at: now() }).catch(() => undefined);
      found = await find();
      if (!found) throw new Error('the Parley bot could not be made');
    }
    this.botId = found.id;
    return found.id;
  }
}

/** "in 10 minutes (at 14:32)" / "on Tue 1 Dec at 09:00", in the writer's zone. */
function when(at: number, now: number, tz: string): string {
  const time = new Intl.DateTimeFormat('en-GB', { timeZone: tz, hour: '2-digit', minute: '2-digit' }).format(at);
  const mins = Math.round((at - now) / 60_000);
  if (mins < 1) return `in ${Math.max(1, Math.round((at - now) / 1000))} s`;
  if (mins < 120) return `in ${mins} min (at ${time})`;
  return `on ${new Intl.DateTimeFormat('en-GB', { timeZone: tz, weekday: 'short', day: 'numeric', month: 'short' }).format(at)} at ${time}`;
}

function present(r: RemindersTable): Reminder {
  return { id: r.id, text: r.text, due_at: iso(Number(r.due_at)), conv_id: r.conv_id, created_at: iso(Number(r.created_at)) };
}
