import { afterAll, beforeAll, expect, test } from 'vitest';
import type { CreatedSlashCommand } from '@parley/protocol';
import { Parley } from '@parley/sdk';
import { api, createConversation, registerUser, startServer, type TestServer } from '@parley/server/testing';
import { freePort } from '@parley/server/testing/ports';
import { start } from './deploy-command.js';

let server: TestServer;
let bot: Awaited<ReturnType<typeof start>> | undefined;
beforeAll(async () => {
  // The example listens on 127.0.0.1, which the server only calls when allowed to.
  server = await startServer({ outgoingAllowPrivate: true });
});
afterAll(async () => {
  await bot?.close();
  await server.stop();
});

test('the /deploy example from docs/integrations.md answers at once only to the caller, then posts in the channel', async () => {
  const admin = await registerUser(server); // the first account: the workspace's owner
  const member = await registerUser(server);
  const channel = await createConversation(server, admin.token, { kind: 'channel', name: `deploys-${process.pid}`, visibility: 'public', member_ids: [member.user.id] });

  // The command is added first (its signing secret is shown only then), and the example started with it.
  const port = await freePort();
  const added = await api<CreatedSlashCommand>(server, 'POST', '/commands', { command: 'deploy', url: `http://127.0.0.1:${port}/`, usage_hint: '[service]' }, admin.token);
  expect(added.status, JSON.stringify(added.body)).toBe(201);
  bot = await start({ port, secret: added.body.secret, delayMs: 300 });

  const client = new Parley({ url: server.url, token: member.token });
  try {
    const result = await client.runCommand(channel.id, 'deploy', 'api');
    expect(result.posted).toBeNull();
    expect(result.ephemeral).toMatchObject({ conv_id: channel.id, sender_id: added.body.bot_user_id, body: 'Deploying api…' });
    // Ephemeral: not in the channel's history (the later answer may be there already: the example
    // posts it 300 ms on, and a loaded machine can take that long to answer the command).
    expect((await client.history(channel.id)).messages.map((m) => m.body)).not.toContain('Deploying api…');

    const deployed = `Deployed api ✅ (asked by @${member.user.username})`;
    const deadline = Date.now() + 5_000;
    let bodies: string[] = [];
    while (Date.now() < deadline) {
      bodies = (await client.history(channel.id)).messages.map((m) => m.body);
      if (bodies.length > 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(bodies).toEqual([deployed]);

    expect((await client.runCommand(channel.id, 'deploy', '  ')).ephemeral?.body).toBe('Usage: /deploy SERVICE');
  } finally {
    await client.close();
  }
});
