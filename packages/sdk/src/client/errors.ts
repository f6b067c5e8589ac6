import type { ErrorBody, ErrorCode } from '@parley/protocol';

/** Every failure the SDK reports: a protocol error code when the server gave one. */
export class ParleyError extends Error {
  readonly code: ErrorCode | 'timeout' | 'aborted' | 'disconnected' | 'network';
  readonly status: number | null;
  readonly retryAfterMs: number | null;
  /** With `mfa_required`: pass it to `loginSecondFactor()` with the user's code. */
  readonly challenge: string | null;

  constructor(code: ParleyError['code'], message: string, status: number | null = null, retryAfterMs: number | null = null, challenge: string | null = null) {
    super(message);
    this.name = 'ParleyError';
    this.code = code;
    this.status = status;
    this.retryAfterMs = retryAfterMs;
    this.challenge = challenge;
  }

  static from(body: ErrorBody, status: number | null = null): ParleyError {
    return new ParleyError(body.code, body.message, status, body.retry_after_ms ?? null, body.challenge ?? null);
  }

  /** Worth retrying the same request later (the outbox does). */
  get transient(): boolean {
    return ['timeout', 'disconnected', 'network', 'rate_limited', 'unavailable', 'internal'].includes(this.code);
  }
}
