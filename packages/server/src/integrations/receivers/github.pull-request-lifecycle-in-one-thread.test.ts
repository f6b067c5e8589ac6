/**
 * GitHub's deliveries, signed as GitHub signs them, against a real server: a pull request's
 * life (opened → reviewed → CI failed → fixed → merged) is one thread whose root always shows
 * where it stands; a redelivery changes nothing; a bad or missing signature is 401 and posts
 * nothing; a push is one message.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { describe, expect, test } from 'vitest';
import type { CreatedIncomingWebhook, HistoryPage, Message, ThreadPage } from '@parley/protocol';
import { api, createConversation, registerUser, type TestServer, type TestUser } from '../../testing/harness.js';
import { serverPerFile } from '../../testing/fixture.js';

let server!: TestServer;
let admin!: TestUser;
serverPerFile((s, owner) => ((server = s), (admin = owner)));

const fixture = (name: string) => fs.readFileSync(new URL(`./fixtures/github-${name}.json`, import.meta.url), 'utf8');

/** POSTs a body the way GitHub does: the event and delivery in headers, the raw bytes signed with the hook's secret. */
function deliver(hook: CreatedIncomingWebhook, event: string, body: string, opts: { delivery?: string; secret?: string | null } = {}) {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-github-event': event,
    'x-github-delivery': opts.delivery ?? crypto.randomUUID(),
    'user-agent': 'GitHub-Hookshot/test',
  };
  const secret = opts.secret === undefined ? hook.signing_secret! : opts.secret;
  if (secret !== null) headers['x-hub-signature-256'] = `sha256=${crypto.createHmac('sha256', secret).update(body).digest('hex')}`;
  return fetch(hook.url, { method: 'POST', headers, body }).then(async (r) => [r.status, await r.text()] as const);
}

