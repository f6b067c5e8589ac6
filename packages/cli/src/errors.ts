import { ParleyError } from '@parley/sdk';

/** Exit codes scripts can branch on. */
export const Exit = {
  ok: 0,
  failure: 1,
  usage: 2,
  auth: 3,
  notFound: 4,
  unreachable: 5,
} as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = Exit.failure,
  ) {
    super(message);
  }
}

export function exitCodeFor(e: unknown): number {
  if (e instanceof CliError) return e.exitCode;
  if (e instanceof ParleyError) {
    if (['unauthenticated', 'invalid_token', 'invalid_credentials', 'session_revoked'].includes(e.code)) return Exit.auth;
    if (e.code === 'not_found') return Exit.notFound;
    // A query the server cannot read is the user's to fix, like a bad option.
    if (e.code === 'invalid_query') return Exit.usage;
    if (e.code === 'network' || e.code === 'disconnected' || e.code === 'timeout') return Exit.unreachable;
    if (e.code === 'invalid_request' || e.code === 'forbidden' || e.code === 'not_member') return Exit.failure;
  }
  return Exit.failure;
}

export function describe(e: unknown): string {
  if (e instanceof ParleyError) return `${e.message} (${e.code})`;
  if (e instanceof Error) return e.message;
  return String(e);
}
