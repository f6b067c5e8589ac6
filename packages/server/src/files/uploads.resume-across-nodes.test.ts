/**
 * Two nodes (real PostgreSQL and NATS) sharing one real S3 bucket (s3rver): an upload begun on
 * node A resumes on node B, and node B takes the upload's lock from a request stalled on A.
 */
import crypto, { randomUUID } from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { api, createConversation, registerUser, type TestServer, type TestUser } from '../testing/harness.js';
import { CLUSTER_NEEDS, Cluster, clusterSkipped } from '../testing/cluster.js';
import { startS3, type TestS3 } from '../testing/s3.js';

const s3: TestS3 | null = clusterSkipped ? null : await startS3().catch(() => null);
const sha = (b: Uint8Array) => crypto.createHash('sha256').update(b).digest('hex');
const tusHeaders = (user: TestUser, extra: Record<string, string> = {}) => ({ authorization: `Bearer ${user.token}`, 'tus-resumable': '1.0.0', ...extra });

describe.skipIf(clusterSkipped || !s3)(`an upload moves between two nodes sharing an S3 bucket ${CLUSTER_NEEDS}, s3rver`, () => {
  const cluster = new Cluster('upl');
  let a: TestServer;
  let b: TestServer;
  beforeAll(async () => {
    // Node A would keep a stalled body for minutes: only the lock's release request can end it early.
    a = await cluster.node('a', { ...s3!.settings, limits: { bodyTimeoutMs: 600_000, requestTimeoutMs: 600_000 } });
    b = await cluster.node('b', { ...s3!.settings });
  });
  afterAll(async () => {
    await cluster.stop();
    await s3?.close();
  });

  async function create(node: TestServer, user: TestUser, length: number): Promise<string> {
    const res = await fetch(`${node.url}/api/v1/uploads`, { method: 'POST', headers: tusHeaders(user, { 'upload-length': String(length) }) });
    expect(res.status).toBe(201);
    return res.headers.get('location')!.split('/').pop()!;
  }

  /** A PATCH on `node` that sends `bytes` of a longer body and then waits; `drop()` cuts its TCP connection. */
  function stalledPatch(node: TestServer, user: TestUser, id: string, bytes: Buffer, declared: number) {
    const req = http.request(`${node.url}/api/v1/uploads/${id}`, {
      method: 'PATCH',
      headers: tusHeaders(user, { 'upload-offset': '0', 'content-type': 'application/offset+octet-stream', 'content-length': String(declared) }),
    });
    const sent = new Promise<void>((resolve) => req.write(bytes, () => resolve()));
    const settled = new Promise<number | 'dropped'>((resolve) => {
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', () => resolve('dropped'));
      req.on('close', () => resolve('dropped'));
    });
    return { sent, settled, drop: () => req.destroy() };
  }

  const head = (node: TestServer, user: TestUser, id: string) => fetch(`${node.url}/api/v1/uploads/${id}`, { method: 'HEAD', headers: tusHeaders(user) });

  async function finishOn(node: TestServer, user: TestUser, id: string, bytes: Buffer, offset: number): Promise<void> {
    const rest = await fetch(`${node.url}/api/v1/uploads/${id}`, {
      method: 'PATCH',
      headers: tusHeaders(user, { 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream' }),
      body: bytes.subarray(offset),
    });
    expect(rest.status).toBe(204);
  }

  async function downloaded(node: TestServer, user: TestUser, id: string): Promise<string> {
    const res = await fetch(`${node.url}/api/v1/files/${id}`, { headers: { authorization: `Bearer ${user.token}` } });
    expect(res.status).toBe(200);
    return sha(Buffer.from(await res.arrayBuffer()));
  }

  test('cut half-way on node A, the upload resumes on node B and both nodes serve the same bytes', async () => {
    const alice = await registerUser(a);
    const bob = await registerUser(b);
    const bytes = crypto.randomBytes(600 * 1024 + 5);
    const id = await create(a, alice, bytes.length);

    const patch = stalledPatch(a, alice, id, bytes.subarray(0, bytes.length / 2), bytes.length);
    await patch.sent;
    await new Promise((r) => setTimeout(r, 200));
    patch.drop();
    expect(await patch.settled).toBe('dropped');

    // Node B reads the offset from the bucket, once node A has let go of the upload.
    let offset = 0;
    for (let i = 0; i < 100 && offset === 0; i++) {
      const h = await head(b, alice, id);
      expect(h.status).toBe(200);
      offset = Number(h.headers.get('upload-offset'));
      if (offset === 0) await new Promise((r) => setTimeout(r, 50));
    }
    expect(offset).toBeGreaterThan(0);
    expect(offset).toBeLessThanOrEqual(bytes.length / 2);

    await finishOn(b, alice, id, bytes, offset);
    const dm = await createConversation(b, alice.token, { kind: 'dm', user_id: bob.user.id });
    expect((await api(b, 'POST', `/conversations/${dm.id}/messages`, { client_msg_id: randomUUID(), body: 'moved', attachments: [id] }, alice.token)).status).toBe(201);
    expect(await downloaded(a, bob, id)).toBe(sha(bytes));
    expect(await downloaded(b, alice, id)).toBe(sha(bytes));
    // Either node answers HEAD for the finished upload.
    expect((await head(a, alice, id)).headers.get('upload-offset')).toBe(String(bytes.length));
  });

  test('a request stalled on node A holds the lock until node B asks for it; then B gets the offset and finishes', async () => {
    const alice = await registerUser(a);
    const bytes = crypto.randomBytes(300 * 1024);
    const id = await create(a, alice, bytes.length);
    const sentBytes = 100 * 1024;
    const stalled = stalledPatch(a, alice, id, bytes.subarray(0, sentBytes), bytes.length);
    try {
      await stalled.sent;
      await new Promise((r) => setTimeout(r, 200));

      // B's HEAD needs the upload's lock, which A's stalled PATCH holds: B asks A (over NATS) to
      // release it; A ends the stalled request, keeping the bytes it got, and unlocks.
      const h = await head(b, alice, id);
      expect(h.status).toBe(200);
      expect(Number(h.headers.get('upload-offset'))).toBe(sentBytes);
      // A answered its stalled request (tus ends a released PATCH with the offset it reached).
      expect(await stalled.settled).toBe(204);

      await finishOn(b, alice, id, bytes, sentBytes);
      expect(await downloaded(a, alice, id)).toBe(sha(bytes));
    } finally {
      stalled.drop();
    }
  });
});
