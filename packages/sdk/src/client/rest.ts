import type { ErrorBody, User } from '@parley/protocol';
import { ParleyError } from './errors.js';

export interface Tokens {
  access_token: string;
  /** Absent for long-lived tokens handed in by CI (`PARLEY_TOKEN`): then there is nothing to refresh. */
  refresh_token?: string | null;
}

export interface AuthAnswer {
  user: User;
  access_token: string;
  refresh_token: string;
  session_id: string;
  expires_in: number;
  /** The workspace requires two-factor sign-in: until it is on, this session may only turn it on. */
  must_enrol_2fa: boolean;
}

export type FetchLike = (
  input: string,
  /** `body` is JSON text, or bytes for the few raw uploads (an avatar picture). */
  init?: { method?: string; headers?: Record<string, string>; body?: string | Uint8Array<ArrayBuffer>; signal?: AbortSignal },
) => Promise<{
  status: number;
  text(): Promise<string>;
  /** Needed only for downloads (the global fetch has both). */
  headers?: { get(name: string): string | null };
  body?: ReadableStream<Uint8Array> | null;
}>;

/** A body sent as it is, not as JSON (see RestClient.requestBytes). */
class RawBody {
  constructor(
    readonly bytes: Uint8Array<ArrayBuffer>,
    readonly contentType: string,
  ) {}
}

/** A successful answer whose body is read as a stream (a file download). */
export interface StreamedResponse {
  status: number;
  headers: { get(name: string): string | null };
  body: ReadableStream<Uint8Array>;
}

/** Seconds since the epoch at which a JWT expires, read without verifying it (the server verifies). */
export function jwtExpiry(token: string): number | null {
  const part = token.split('.')[1];
  if (!part) return null;
  try {
    const json = JSON.parse(atob(part.replace(/-/g, '+').replace(/_/g, '/'))) as { exp?: unknown };
    return typeof json.exp === 'number' ? json.exp : null;
  } catch {
    return null;
  }
}

/**
 * REST over fetch with bearer tokens: refreshes the access token shortly before it expires, and
 * once more (then retries the request once) when the server answers `invalid_token`.
 */
export class RestClient {
  private tokens: Tokens | null;
  private refreshing: Promise<void> | null = null;

  constructor(
    readonly baseUrl: string,
    tokens: Tokens | null,
    private readonly fetchImpl: FetchLike,
    private readonly onTokens: (t: Tokens) => void,
    private readonly userAgent: string | null,
  ) {
    this.tokens = tokens;
  }

  get accessToken(): string | null {
    return this.tokens?.access_token ?? null;
  }

  /** A refresh token is held, so an expired access token can be renewed. */
  get canRefresh(): boolean {
    return !!this.tokens?.refresh_token;
  }

  setTokens(t: Tokens | null): void {
    this.tokens = t;
    if (t) this.onTokens(t);
  }

  /** A valid access token, refreshed first when it expires within a minute. */
  async freshToken(): Promise<string> {
    if (!this.tokens) throw new ParleyError('unauthenticated', 'Not logged in: call login() or pass a token.');
    const exp = jwtExpiry(this.tokens.access_token);
    if (exp !== null && exp * 1000 - Date.now() < 60_000 && this.tokens.refresh_token) await this.refresh();
    return this.tokens.access_token;
  }

  async refresh(): Promise<void> {
    // One refresh at a time: a second concurrent refresh would present a rotated token and revoke the session.
    this.refreshing ??= (async () => {
      try {
        const rt = this.tokens?.refresh_token;
        if (!rt) throw new ParleyError('invalid_token', 'The access token expired and there is no refresh token.');
        const res = await this.raw<AuthAnswer>('POST', '/auth/refresh', { refresh_token: rt }, undefined, null);
        this.setTokens({ access_token: res.access_token, refresh_token: res.refresh_token });
      } finally {
        this.refreshing = null;
      }
    })();
    return this.refreshing;
  }

