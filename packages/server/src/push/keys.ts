import webpush from 'web-push';
import type { Deps } from '../core/context.js';

export interface VapidKeys {
  publicKey: string;
  privateKey: string;
}

/**
 * The server's VAPID key pair (RFC 8292), made once and kept in the database so every node signs
 * with the same key: browsers bind a subscription to the public key it was made with, and a new
 * key would orphan every subscription. The first node to start inserts; the others read its pair.
 */
export async function vapidKeys(deps: Pick<Deps, 'db' | 'now'>): Promise<VapidKeys> {
  const read = async () => deps.db.selectFrom('server_keys').select('value').where('name', '=', 'vapid').executeTakeFirst();
  const found = await read();
  if (found) return JSON.parse(found.value) as VapidKeys;
  const made = webpush.generateVAPIDKeys();
  await deps.db
    .insertInto('server_keys')
    .values({ name: 'vapid', value: JSON.stringify({ publicKey: made.publicKey, privateKey: made.privateKey }), created_at: deps.now() })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  return JSON.parse((await read())!.value) as VapidKeys;
}
