/**
 * The kinds of setting Parley has. Each kind knows how to read its environment variable, how to
 * check a value handed over in code (`loadConfig(env, overrides)`), and how to describe what it
 * accepts, so that the parser, the override check and README's table can never disagree.
 */
import path from 'node:path';
import { parseWindow } from '../core/duration.js';

export class ConfigError extends Error {}

export interface Setting<T> {
  /** The environment variable; `aliases` are read when it is unset (older names). */
  env: string;
  aliases?: readonly string[];
  /** README's "meaning" column; Markdown. */
  description: string;
  /** README's "default" column; Markdown. */
  shownDefault: string;
  /** README's "accepts" column; Markdown. */
  accepts: string;
  /** The value when the variable is unset or empty. */
  fallback(): T;
  /** Parses a non-empty variable; throws ConfigError naming `env`. */
  parse(raw: string): T;
  /** Validates a value given in code; throws ConfigError naming `name`. */
  check(value: unknown, name: string): T;
}

interface Doc {
  env: string;
  aliases?: readonly string[];
  description: string;
}

const fmt = (n: number) => String(n);
const invalid = (name: string, value: unknown, expected: string) => new ConfigError(`${name}=${String(value)} is invalid: expected ${expected}`);

function range(doc: Doc & { default: number; min: number; max: number }, whole: boolean): Setting<number> {
  const expected = `${whole ? 'a whole number' : 'a number'} from ${fmt(doc.min)} to ${fmt(doc.max)}`;
  const ok = (n: number) => (whole ? Number.isInteger(n) : Number.isFinite(n)) && n >= doc.min && n <= doc.max;
  return {
    ...doc,
    shownDefault: `\`${fmt(doc.default)}\``,
    accepts: `${whole ? 'whole number' : 'number'} ${fmt(doc.min)}–${fmt(doc.max)}`,
    fallback: () => doc.default,
    parse(raw) {
      const n = Number(raw);
      if (!ok(n)) throw invalid(doc.env, raw, expected);
      return n;
    },
    check(value, name) {
      if (typeof value !== 'number' || !ok(value)) throw invalid(name, value, expected);
      return value;
    },
  };
}

/** A whole number within a range. */
export const int = (doc: Doc & { default: number; min: number; max: number }) => range(doc, true);
/** A (possibly fractional) number within a range, such as a rate per second. */
export const num = (doc: Doc & { default: number; min: number; max: number }) => range(doc, false);

/** One of a fixed list of words. */
export function oneOf<T extends string>(doc: Doc & { default: NoInfer<T>; values: readonly T[] }): Setting<T> {
  const expected = `one of ${doc.values.join(', ')}`;
  const ok = (v: unknown): v is T => typeof v === 'string' && (doc.values as readonly string[]).includes(v);
  return {
    ...doc,
    shownDefault: `\`${doc.default}\``,
    accepts: doc.values.map((v) => `\`${v}\``).join(', '),
    fallback: () => doc.default,
    parse(raw) {
      if (!ok(raw)) throw invalid(doc.env, raw, expected);
      return raw;
    },
    check(value, name) {
      if (!ok(value)) throw invalid(name, value, expected);
      return value;
    },
  };
}

/** On or off: `1` or `0`, so that a typo such as `true` is refused instead of meaning "off". */
export function flag(doc: Doc & { default: boolean }): Setting<boolean> {
  const expected = '1 or 0';
  return {
    ...doc,
    shownDefault: doc.default ? '`1`' : '`0`',
    accepts: '`1`, `0`',
    fallback: () => doc.default,
    parse(raw) {
      if (raw !== '1' && raw !== '0') throw invalid(doc.env, raw, expected);
      return raw === '1';
    },
    check(value, name) {
      if (typeof value !== 'boolean') throw invalid(name, value, 'true or false');
      return value;
    },
  };
}

/**
 * Free text, unset meaning `null` (or a computed default). `rule` returns an error sentence
 * for a bad value; it gets the variable's name so the sentence can start with it.
 */
