import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { TSchema } from '@sinclair/typebox';
import { AppError } from '../core/errors.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/**
 * Two validators: bodies and socket frames are checked strictly (a string is never an integer,
 * unknown fields are rejected, not dropped); query strings and path params are coerced, since
 * they arrive as text.
 */
export const strictAjv = addFormats(new Ajv({ allErrors: false, coerceTypes: false, removeAdditional: false, useDefaults: false, strict: false }));
export const coercingAjv = addFormats(new Ajv({ allErrors: false, coerceTypes: true, removeAdditional: false, useDefaults: true, strict: false }));

/** The first validation error as a typed `invalid_request` with a field pointer and a human sentence. */
export function validationError(errors: ErrorObject[] | null | undefined, where = ''): AppError {
  const e = errors?.[0];
  if (!e) return new AppError('invalid_request');
  const field = `${where}${e.instancePath}` || where || '/';
  let detail = e.message ?? 'is invalid';
  if (e.keyword === 'additionalProperties') {
    detail = `has an unknown field "${String((e.params as { additionalProperty?: string }).additionalProperty)}"`;
  } else if (e.keyword === 'required') {
    detail = `is missing the field "${String((e.params as { missingProperty?: string }).missingProperty)}"`;
  }
  return new AppError('invalid_request', `${field} ${detail}`, { field });
}

const cache = new WeakMap<TSchema, ValidateFunction>();

/** Validates `value` against a protocol schema, throwing `invalid_request` on the first problem. */
export function check<T>(schema: TSchema, value: unknown, where = ''): T {
  let fn = cache.get(schema);
  if (!fn) {
    fn = strictAjv.compile(schema);
    cache.set(schema, fn);
  }
  if (!fn(value)) throw validationError(fn.errors, where);
  return value as T;
}
