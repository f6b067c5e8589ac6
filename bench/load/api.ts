/**
 * Setting up load through the public REST API: one registered owner (the only argon2 hash the
 * bench pays for), bots with `pat_…` tokens for every simulated user, and their conversations.
 */
import { pool, randomTag, sleep } from './util.js';

export interface BenchUser {
  userId: string;
  token: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    what: string,
  ) {
    super(`${what} failed: HTTP ${status} ${JSON.stringify(body).slice(0, 300)}`);
  }
}

export class Api {
  /** Requests that were answered 429 and retried (set-up against a server with its default limits). */
  retried429 = 0;

  constructor(readonly baseUrl: string) {}

  /** JSON in, JSON out; a 429 waits for `retry_after_ms` and retries, at most 50 times. */
  async call<T>(method: string, route: string, body: unknown, token: string | null, what: string): Promise<{ status: number; body: T }> {
    for (let attempt = 0; attempt < 50; attempt++) {
      const headers: Record<string, string> = {};
      if (body !== undefined) headers['content-type'] = 'application/json';
      if (token) headers.authorization = `Bearer ${token}`;
      const res = await fetch(`${this.baseUrl}/api/v1${route}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(60_000) });
      const text = await res.text();
      const parsed = (text ? JSON.parse(text) : undefined) as T;
      if (res.status === 429) {
        this.retried429++;
        const wait = Number((parsed as { error?: { retry_after_ms?: number } } | undefined)?.error?.retry_after_ms ?? 1000);
        await sleep(Math.min(Math.max(wait, 10), 10_000));
        continue;
      }
      if (res.status >= 400) throw new ApiError(res.status, parsed, what);
      return { status: res.status, body: parsed };
    }
    throw new Error(`${what}: still rate limited after 50 retries`);
  }

  /** Registers the bench's owner account and gives it a long-lived API token. */
  async owner(): Promise<BenchUser & { username: string }> {
    const username = `bench-${randomTag(8)}`;
    const reg = await this.call<{ user: { id: string }; access_token: string }>(
      'POST',
      '/auth/register',
      { username, password: `bench-${randomTag(16)}`, device_name: 'bench' },
      null,
      'register owner',
    );
    const tok = await this.call<{ token: string }>('POST', '/tokens', { name: 'bench owner' }, reg.body.access_token, 'owner token');
    return { username, userId: reg.body.user.id, token: tok.body.token };
  }

  /** `n` bots, each with its own API token, made `concurrency` at a time. */
  async bots(owner: BenchUser, n: number, concurrency: number, onProgress?: (done: number) => void): Promise<BenchUser[]> {
    const tag = randomTag(4);
    let done = 0;
    return pool(
      Array.from({ length: n }, (_, i) => i),
      concurrency,
      async (i) => {
        const bot = await this.call<{ id: string }>('POST', '/bots', { username: `b${tag}-${i}` }, owner.token, 'create bot');
        const tok = await this.call<{ token: string }>('POST', '/tokens', { name: 'bench', user_id: bot.body.id }, owner.token, 'bot token');
        if (++done % 500 === 0) onProgress?.(done);
        return { userId: bot.body.id, token: tok.body.token };
      },
    );
  }

  async dm(a: BenchUser, b: BenchUser): Promise<string> {
    const r = await this.call<{ id: string }>('POST', '/conversations', { kind: 'dm', user_id: b.userId }, a.token, 'create dm');
    return r.body.id;
  }

  /** A public channel made by `owner` holding the first 255 `members`; the rest join it themselves. */
  async channel(owner: BenchUser, members: BenchUser[], concurrency: number): Promise<string> {
    const first = members.slice(0, 255);
    const r = await this.call<{ id: string }>(
      'POST',
      '/conversations',
      { kind: 'channel', name: `bench-${randomTag(6)}`, visibility: 'public', history_visibility: 'full', member_ids: first.map((m) => m.userId) },
      owner.token,
      'create channel',
    );
    const id = r.body.id;
    await pool(members.slice(255), concurrency, async (m) => {
      await this.call('POST', `/conversations/${id}/join`, undefined, m.token, 'join channel');
    });
    return id;
  }

  async limits(): Promise<Record<string, number | null>> {
    const r = await this.call<{ limits: Record<string, number | null> }>('GET', '/limits', undefined, null, 'limits');
    return r.body.limits;
  }
}
