import type { UpdateProfileBody, User } from '@parley/protocol';
import type { Actor, Deps } from '../core/context.js';
import { AppError } from '../core/errors.js';
import { presentUser } from './presenter.js';
import { containsIgnoringCase } from '../store/like.js';
import { prepared } from '../store/prepared.js';
import { StatusExpiry } from './status-expiry.js';
import { profilePatch } from './profile.js';

const userColumns = ['id', 'username', 'display_name', 'avatar_url', 'status_text', 'status_emoji', 'status_expires_at', 'time_zone', 'role', 'created_at', 'bot_owner_id'] as const;

export class UsersService {
  /** Clears statuses past their expiry and announces it (started and stopped with the app). */
  readonly expiry: StatusExpiry;

  constructor(private readonly deps: Deps) {
    this.expiry = new StatusExpiry(deps, (id) => this.getUser(id).then((u) => this.announce(u)));
  }

  async getUser(id: string): Promise<User> {
    const [row] = await activeUser(this.deps.db, { id });
    if (!row) throw new AppError('not_found', 'No such user.');
    return presentUser(row);
  }

  async getUsers(ids: readonly string[]): Promise<Map<string, User>> {
    const out = new Map<string, User>();
    if (ids.length === 0) return out;
    const rows = await usersByIds(this.deps.db, { ids: [...new Set(ids)] });
    for (const r of rows) out.set(r.id, presentUser(r));
    return out;
  }

  /**
   * Directory search by username or display name prefix/substring. `includeDeactivated` is for the
   * admin list, where deactivated users must be found to be reactivated.
   */
  async searchUsers(query: string, limit: number, includeDeactivated = false): Promise<User[]> {
    const q = query.trim().toLowerCase();
    let sel = this.deps.db.selectFrom('users').select(userColumns).orderBy('username').limit(limit);
    if (!includeDeactivated) sel = sel.where('deactivated_at', 'is', null);
    if (q) {
      sel = sel.where((eb) => eb.or([containsIgnoringCase(eb.ref('username'), q), containsIgnoringCase(eb.ref('display_name'), q)]));
    }
    return (await sel.execute()).map((r) => presentUser(r));
  }

  async updateProfile(actor: Actor, body: UpdateProfileBody): Promise<User> {
    const patch = profilePatch(body, this.deps.now());
    if (Object.keys(patch).length > 0) {
      await this.deps.db.updateTable('users').set(patch).where('id', '=', actor.userId).execute();
    }
    const user = await this.getUser(actor.userId);
    if (patch.status_expires_at != null) this.expiry.wakeAt(patch.status_expires_at);
    await this.announce(user);
    return user;
  }

  /**
   * Sends `user.updated` to the user's own devices and to every conversation they are in: everyone
   * who shares a conversation with them holds them in a member list (found by
   * sync-correctness.test.ts). A member of several shared conversations gets one copy per
   * conversation; applying user.updated is a "set", so copies are harmless.
   */
  async announce(user: User): Promise<void> {
    const event = { type: 'user.updated' as const, user };
    this.deps.publisher.toUser(user.id, event);
    const convs = await this.deps.db.selectFrom('members').select('conv_id').where('user_id', '=', user.id).where('left_seq', 'is', null).execute();
    for (const c of convs) this.deps.publisher.toConversation(c.conv_id, event);
  }
}

// Every socket's authentication and every user lookup run these: built once, not per call.
const activeUser = prepared((db, p: { id: string }) => db.selectFrom('users').select(userColumns).where('id', '=', p.id).where('deactivated_at', 'is', null));
const usersByIds = prepared((db, p: { ids: string[] }) => db.selectFrom('users').select(userColumns).where('id', 'in', p.ids));
