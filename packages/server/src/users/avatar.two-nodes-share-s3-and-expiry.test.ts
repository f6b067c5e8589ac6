/**
 * Profiles on two nodes (real PostgreSQL and NATS) sharing one S3 bucket (s3rver): an avatar
 * uploaded through node A is served by node B from the bucket, the change reaches a socket on
 * node B, and a status that expires is cleared and announced once although both nodes sweep.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import sharp from 'sharp';
import type { ServerEvent, User, UserUpdatedEvent } from '@parley/protocol';
import { SocketClient, api, createConversation, registerUser, sleep, type TestServer } from '../testing/harness.js';
import { CLUSTER_NEEDS, Cluster, clusterSkipped } from '../testing/cluster.js';
import { startS3, type TestS3 } from '../testing/s3.js';

const s3: TestS3 | null = clusterSkipped ? null : await startS3().catch(() => null);

describe.skipIf(clusterSkipped || !s3)(`profiles on two nodes sharing an S3 bucket ${CLUSTER_NEEDS}, s3rver`, () => {
  const cluster = new Cluster('prof');
  let a: TestServer;
  let b: TestServer;
  beforeAll(async () => {
    a = await cluster.node('a', { ...s3!.settings });
    b = await cluster.node('b', { ...s3!.settings });
  });
  afterAll(async () => {
    await cluster.stop();
    await s3?.close();
  });

  test('an avatar uploaded on node A is served by node B, and a socket on node B hears of it', async () => {
    const ada = await registerUser(a);
    const bob = await registerUser(b);
    await createConversation(b, bob.token, { kind: 'dm', user_id: ada.user.id });
    const onB = await SocketClient.connect(b, bob.token);
    const png = await sharp({ create: { width: 120, height: 90, channels: 3, background: '#52a' } })
      .png()
      .toBuffer();
    const res = await fetch(`${a.url}/api/v1/me/avatar`, { method: 'PUT', headers: { 'content-type': 'image/png', authorization: `Bearer ${ada.token}` }, body: png });
    expect(res.status).toBe(200);
    const user = (await res.json()) as User;
    const ev = await onB.waitFor<UserUpdatedEvent>((e) => e.type === 'user.updated' && e.user.avatar_url === user.avatar_url, 10_000);
    expect(ev.user.id).toBe(ada.user.id);
    const served = await fetch(`${b.url}${user.avatar_url}`, { headers: { authorization: `Bearer ${bob.token}` } });
    expect(served.status).toBe(200);
    expect(await sharp(Buffer.from(await served.arrayBuffer())).metadata()).toMatchObject({ format: 'webp', width: 256, height: 256 });
    await onB.close();
  });

  test('a status that expires is cleared once: one user.updated although both nodes sweep', async () => {
    const ada = await registerUser(a);
    const bob = await registerUser(b);
    await createConversation(b, bob.token, { kind: 'dm', user_id: ada.user.id });
    const onB = await SocketClient.connect(b, bob.token);
    const soon = new Date(Date.now() + 1500).toISOString();
    await api(a, 'PATCH', '/me', { status_text: 'brb', status_expires_at: soon }, ada.token);
    const isClear = (e: ServerEvent) => e.type === 'user.updated' && e.user.id === ada.user.id && e.user.status_text === null;
    await onB.waitFor(isClear, 15_000);
    // Both nodes poll every few seconds: wait past another poll for a second announcement.
    await sleep(7_000);
    expect(onB.events.filter(isClear)).toHaveLength(1);
    await onB.close();
  }, 40_000);
});
