import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { MessageCreatedEvent, User } from '@parley/protocol';
import { SocketClient, api, createConversation, registerUser, startServer, type TestServer } from '@parley/server/testing';

const here = path.dirname(fileURLToPath(import.meta.url));
let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.stop();
});

test('the echo bot from docs/sdk.md answers a message in a channel it belongs to', async () => {
  const alice = await registerUser(server);
  const bot = await api<User>(server, 'POST', '/bots', { username: `echo${process.pid}` }, alice.token);
  const tok = await api<{ token: string }>(server, 'POST', '/tokens', { name: 'echo', user_id: bot.body.id }, alice.token);
  const ch = await createConversation(server, alice.token, { kind: 'channel', name: `echo-${process.pid}`, visibility: 'private', member_ids: [bot.body.id] });

  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'echo-bot.ts')], {
    env: { ...process.env, PARLEY_SERVER: server.url, PARLEY_TOKEN: tok.body.token },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('echo bot online') && resolve());
      child.once('exit', (code) => reject(new Error(`echo bot exited with ${code}`)));
    });
    const a = await SocketClient.connect(server, alice.token);
    await a.request('message.send', { conv_id: ch.id, client_msg_id: 'e1', body: 'ping?' });
    const echo = await a.waitFor<MessageCreatedEvent>((e) => e.type === 'message.created' && e.message.sender_id === bot.body.id, 10_000);
    expect(echo.message.body).toBe('echo: ping?');
    await a.close();
  } finally {
    child.kill('SIGTERM');
  }
});
