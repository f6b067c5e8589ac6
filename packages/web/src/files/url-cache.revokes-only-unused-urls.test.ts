import { describe, expect, test } from 'vitest';
import { UrlCache } from './url-cache';

function cache(maxIdle = 2) {
  const loads: string[] = [];
  const revoked: string[] = [];
  let fail = false;
  const c = new UrlCache({
    load: async (key) => {
      loads.push(key);
      if (fail) throw new Error('offline');
      return new Blob([key]);
    },
    createUrl: (blob) => `blob:${blob.size}:${loads.length}`,
    revokeUrl: (url) => revoked.push(url),
    maxIdle,
  });
  return { c, loads, revoked, setFail: (v: boolean) => (fail = v) };
}

describe('object URL cache', () => {
  test('one download per file however many viewers, and the URL stays while anyone holds it', async () => {
    const { c, loads, revoked } = cache(0);
    const a = c.acquire('f1');
    const b = c.acquire('f1');
    expect(await a.url).toBe(await b.url);
    expect(loads).toEqual(['f1']);
    a.release();
    a.release();
    expect(revoked).toEqual([]);
    b.release();
    expect(revoked).toEqual([await a.url]);
  });

  test('idle URLs are kept up to the limit, the oldest revoked first, and a re-acquired one is not revoked', async () => {
    const { c, revoked } = cache(2);
    const urls: Record<string, string> = {};
    for (const k of ['a', 'b', 'c']) {
      const h = c.acquire(k);
      urls[k] = await h.url;
      h.release();
    }
    expect(revoked).toEqual([urls.a]);
    const again = c.acquire('b');
    expect(await again.url).toBe(urls.b);
    const d = c.acquire('d');
    await d.url;
    d.release();
    const e = c.acquire('e');
    await e.url;
    e.release();
    expect(revoked).toContain(urls.c);
    expect(revoked).not.toContain(urls.b);
    expect(c.size).toBe(3);
  });

  test('a failed download is retried by the next viewer', async () => {
    const { c, loads, setFail } = cache();
    setFail(true);
    await expect(c.acquire('x').url).rejects.toThrow('offline');
    setFail(false);
    await expect(c.acquire('x').url).resolves.toMatch(/^blob:/);
    expect(loads).toEqual(['x', 'x']);
  });

  test('a forgotten file (its message burned) is revoked at once, or when its last viewer lets go, and never kept idle', async () => {
    const { c, loads, revoked } = cache(10);
    const idle = c.acquire('idle');
    const idleUrl = await idle.url;
    idle.release();
    c.forget('idle');
    expect(revoked).toEqual([idleUrl]);
    const shown = c.acquire('shown');
    const shownUrl = await shown.url;
    c.forget('shown');
    expect(revoked).not.toContain(shownUrl);
    shown.release();
    expect(revoked).toContain(shownUrl);
    expect(c.size).toBe(0);
    // A later viewer downloads it again (and the server decides whether it still may).
    await c.acquire('shown').url;
    expect(loads.filter((k) => k === 'shown')).toHaveLength(2);
  });
});
