/**
 * Sockets that say hello at the same moment (a reconnect storm after a deploy) share one read of
 * the live settings instead of making one each, and a change still reaches the next hello.
 */
import { afterAll, expect, test } from 'vitest';
import type { WorkspaceSettings } from '@parley/protocol';
import { api, onPostgres, registerUser, SocketClient, startServer, type TestServer } from '../testing/harness.js';

let server: TestServer | undefined;
afterAll(async () => {
  await server?.stop();
});

test('forty sockets opened at once share reads of the settings on PostgreSQL (one each would be forty); the next hello after a change carries it', async () => {
  server = await startServer({ editWindowMs: 60_000 });
  const owner = await registerUser(server);
  const users = await Promise.all(Array.from({ length: 4 }, () => registerUser(server!)));
  const workspace = server.parley.services.workspace;
  const read = workspace.get.bind(workspace);
  let reads = 0;
  workspace.get = () => {
    reads++;
    return read();
  };

  const sockets = await Promise.all(Array.from({ length: 40 }, (_, i) => SocketClient.connect(server!, users[i % users.length]!.token)));
  try {
    expect(sockets.every((s) => s.hello!.limits.edit_window_ms === 60_000)).toBe(true);
    expect(reads).toBeGreaterThan(0);
    // A read on the embedded database finishes before the next hello is even parsed (it is
    // synchronous underneath), so there is nothing in flight to share; on PostgreSQL each read is a
    // round trip and the storm's hellos overlap.
    if (onPostgres()) expect(reads).toBeLessThanOrEqual(30);

    const changed = await api<WorkspaceSettings>(server, 'PATCH', '/admin/settings', { edit_window_ms: 5_000 }, owner.token);
    expect(changed.status).toBe(200);
    const next = await SocketClient.connect(server, users[0]!.token);
    sockets.push(next);
    expect(next.hello!.limits.edit_window_ms).toBe(5_000);
  } finally {
    await Promise.all(sockets.map((s) => s.close()));
  }
});
