/**
 * The generic CI notification (Jenkins, Buildkite, anything that can curl) against a real
 * server: each branch is one thread whose root shows every job's last result; a failure is
 * replied, a job's first success and a success that fixes it too, a repeated success never;
 * bad bodies are typed 400s naming the field.
 */
import { describe, expect, test } from 'vitest';
import type { TestServer, TestUser } from '../../testing/harness.js';
import { serverPerFile } from '../../testing/fixture.js';
import { hookIn, postAs, replyLines, rootsIn } from '../../testing/receivers.js';

let server!: TestServer;
let admin!: TestUser;
serverPerFile((s, owner) => ((server = s), (admin = owner)));

const build = (status: string, name: string, ref = 'main', n = 1) =>
  JSON.stringify({ status, name, url: `https://ci.example.com/job/${name}/${n}/`, ref: `refs/heads/${ref}`, commit: 'd6cd1e2bd19e03a81132a23b2025920577f84e37', repo: 'acme/api' });

describe('a CI hook', () => {
  test('a branch’s builds are one thread: running says nothing, failed is replied, passing again says fixed, passing twice says nothing', async () => {
    const { convId, hook } = await hookIn(server, admin, 'ci');
    for (const [status, name, n] of [
      ['started', 'build', 1],
      ['FAILURE', 'build', 1],
      ['success', 'lint', 1],
      ['success', 'build', 2],
      ['success', 'build', 3],
    ] as const) {
      expect(await postAs(hook.url, build(status, name, 'main', n))).toEqual([200, 'ok']);
    }
    expect(await postAs(hook.url, build('unstable', 'build', 'release/2.3'))).toEqual([200, 'ok']);
    const [main, release] = await rootsIn(server, admin, convId);
    expect(main!.body).toBe('✅ **CI on `main`** in acme/api · CI ✅');
    expect(main!.tags).toEqual(['ci']);
    expect(await replyLines(server, admin, main!.id)).toEqual([
      '❌ [build](https://ci.example.com/job/build/1/) failure on `main` at `d6cd1e2b`',
      '✅ [lint](https://ci.example.com/job/lint/1/) success on `main` at `d6cd1e2b`',
      '✅ [build](https://ci.example.com/job/build/2/) success (fixed) on `main` at `d6cd1e2b`',
    ]);
    expect(release!.body).toBe('❌ **CI on `release/2.3`** in acme/api · CI ❌ [build](https://ci.example.com/job/build/1/)');
  });

  test('a body without a status or name, or with a status it cannot read, is a 400 naming the field and posts nothing', async () => {
    const { convId, hook } = await hookIn(server, admin, 'ci');
    const json = async (body: unknown) => {
      const r = await fetch(hook.url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body) });
      return [r.status, ((await r.json()) as { error?: { field?: string } }).error?.field];
    };
    expect(await json({ name: 'build' })).toEqual([400, '/status']);
    expect(await json({ status: 'passed' })).toEqual([400, '/name']);
    expect(await json({ status: 'green-ish', name: 'build' })).toEqual([400, '/status']);
    expect(await json({ status: 'passed', name: { x: 1 } })).toEqual([400, '/name']);
    expect(await json(['passed'])).toEqual([400, '/']);
    expect(await rootsIn(server, admin, convId)).toEqual([]);
  });
});
