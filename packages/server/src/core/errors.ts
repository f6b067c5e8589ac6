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

/** Turns anything thrown into a wire error body; unknown errors become `internal` without leaking details. */
export function toErrorBody(err: unknown): ErrorBody {
  if (err instanceof AppError) return err.toBody();
  return { code: 'internal', message: ERRORS.internal.message };
}

export const notFound = (what = 'Not found.') => new AppError('not_found', what);
