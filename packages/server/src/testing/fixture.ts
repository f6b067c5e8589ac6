import { afterAll, beforeAll } from 'vitest';
import type { ConfigOverrides } from '../config/config.js';
import { SocketClient, registerUser, startServer, type TestServer, type TestUser } from './harness.js';

/**
 * One server for a whole test file, with the workspace owner already registered (so users the
 * tests register are plain members), and every socket opened through `connect` closed at the end.
 */
export function serverPerFile(onStart: (s: TestServer, owner: TestUser) => void, overrides: ConfigOverrides = {}): { connect(u: TestUser): Promise<SocketClient> } {
  let server: TestServer | null = null;
  const sockets: SocketClient[] = [];
  beforeAll(async () => {
    server = await startServer(overrides);
    onStart(server, await registerUser(server));
  });
  afterAll(async () => {
    await Promise.all(sockets.map((s) => s.close()));
    await server?.stop();
  });
  return {
    async connect(u: TestUser): Promise<SocketClient> {
      if (!server) throw new Error('the server has not started yet');
      const s = await SocketClient.connect(server, u.token);
      sockets.push(s);
      return s;
    },
  };
}
