/**
 * GitLab's deliveries, with the token GitLab sends, against a real server: a merge request's
 * life (opened → pipeline failed → commented → approved → pipeline fixed → merged) is one thread
 * whose root shows where it stands; a retried delivery changes nothing; a wrong or missing token
 * is 401 and posts nothing; a push is one message.
 */
import fs from 'node:fs';
import { describe, expect, test } from 'vitest';
import { serverPerFile } from '../../testing/fixture.js';
import type { TestServer, TestUser } from '../../testing/harness.js';
import { hookIn, postAs, replyLines, rootsIn } from '../../testing/receivers.js';

let server!: TestServer;
let admin!: TestUser;
serverPerFile((s, owner) => ((server = s), (admin = owner)));

const fixture = (name: string) => fs.readFileSync(new URL(`./fixtures/gitlab-${name}.json`, import.meta.url), 'utf8');
type Payload = { object_attributes: Record<string, unknown>; user: Record<string, unknown> } & Record<string, unknown>;
const edit = (name: string, change: (p: Payload) => void): string => {
  const p = JSON.parse(fixture(name)) as Payload;
  change(p);
  return JSON.stringify(p);
};
const send = (url: string, token: string | null, body: string, event: string, key = crypto.randomUUID()) =>
  postAs(url, body, { 'x-gitlab-event': event, 'idempotency-key': key, ...(token === null ? {} : { 'x-gitlab-token': token }) });

describe('a GitLab hook', () => {
  test('a merge request’s life is one thread; the root follows it from open to merged; a retried delivery changes nothing', async () => {
    const { convId, hook } = await hookIn(server, admin, 'gitlab');
    expect(hook.signing_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const token = hook.signing_secret!;
    const opened = crypto.randomUUID();
    expect(await send(hook.url, token, fixture('merge_request.open'), 'Merge Request Hook', opened)).toEqual([200, 'ok']);
    let [root] = await rootsIn(server, admin, convId);
    expect(root!.body).toBe('**MR [acme/api!7](https://gitlab.example.com/acme/api/-/merge_requests/7): Retry webhook deliveries with backoff** by ada\n🟢 open');
    expect(root!.tags).toEqual(['gitlab']);

    expect((await send(hook.url, token, fixture('pipeline.failed'), 'Pipeline Hook'))[0]).toBe(200);
    expect((await send(hook.url, token, fixture('note.merge_request'), 'Note Hook'))[0]).toBe(200);
    const approved = edit('merge_request.open', (p) => {
      p.object_attributes.action = 'approved';
      p.user = { name: 'Grace Hopper', username: 'grace' };
    });
    expect((await send(hook.url, token, approved, 'Merge Request Hook'))[0]).toBe(200);
    [root] = await rootsIn(server, admin, convId);
    expect(root!.body.split('\n')[1]).toBe(
      '🟢 open · reviews: ✅ 1 · CI ❌ [pipeline](https://gitlab.example.com/acme/api/-/pipelines/31): [test:unit](https://gitlab.example.com/acme/api/-/jobs/380) · 1 comment',
    );

    const fixed = edit('pipeline.failed', (p) => {
      p.object_attributes.id = 32;
      p.object_attributes.url = 'https://gitlab.example.com/acme/api/-/pipelines/32';
      p.object_attributes.status = 'success';
      p.builds = [];
    });
    expect((await send(hook.url, token, fixed, 'Pipeline Hook'))[0]).toBe(200);
    const merged = edit('merge_request.open', (p) => {
      p.object_attributes.action = 'merge';
      p.object_attributes.state = 'merged';
    });
    expect((await send(hook.url, token, merged, 'Merge Request Hook'))[0]).toBe(200);
    // GitLab retries the opening with the same Idempotency-Key: nothing changes.
    expect((await send(hook.url, token, fixture('merge_request.open'), 'Merge Request Hook', opened))[0]).toBe(200);

    const all = await rootsIn(server, admin, convId);
    expect(all).toHaveLength(1);
    expect(all[0]!.body.split('\n')[1]).toBe('🟣 merged ✅ · reviews: ✅ 1 · CI ✅ · 1 comment');
    expect(await replyLines(server, admin, all[0]!.id)).toEqual([
      '🟢 ada opened it (`retry-backoff` → `main`):',
      '❌ [pipeline](https://gitlab.example.com/acme/api/-/pipelines/31) failure on `retry-backoff` ([#31](https://gitlab.example.com/acme/api/-/pipelines/31)): [test:unit](https://gitlab.example.com/acme/api/-/jobs/380)',
      '💬 grace [commented](https://gitlab.example.com/acme/api/-/merge_requests/7#note_1244):',
      '✅ grace approved it',
      '✅ [pipeline](https://gitlab.example.com/acme/api/-/pipelines/32) success (fixed) on `retry-backoff` ([#32](https://gitlab.example.com/acme/api/-/pipelines/32))',
      '🟣 ada merged it ✅',
    ]);
  });

  test('a branch’s pipelines outside a merge request share a thread per ref; a push is one message', async () => {
    const { convId, hook } = await hookIn(server, admin, 'gitlab');
    const token = hook.signing_secret!;
    const onMain = (id: number, status: string) =>
      edit('pipeline.failed', (p) => {
        p.object_attributes = { ...p.object_attributes, id, ref: 'main', status, url: `https://gitlab.example.com/acme/api/-/pipelines/${id}` };
        p.merge_request = null;
      });
    expect((await send(hook.url, token, onMain(40, 'running'), 'Pipeline Hook'))[0]).toBe(200);
    expect((await send(hook.url, token, onMain(40, 'failed'), 'Pipeline Hook'))[0]).toBe(200);
    expect((await send(hook.url, token, fixture('push'), 'Push Hook'))[0]).toBe(200);
    const [ci, push] = await rootsIn(server, admin, convId);
    expect(ci!.body).toBe(
      '❌ **CI on `main`** in [acme/api](https://gitlab.example.com/acme/api) · CI ❌ [pipeline](https://gitlab.example.com/acme/api/-/pipelines/40): [test:unit](https://gitlab.example.com/acme/api/-/jobs/380)',
    );
    expect(ci!.tags).toEqual(['ci', 'gitlab']);
    // Running said nothing; the failure is the one reply.
    expect(await replyLines(server, admin, ci!.id)).toHaveLength(1);
    expect(push!.body).toBe(
      '📦 ada pushed 2 commits to `main` in [acme/api](https://gitlab.example.com/acme/api)\n' +
        '- [`b6568db1`](https://gitlab.example.com/acme/api/-/commit/b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327) Count retries in the delivery log — Ada Lovelace\n' +
        '- [`da156088`](https://gitlab.example.com/acme/api/-/commit/da1560886d4f094c3e6c9ef40349f7d38b5d27d7) Retry with backoff — Grace Hopper',
    );
  });

  test('a wrong, missing or other hook’s token is 401 and posts nothing', async () => {
    const { convId, hook } = await hookIn(server, admin, 'gitlab');
    const other = (await hookIn(server, admin, 'gitlab')).hook;
    const body = fixture('merge_request.open');
    expect(await send(hook.url, null, body, 'Merge Request Hook')).toEqual([401, 'invalid_signature']);
    expect(await send(hook.url, 'guess', body, 'Merge Request Hook')).toEqual([401, 'invalid_signature']);
    expect(await send(hook.url, other.signing_secret!, body, 'Merge Request Hook')).toEqual([401, 'invalid_signature']);
    expect(await rootsIn(server, admin, convId)).toEqual([]);
  });
});