async function setUp(): Promise<{ convId: string; hook: CreatedIncomingWebhook }> {
  const convId = (await createConversation(server, admin.token, { kind: 'channel', name: `gh-${crypto.randomUUID().slice(0, 6)}`, visibility: 'public' })).id;
  const res = await api<CreatedIncomingWebhook>(server, 'POST', `/conversations/${convId}/webhooks`, { name: 'GitHub', kind: 'github' }, admin.token);
  expect(res.status).toBe(201);
  expect(res.body.signing_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
  return { convId, hook: res.body };
}
const roots = async (convId: string): Promise<Message[]> =>
  (await api<HistoryPage>(server, 'GET', `/conversations/${convId}/messages?limit=100`, undefined, admin.token)).body.messages.filter((m) => m.thread_root_id === null);
const replies = async (rootId: string) => (await api<ThreadPage>(server, 'GET', `/messages/${rootId}/thread`, undefined, admin.token)).body.replies.map((r) => r.body.split('\n')[0]);

describe('a GitHub hook', () => {
  test('a pull request’s life is one thread; the root follows it from open to merged; GitHub’s logins ping nobody here', async () => {
    const { convId, hook } = await setUp();
    // A Parley user who happens to share the author's GitHub login is not mentioned by the thread.
    const namesake = await registerUser(server, 'ada');
    await api(server, 'POST', `/conversations/${convId}/members`, { user_id: namesake.user.id }, admin.token);
    const opened = 'delivery-opened';
    expect(await deliver(hook, 'pull_request', fixture('pull_request.opened'), { delivery: opened })).toEqual([200, 'ok']);
    let [root] = await roots(convId);
    expect(root!.body).toBe('**PR [acme/api#42](https://github.com/acme/api/pull/42): Retry webhook deliveries with backoff** by ada\n🟢 open · +120 −30 in 5 files');

    expect((await deliver(hook, 'pull_request_review', fixture('pull_request_review.submitted')))[0]).toBe(200);
    const failed = fixture('workflow_run.completed');
    expect((await deliver(hook, 'workflow_run', failed))[0]).toBe(200);
    [root] = await roots(convId);
    expect(root!.body.split('\n')[1]).toBe('🟢 open · +120 −30 in 5 files · reviews: ✅ 1 · CI ❌ [Build](https://github.com/acme/api/actions/runs/30433642)');

    const fixed = failed.replace('"conclusion": "failure"', '"conclusion": "success"');
    expect((await deliver(hook, 'workflow_run', fixed))[0]).toBe(200);
    expect((await deliver(hook, 'pull_request', fixture('pull_request.closed')))[0]).toBe(200);
    // GitHub redelivers the opening (a retry): nothing changes.
    expect((await deliver(hook, 'pull_request', fixture('pull_request.opened'), { delivery: opened }))[0]).toBe(200);

    const all = await roots(convId);
    expect(all).toHaveLength(1);
    expect(all[0]!.body.split('\n')[1]).toBe('🟣 merged ✅ · +120 −30 in 5 files · reviews: ✅ 1 · CI ✅');
    expect(all[0]!.tags).toEqual(['github']);
    const history = (await api<HistoryPage>(server, 'GET', `/conversations/${convId}/messages?limit=100`, undefined, admin.token)).body.messages;
    expect(history.flatMap((m) => m.mentions)).toEqual([]);
    expect(await replies(all[0]!.id)).toEqual([
      '🟢 ada opened it:',
      '✅ grace [approved](https://github.com/acme/api/pull/42#pullrequestreview-80):',
      '❌ [Build](https://github.com/acme/api/actions/runs/30433642) failure on `retry-backoff`',
      '✅ [Build](https://github.com/acme/api/actions/runs/30433642) success (fixed) on `retry-backoff`',
      '🟣 grace merged it ✅',
    ]);
  });

  test('a push is one message listing its commits; a ping posts nothing', async () => {
    const { convId, hook } = await setUp();
    expect(await deliver(hook, 'ping', '{"zen":"Keep it logically awesome.","hook_id":1}')).toEqual([200, 'ok']);
    expect(await roots(convId)).toEqual([]);
    expect((await deliver(hook, 'push', fixture('push')))[0]).toBe(200);
    const [push] = await roots(convId);
    expect(push!.body).toBe(
      '📦 grace pushed 1 commit to `main` in [acme/api](https://github.com/acme/api) ([compare](https://github.com/acme/api/compare/9049f1265b7d...0d1a26e67d8f))\n' +
        '- [`0d1a26e`](https://github.com/acme/api/commit/0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c) Retry webhook deliveries with backoff (#42) — ada',
    );
  });

  test('a wrong, missing or other hook’s signature is 401 and posts nothing; so is a body changed after signing', async () => {
    const { convId, hook } = await setUp();
    const other = (await setUp()).hook;
    const body = fixture('pull_request.opened');
    expect(await deliver(hook, 'pull_request', body, { secret: null })).toEqual([401, 'invalid_signature']);
    expect(await deliver(hook, 'pull_request', body, { secret: 'not the secret' })).toEqual([401, 'invalid_signature']);
    expect(await deliver(hook, 'pull_request', body, { secret: other.signing_secret! })).toEqual([401, 'invalid_signature']);
    const signed = `sha256=${crypto.createHmac('sha256', hook.signing_secret!).update(body).digest('hex')}`;
    const tampered = await fetch(hook.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-github-event': 'pull_request', 'x-github-delivery': 'd1', 'x-hub-signature-256': signed },
      body: body.replace('Retry webhook', 'Drop all'),
    });
    expect(tampered.status).toBe(401);
    expect(await roots(convId)).toEqual([]);
    // A rotation gives a new secret; the old one stops.
    const rotated = (await api<CreatedIncomingWebhook>(server, 'POST', `/webhooks/${hook.id}/rotate`, undefined, admin.token)).body;
    expect(rotated.signing_secret).not.toBe(hook.signing_secret);
    expect((await deliver(rotated, 'pull_request', body, { secret: hook.signing_secret! }))[0]).toBe(401);
    expect((await deliver(rotated, 'pull_request', body))[0]).toBe(200);
  });
});
