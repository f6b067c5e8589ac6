import type { PushSettings, PushSubscribeBody, PushSubscription } from '@parley/protocol';
import type { Actor, Deps } from '../core/context.js';
import { AppError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { iso, isoOrNull } from '../core/time.js';
import { privateLiteralHost } from '../integrations/outbound-http.js';
import { vapidKeys, type VapidKeys } from './keys.js';

/** Subscriptions one user may hold (a browser per device; more is a leak, not a need). */
const MAX_PER_USER = 20;

/** Web Push subscriptions and settings: the browser side of push/dispatcher.ts. */
export class PushService {
  private keys: Promise<VapidKeys> | null = null;

  constructor(private readonly deps: Deps) {}

  vapid(): Promise<VapidKeys> {
    this.keys ??= vapidKeys(this.deps).catch((e: unknown) => {
      this.keys = null;
      throw e;
    });
    return this.keys;
  }

  async settings(actor: Actor): Promise<PushSettings> {
    const { db } = this.deps;
    const [keys, user, subs] = await Promise.all([
      this.vapid(),
      db.selectFrom('users').select('push_previews').where('id', '=', actor.userId).executeTakeFirstOrThrow(),
      db.selectFrom('push_subscriptions').selectAll().where('user_id', '=', actor.userId).orderBy('created_at').execute(),
    ]);
    return {
      vapid_public_key: keys.publicKey,
      previews: Number(user.push_previews) === 1,
      subscriptions: subs.map((s): PushSubscription => ({
        id: s.id,
        service: new URL(s.endpoint).origin,
        created_at: iso(Number(s.created_at)),
        last_sent_at: isoOrNull(s.last_sent_at === null ? null : Number(s.last_sent_at)),
        current: s.session_id !== null && s.session_id === actor.sessionId,
      })),
    };
  }

  async setPreviews(actor: Actor, previews: boolean): Promise<PushSettings> {
    await this.deps.db
      .updateTable('users')
      .set({ push_previews: previews ? 1 : 0 })
      .where('id', '=', actor.userId)
      .execute();
    return this.settings(actor);
  }

  /**
   * Records this browser's subscription for the actor's device session. A browser that subscribes
   * again (same endpoint) replaces its row, even one another account had on that browser: the
   * endpoint is the browser's, and it now belongs to whoever subscribed last.
   */
  async subscribe(actor: Actor, body: PushSubscribeBody): Promise<PushSubscription> {
    const { db, config, now } = this.deps;
    let url: URL;
    try {
      url = new URL(body.endpoint);
    } catch {
      throw new AppError('invalid_request', 'endpoint is not a URL.', { field: '/endpoint' });
    }
    // The same rule as outgoing webhooks: a push service is on the internet, unless the operator
    // allows private addresses (tests, an intranet push relay). Checked again when sending.
    if (!config.outgoingAllowPrivate && (url.protocol !== 'https:' || privateLiteralHost(body.endpoint))) {
      throw new AppError('invalid_request', 'endpoint must be an https URL of a public push service.', { field: '/endpoint' });
    }
    if (Buffer.from(body.keys.p256dh, 'base64url').length !== 65) throw new AppError('invalid_request', 'keys.p256dh must be a P-256 public key (65 bytes).', { field: '/keys/p256dh' });
    if (Buffer.from(body.keys.auth, 'base64url').length !== 16) throw new AppError('invalid_request', 'keys.auth must be 16 bytes.', { field: '/keys/auth' });
    const t = now();
    const id = newId();
    const row = await db.transaction().execute(async (trx) => {
      await trx.deleteFrom('push_subscriptions').where('endpoint', '=', body.endpoint).execute();
      const n = await trx
        .selectFrom('push_subscriptions')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('user_id', '=', actor.userId)
        .executeTakeFirstOrThrow();
      if (Number(n.n) >= MAX_PER_USER) throw new AppError('conflict', `At most ${MAX_PER_USER} browsers may receive your notifications; remove one first.`);
      const values = {
        id,
        user_id: actor.userId,
        session_id: actor.via === 'session' ? actor.sessionId : null,
        endpoint: body.endpoint,
        p256dh: body.keys.p256dh,
        auth: body.keys.auth,
        created_at: t,
        last_sent_at: null,
      };
      await trx.insertInto('push_subscriptions').values(values).execute();
      return values;
    });
    return { id: row.id, service: url.origin, created_at: iso(t), last_sent_at: null, current: actor.via === 'session' };
  }

  /** Removes one of my subscriptions (404 for anyone else's, as for one that does not exist). */
  async unsubscribe(actor: Actor, id: string): Promise<void> {
    const res = await this.deps.db.deleteFrom('push_subscriptions').where('id', '=', id).where('user_id', '=', actor.userId).executeTakeFirst();
    if (Number(res.numDeletedRows) === 0) throw new AppError('not_found', 'No such subscription.');
  }
}
