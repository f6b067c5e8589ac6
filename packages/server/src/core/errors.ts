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
 * PostgreSQL could not be reached or lost the connection. node-postgres raises some of these
 * without a code, and Node's socket codes (ECONNRESET…) do not say whose socket failed, so the
 * pool tags them where it raises them (store/pg-pool.ts); the original error is the `cause`.
 */
export class StorageUnavailableError extends Error {
  readonly code = 'STORAGE_UNAVAILABLE';

  constructor(cause: unknown) {
    super(`PostgreSQL unavailable: ${(cause as { message?: unknown } | null)?.message ?? String(cause)}`, { cause });
  }
}

/**
 * Storage that cannot take a write right now (disk full, I/O error, locked, connection lost):
 * the request failed before anything was acked, and retrying later is the right move. Decided
 * by the error's code alone: SQLite's result codes, PostgreSQL's SQLSTATEs (class 08 connection
 * exception, 53 insufficient resources, 57P01–57P03 shutting down or not yet accepting), and
 * STORAGE_UNAVAILABLE for what the pg pool tagged. A bare ECONNRESET is not one: it is as likely
 * a client that hung up.
 */
export function isStorageUnavailable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return false;
  return code === 'STORAGE_UNAVAILABLE' || /^SQLITE_(FULL|IOERR|BUSY|LOCKED|CANTOPEN|READONLY)/.test(code) || /^(08[0-9A-Z]{3}|53[0-9A-Z]{3}|57P0[123])$/.test(code);
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
