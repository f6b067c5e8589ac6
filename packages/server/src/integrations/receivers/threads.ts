import crypto from 'node:crypto';
import type { Actor, Deps } from '../../core/context.js';
import { AppError } from '../../core/errors.js';
import type { MessagesService } from '../../messages/service.js';
import type { SecretsService } from '../../secrets/service.js';

const sha = (s: string) => crypto.createHash('sha256').update(s).digest('hex');
/** Concurrent notifications about one thing that meet in the database: each re-plans on the newer state. */
const ATTEMPTS = 5;

export interface ThreadPlan<S> {
  root: string;
  replies: string[];
  state: S;
}

/**
 * One thread per thing a receiver reports on (an alert group, a pull request): its root shows
 * the current state and is edited in place; what changed is replied in the thread.
 *
 * Ordering: notifications about one thing are applied one at a time on a node, and across nodes
 * by the row's `version` (a stale update changes nothing and is planned again on the new state).
 * The state moves together with what it has to post (`pending`), then the root is edited and the
 * replies posted, each with a client_msg_id derived from (thing, version, index): a retried
 * notification posts nothing twice, and one that failed half-way (a crash, an archived
 * conversation) is finished by the next notification about the thing or the sender's retry.
 */
export class IntegrationThreads {
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(
    private readonly deps: Deps,
    private readonly messages: MessagesService,
    /** The workspace's secret policy, applied before `pending` stores a tool's text (not only when it is posted). */
    private readonly secrets: SecretsService | null = null,
  ) {}

  /** `tags`: the root's (a receiver's `alert`, `ci`), so a conversation's alerts can be listed by tag. */
  apply<S>(hookId: string, bot: Actor, convId: string, key: string, plan: (prior: S | null) => ThreadPlan<S>, tags: string[] = []): Promise<{ rootId: string; replies: number }> {
    const keyHash = sha(`${hookId}\n${key}`);
    const prev = this.chains.get(keyHash) ?? Promise.resolve();
    const next = prev.catch(() => undefined).then(() => this.applyNow(hookId, bot, convId, keyHash, plan, tags));
    this.chains.set(keyHash, next);
    // The caller gets `next` (and its failure); this tail only tidies up and must not reject.
    const forget = () => {
      if (this.chains.get(keyHash) === next) this.chains.delete(keyHash);
    };
    next.then(forget, forget);
    return next;
  }

  private async applyNow<S>(hookId: string, bot: Actor, convId: string, keyHash: string, plan: (prior: S | null) => ThreadPlan<S>, tags: string[]): Promise<{ rootId: string; replies: number }> {
    const { db, now } = this.deps;
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      let row = await db.selectFrom('integration_threads').selectAll().where('hook_id', '=', hookId).where('key_hash', '=', keyHash).executeTakeFirst();
      // What an earlier notification left unposted (a crash, a refused post) goes first.
      if (row?.pending) {
        await this.post(bot, convId, keyHash, row.root_message_id, Number(row.version), JSON.parse(row.pending) as Pending);
        await this.posted(hookId, keyHash, Number(row.version));
        row = { ...row, pending: null };
      }
      const p = await this.screened(plan(row ? (JSON.parse(row.state) as S) : null));
      const t = now();
      let rootId: string;
      let version: number;
      const pending: Pending = { root: null, replies: p.replies };
      if (!row) {
        // The same client_msg_id on every node: two first notifications make one root.
        const ack = await this.messages.send(bot, { conv_id: convId, client_msg_id: `it_${keyHash.slice(0, 40)}_root`, body: p.root, tags });
        const made = await db
          .insertInto('integration_threads')
          .values({ hook_id: hookId, key_hash: keyHash, root_message_id: ack.id, state: JSON.stringify(p.state), version: 1, created_at: t, updated_at: t, pending: JSON.stringify(pending) })
          .onConflict((oc) => oc.columns(['hook_id', 'key_hash']).doNothing())
          .returning('version')
          .executeTakeFirst();
        // Another node made the thread first (the same root): plan again on its state.
        if (!made) continue;
        rootId = ack.id;
        version = 1;
      } else {
        version = Number(row.version) + 1;
        pending.root = p.root;
        // The state and what it still has to post move together: a crash after this posts them on the next try.
        const moved = await db
          .updateTable('integration_threads')
          .set({ state: JSON.stringify(p.state), version, updated_at: t, pending: JSON.stringify(pending) })
          .where('hook_id', '=', hookId)
          .where('key_hash', '=', keyHash)
          .where('version', '=', row.version)
          .executeTakeFirst();
        if (Number(moved.numUpdatedRows) !== 1) continue;
        rootId = row.root_message_id;
      }
      await this.post(bot, convId, keyHash, rootId, version, pending);
      await this.posted(hookId, keyHash, version);
      return { rootId, replies: p.replies.length };
    }
    throw new AppError('unavailable', 'Too many notifications about the same thing at once; retry.');
  }

  /** The plan's texts as the send path would store them: masked (or refused) before `pending` keeps them. */
  private async screened<S>(p: ThreadPlan<S>): Promise<ThreadPlan<S>> {
    if (!this.secrets) return p;
    const one = async (text: string) => (await this.secrets!.screen(text))?.body ?? text;
    return { ...p, root: await one(p.root), replies: await Promise.all(p.replies.map(one)) };
  }

  /** Edits the root and posts the replies of one version; each post's id is fixed by (thing, version, index), so posting again changes nothing. */
  private async post(bot: Actor, convId: string, keyHash: string, rootId: string, version: number, pending: Pending): Promise<void> {
    if (pending.root !== null) {
      await this.messages.edit(bot, rootId, pending.root, { anyTime: true }).catch((e: unknown) => {
        // A moderator recalled the root: the thread goes on under it; only the summary stops.
        if (!(e instanceof AppError && (e.code === 'conflict' || e.code === 'not_found'))) throw e;
      });
    }
    for (const [i, body] of pending.replies.entries()) {
      await this.messages.send(bot, { conv_id: convId, client_msg_id: `it_${keyHash.slice(0, 40)}_${version}_${i}`, body, reply_to: rootId });
    }
  }

  private async posted(hookId: string, keyHash: string, version: number): Promise<void> {
    await this.deps.db.updateTable('integration_threads').set({ pending: null }).where('hook_id', '=', hookId).where('key_hash', '=', keyHash).where('version', '=', version).execute();
  }
}

/** What one state change still has to post: the root's new text (null: unchanged) and its replies. */
interface Pending {
  root: string | null;
  replies: string[];
}