  async request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const token = await this.freshToken();
    try {
      return await this.raw<T>(method, path, body, signal, token);
    } catch (e) {
      if (e instanceof ParleyError && e.code === 'invalid_token' && this.tokens?.refresh_token) {
        await this.refresh();
        return this.raw<T>(method, path, body, signal, this.tokens.access_token);
      }
      throw e;
    }
  }

  /**
   * A GET whose answer is streamed, not parsed (files): the same token refresh as `request`;
   * an error answer becomes a ParleyError from its JSON body.
   */
  async stream(path: string, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<StreamedResponse> {
    const once = async (token: string): Promise<StreamedResponse> => {
      const h: Record<string, string> = { ...headers, authorization: `Bearer ${token}` };
      if (this.userAgent) h['user-agent'] = this.userAgent;
      let res;
      try {
        res = await this.fetchImpl(`${this.baseUrl}/api/v1${path}`, { method: 'GET', headers: h, ...(signal ? { signal } : {}) });
      } catch (e) {
        if (signal?.aborted) throw new ParleyError('aborted', 'The request was aborted.');
        throw new ParleyError('network', `Cannot reach ${this.baseUrl}: ${(e as Error).message}`);
      }
      if (res.status >= 400 || res.status === 304) {
        const text = await res.text().catch(() => '');
        let err: ErrorBody | undefined;
        try {
          err = (JSON.parse(text) as { error?: ErrorBody }).error;
        } catch {
          err = undefined;
        }
        if (err) throw ParleyError.from(err, res.status);
        throw new ParleyError(res.status >= 500 ? 'internal' : res.status === 416 ? 'invalid_request' : 'not_found', `HTTP ${res.status}`, res.status);
      }
      if (!res.headers || !res.body) throw new ParleyError('internal', 'This fetch gives no response stream: downloads need the standard fetch.');
      return { status: res.status, headers: res.headers, body: res.body };
    };
    const token = await this.freshToken();
    try {
      return await once(token);
    } catch (e) {
      if (e instanceof ParleyError && e.code === 'invalid_token' && this.tokens?.refresh_token) {
        await this.refresh();
        return once(this.tokens.access_token);
      }
      throw e;
    }
  }

  /** `request` with raw bytes of `contentType` as the body (an avatar picture); the answer is JSON. */
  async requestBytes<T>(method: string, path: string, bytes: Uint8Array<ArrayBuffer>, contentType: string, signal?: AbortSignal): Promise<T> {
    const once = (token: string) => this.raw<T>(method, path, new RawBody(bytes, contentType), signal, token);
    try {
      return await once(await this.freshToken());
    } catch (e) {
      if (e instanceof ParleyError && e.code === 'invalid_token' && this.tokens?.refresh_token) {
        await this.refresh();
        return once(this.tokens.access_token);
      }
      throw e;
    }
  }

  async raw<T>(method: string, path: string, body: unknown, signal: AbortSignal | undefined, token: string | null): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    const bytes = body instanceof RawBody ? body : null;
    if (body !== undefined) headers['content-type'] = bytes ? bytes.contentType : 'application/json';
    if (token) headers.authorization = `Bearer ${token}`;
    if (this.userAgent) headers['user-agent'] = this.userAgent;
    let res;
    try {
      const payload = bytes ? bytes.bytes : body !== undefined ? JSON.stringify(body) : undefined;
      res = await this.fetchImpl(`${this.baseUrl}/api/v1${path}`, { method, headers, ...(payload !== undefined ? { body: payload } : {}), ...(signal ? { signal } : {}) });
    } catch (e) {
      if (signal?.aborted) throw new ParleyError('aborted', 'The request was aborted.');
      throw new ParleyError('network', `Cannot reach ${this.baseUrl}: ${(e as Error).message}`);
    }
    const text = await res.text();
    let json: unknown = undefined;
    if (text) {
      try {
        json = JSON.parse(text);
      } catch {
        throw new ParleyError('internal', `The server answered ${res.status} with a body that is not JSON.`, res.status);
      }
    }
    if (res.status >= 400) {
      const err = (json as { error?: ErrorBody } | undefined)?.error;
      if (err) throw ParleyError.from(err, res.status);
      throw new ParleyError(res.status >= 500 ? 'internal' : 'invalid_request', `HTTP ${res.status}`, res.status);
    }
    return json as T;
  }
}
