import fastJsonStringify, { type AnySchema } from 'fast-json-stringify';
import type { ValidateFunction } from 'ajv';

/*
 * Route schemas compiled when a route is first used, not when the server starts. Fastify compiles
 * every route's validators and response serializers at start-up: profiled, ~2.2 s of a 5.4 s start
 * on the 2-core machine (fast-json-stringify 1.5 s, Ajv 0.75 s), for ~300 routes most of which a
 * process may never serve. Start-up is a restart's downtime, and every server a test starts pays it.
 * The compiled code is the same as Fastify's defaults would build; a route pays it on its first
 * request instead. A response serializer is also kept per schema object, so servers of one process
 * (tests) built from the same schemas compile each once.
 */

const serializers = new WeakMap<object, (data: unknown) => string>();

/** Fastify's serializer compiler, deferred: the same fast-json-stringify call as its default (no shared schemas here). */
export function lazySerializer({ schema }: { schema: unknown }): (data: unknown) => string {
  let compiled: ((data: unknown) => string) | undefined;
  return (data) => {
    if (!compiled) {
      const key = schema as object;
      compiled = serializers.get(key);
      if (!compiled) {
        compiled = fastJsonStringify(schema as AnySchema, { schema: {} }) as (data: unknown) => string;
        serializers.set(key, compiled);
      }
    }
    return compiled(data);
  };
}

/**
 * A validator compiled at its first call. Fastify reads `schemaEnv` to learn it is Ajv's (and then
 * passes the parent object, so Ajv may coerce or default the whole value), and `errors` after a
 * failed call: both are read through to the compiled function.
 */
export function lazyValidator(compile: () => ValidateFunction): ValidateFunction {
  let compiled: ValidateFunction | undefined;
  const get = () => (compiled ??= compile());
  const validate = ((data: unknown, ctx?: Parameters<ValidateFunction>[1]) => get()(data, ctx)) as ValidateFunction;
  Object.defineProperty(validate, 'schemaEnv', { get: () => get().schemaEnv });
  Object.defineProperty(validate, 'errors', { get: () => get().errors, set: (v: ValidateFunction['errors']) => (get().errors = v) });
  return validate;
}
