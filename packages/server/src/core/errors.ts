import { ERRORS, type ErrorBody, type ErrorCode } from '@parley/protocol';

/** The only error type services throw on purpose: a catalogue code, an optional sharper message. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly extra: Omit<ErrorBody, 'code' | 'message'>;

  constructor(code: ErrorCode, message?: string, extra: Omit<ErrorBody, 'code' | 'message'> = {}) {
    super(message ?? ERRORS[code].message);
    this.code = code;
    this.status = ERRORS[code].status;
    this.extra = extra;
  }

  toBody(): ErrorBody {
    return { code: this.code, message: this.message, ...this.extra };
  }
}

/**
 * Storage that cannot take a write right now (disk full, I/O error, locked, connection lost):
 * the request failed before anything was acked, and retrying later is the right move.
 */
export function isStorageUnavailable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  const message = (err as { message?: unknown } | null)?.message;
  // node-postgres reports a dropped or unreachable server without a code.
  if (typeof message === 'string' && /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended unexpectedly/i.test(message)) return true;
  if (typeof code !== 'string') return false;
  return (
    /^SQLITE_(FULL|IOERR|BUSY|LOCKED|CANTOPEN|READONLY)/.test(code) ||
    ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', '57P01', '57P02', '57P03', '08000', '08003', '08006', '53100'].includes(code)
  );
}

/** Turns anything thrown into a wire error body; unknown errors become `internal` without leaking details. */
export function toErrorBody(err: unknown): ErrorBody {
  if (err instanceof AppError) return err.toBody();
  if (isStorageUnavailable(err)) return { code: 'unavailable', message: ERRORS.unavailable.message };
  return { code: 'internal', message: ERRORS.internal.message };
}

export const notFound = (what = 'Not found.') => new AppError('not_found', what);

/** A unique constraint refused a write (SQLite or PostgreSQL): a concurrent twin won the race. */
export function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string; message?: string } | null;
  return err?.code === 'SQLITE_CONSTRAINT_UNIQUE' || err?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || err?.code === '23505' || /UNIQUE constraint failed/.test(err?.message ?? '');
}
