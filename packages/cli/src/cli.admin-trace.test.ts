/**
 * `parley admin trace`, end to end against a real server in its own process: a timeline for
 * people, `--json` for scripts, and the refusals.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { MessageTrace } from '@parley/protocol';
import { createConversation, SocketClient } from '@parley/server/testing';
import { configFor, newUser, owner, parley, server, until, useCliServer } from './testing/e2e-harness.js';

useCliServer();

describe('parley admin trace', { timeout: 120_000 }, () => {
  it('prints the stages and each recipient device, delivered or pending with the reason; --json has it all', async () => {
    const alice = await newUser('tracer');
    const bob = await newUser('traced');
    const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
    const sockets = { wsUrl: `${server.url.replace(/^http/, 'ws')}/ws` };
    const a = await SocketClient.connect(sockets, alice.token);
    const b = await SocketClient.connect(sockets, bob.token);
    try {
      const sent = await a.request('message.send', { conv_id: dm.id, client_msg_id: randomUUID(), body: 'do not print me' });
      await b.waitFor((e) => e.type === 'message.created' && e.message.id === sent.id);
      await b.request('delivery.ack', { conv_id: dm.id, seq: sent.seq });
      const ownerDir = configFor(owner);

      // The ack reaches the trace within about a second.
      const trace = await until(
        'the trace shows the delivery',
        async () => {
          const r = await parley(['admin', 'trace', sent.id, '--json'], { configDir: ownerDir });
          expect(r.code).toBe(0);
          const t = JSON.parse(r.stdout) as MessageTrace;
          return t.published_at !== null && t.recipients[0]?.devices[0]?.status === 'delivered' ? t : undefined;
        },
        15_000,
      );
      expect(trace).toMatchObject({ message_id: sent.id, conv_id: dm.id, seq: sent.seq, sender_id: alice.user.id });

      const text = await parley(['admin', 'trace', sent.id], { configDir: ownerDir });
      expect(text.code).toBe(0);
      expect(text.stderr).toBe('');
      const lines = text.stdout.trimEnd().split('\n');
      expect(lines[0]).toContain(`Message ${sent.id}, seq ${sent.seq} in conversation ${dm.id}`);
      const stamp = '\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3}';
      expect(lines[1]).toMatch(new RegExp(`^  ${stamp}  accepted\\s+by node ${trace.node}$`));
      expect(lines[2]).toMatch(new RegExp(`^  ${stamp}  written\\s+in batch ${trace.batch_id} of \\d+ \\(\\+\\d+ ms\\)$`));
      expect(lines[3]).toMatch(new RegExp(`^  ${stamp}  committed\\s+\\+\\d+ ms$`));
      expect(lines[4]).toMatch(new RegExp(`^  ${stamp}  published\\s+by node ${trace.node} \\(\\+\\d+ ms\\)$`));
      expect(lines[5]).toBe('Recipients (1):');
      expect(lines[6]).toBe(`  ${bob.user.username} (${bob.user.id}): not read`);
      expect(lines[7]).toMatch(new RegExp(`^    .+ \\(session ${bob.sessionId}\\): delivered ${stamp} \\(\\+\\d+ ms\\) via ${trace.node}$`));
      expect(text.stdout).not.toContain('do not print me');

      // Bob's laptop goes away; a second message waits for it.
      await b.close();
      const second = await a.request('message.send', { conv_id: dm.id, client_msg_id: randomUUID(), body: 'later' });
      const pending = await until(
        'the trace shows the device offline',
        async () => {
          const r = await parley(['admin', 'trace', second.id], { configDir: ownerDir });
          return /pending: device offline since /.test(r.stdout) ? r.stdout : undefined;
        },
        15_000,
      );
      expect(pending).toContain(`(session ${bob.sessionId}): pending: device offline since `);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('a member is refused; an unknown message is not found (exit 4)', async () => {
    const member = await newUser('nosy');
    const refused = await parley(['admin', 'trace', '01ARZ3NDEKTSV4RRFFQ69G5FAV'], { configDir: member.dir });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain('forbidden');
    const unknown = await parley(['admin', 'trace', '01ARZ3NDEKTSV4RRFFQ69G5FAV'], { configDir: configFor(owner) });
    expect(unknown.code).toBe(4);
    expect(unknown.stderr).toContain('not_found');
  });
});
