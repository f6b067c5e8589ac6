/**
 * The workspace always keeps an active owner, even when owners demote or deactivate each other at
 * the same moment (this left a workspace ownerless before the check and the writes shared one
 * transaction). Runs on SQLite and, in the PostgreSQL pass, on PostgreSQL.
 */
import { expect, test } from 'vitest';
import type { User } from '@parley/protocol';
import { api, registerUser, type TestServer, type TestUser } from '../testing/harness.js';
import { serverPerFile } from '../testing/fixture.js';

let server: TestServer;
let first: TestUser;
serverPerFile((s, owner) => ((server = s), (first = owner)));

const patch = (by: TestUser, target: TestUser, body: { role?: User['role']; deactivated?: boolean }) => api(server, 'PATCH', `/admin/users/${target.user.id}`, body, by.token);

/** Among these accounts, the ones that are owners and still active (a deactivated account's token stops working). */
async function activeOwners(among: TestUser[]): Promise<string[]> {
  const out: string[] = [];
  for (const u of among) {
    const me = await api<User>(server, 'GET', '/me', undefined, u.token);
    if (me.status === 200 && me.body.role === 'owner') out.push(u.user.id);
  }
  return out;
}

test('two owners demoting each other at once leave one owner: one change wins, the other is refused', async () => {
  for (let round = 0; round < 8; round++) {
    const [a, b] = [await registerUser(server), await registerUser(server)];
    expect((await patch(first, a, { role: 'owner' })).status).toBe(200);
    expect((await patch(first, b, { role: 'owner' })).status).toBe(200);
    // The first owner steps aside so a and b are the only owners.
    expect((await patch(a, first, { role: 'admin' })).status).toBe(200);
    const body = round % 2 === 0 ? { role: 'member' as const } : { deactivated: true };
    const [ab, ba] = await Promise.all([patch(a, b, body), patch(b, a, body)]);
    expect([ab.status, ba.status].filter((s) => s === 200)).toHaveLength(1);
    // The loser is refused: no owner left to spare (409), no longer an owner (403), or deactivated already (401).
    expect([401, 403, 409]).toContain(ab.status === 200 ? ba.status : ab.status);
    const survivor = ab.status === 200 ? a : b;
    expect(await activeOwners([first, a, b])).toEqual([survivor.user.id]);
    // Hand ownership back to the first account for the next round.
    expect((await patch(survivor, first, { role: 'owner' })).status).toBe(200);
    expect((await patch(first, survivor, { role: 'member' })).status).toBe(200);
  }
});