export function text(doc: Doc & { shownDefault: string; accepts: string; default: () => string; rule?: (value: string, name: string) => string | null }): Setting<string>;
export function text(doc: Doc & { shownDefault: string; accepts: string; default: null; rule?: (value: string, name: string) => string | null }): Setting<string | null>;
export function text(doc: Doc & { shownDefault: string; accepts: string; default: (() => string) | null; rule?: (value: string, name: string) => string | null }): Setting<string | null> {
  const { default: def, rule, ...rest } = doc;
  const valid = (value: string, name: string) => {
    const problem = rule?.(value, name);
    if (problem) throw new ConfigError(problem);
    return value;
  };
  return {
    ...rest,
    fallback: () => (def === null ? null : def()),
    parse: (raw) => valid(raw, doc.env),
    check(value, name) {
      if (value === null && def === null) return null;
      if (typeof value !== 'string' || value === '') throw invalid(name, value, def === null ? 'a non-empty string or null' : 'a non-empty string');
      return valid(value, name);
    },
  };
}

/** A directory, made absolute against the working directory at start. */
export function dir(doc: Doc & { shownDefault: string; default: string }): Setting<string>;
export function dir(doc: Doc & { shownDefault: string; default: null }): Setting<string | null>;
export function dir(doc: Doc & { shownDefault: string; default: string | null }): Setting<string | null> {
  const { default: def, ...rest } = doc;
  return {
    ...rest,
    accepts: 'a path',
    fallback: () => (def === null ? null : path.resolve(def)),
    parse: (raw) => path.resolve(raw),
    check(value, name) {
      if (value === null && def === null) return null;
      if (typeof value !== 'string' || value === '') throw invalid(name, value, def === null ? 'a path or null' : 'a path');
      return path.resolve(value);
    },
  };
}

/**
 * An edit or recall window: a duration (`30s`, `10m`, `2h`, `1d`, plain milliseconds) or
 * `unlimited`, read as milliseconds or `null`. Zero is refused (see parseWindow).
 */
export function window(doc: Doc & { default: string }): Setting<number | null> {
  return {
    ...doc,
    shownDefault: `\`${doc.default}\``,
    accepts: '`30s`, `10m`, `2h`, `1d`, milliseconds, or `unlimited`',
    fallback: () => parseWindow(doc.default),
    parse(raw) {
      try {
        return parseWindow(raw);
      } catch (e) {
        throw new ConfigError(`${doc.env}: ${(e as Error).message}`);
      }
    },
    check(value, name) {
      if (value === null) return null;
      if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) throw invalid(name, value, 'a whole number of milliseconds above 0, or null for unlimited');
      return value;
    },
  };
}

/**
 * A length of time that may be zero (`0`, `30s`, `1h`…), read as milliseconds; never unlimited.
 * `minMs` refuses shorter ones (a lockout of 0 ms would be no lockout at all).
 */
export function duration(doc: Doc & { default: string; minMs?: number }): Setting<number> {
  const { minMs = 0, ...rest } = doc;
  const read = (raw: string): number => {
    const ms = /^\s*0+\s*(ms|s|m|h|d)?\s*$/i.test(raw) ? 0 : parseWindow(raw);
    if (ms === null) throw new Error(`"${raw}" must be a duration, not unlimited`);
    if (ms < minMs) throw new Error(`"${raw}" must be at least ${minMs} ms`);
    return ms;
  };
  return {
    ...rest,
    shownDefault: `\`${doc.default}\``,
    accepts: minMs > 0 ? `\`30s\`, \`10m\`, \`2h\`, \`1d\` or milliseconds, at least ${minMs} ms` : '`0`, `30s`, `10m`, `2h`, `1d` or milliseconds',
    fallback: () => read(doc.default),
    parse(raw) {
      try {
        return read(raw);
      } catch (e) {
        throw new ConfigError(`${doc.env}: ${(e as Error).message}`);
      }
    },
    check(value, name) {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < minMs) throw invalid(name, value, `a whole number of milliseconds, ${minMs} or more`);
      return value;
    },
  };
}
