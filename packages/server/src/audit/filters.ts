import type { AuditQuery } from '@parley/protocol';
import { AppError } from '../core/errors.js';

/** How an action filter matches: one action, or every action that starts with a prefix. */
export type ActionFilter = { exact: string } | { prefix: string };

/** `GET /admin/audit`'s query, read and checked; `actor` is still a name or an id (the route resolves it). */
export interface AuditFilter {
  limit: number;
  before?: string;
  actor?: string;
  action?: ActionFilter;
  since?: number;
  until?: number;
}

const ACTION = /^[a-z0-9_]+(?:\.[a-z0-9_]+)*$/;
const MILLIS = /^\d{1,15}$/;
// A calendar day, or a day and a time with an optional offset; Date.parse alone also takes "Tuesday 5pm".
const ISO = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}:?\d{2})?)?$/i;

const bad = (field: string, message: string) => new AppError('invalid_request', message, { field: `/querystring/${field}` });

/**
 * `auth.login` matches that action; `auth.`, `auth.*` and `auth*` match every action starting with
 * `auth.` (or `auth`): what an operator types when they mean "everything about sign-ins".
 */
export function parseAction(raw: string): ActionFilter {
  const text = raw.trim().toLowerCase();
  const star = text.endsWith('*');
  const stem = star ? text.slice(0, -1) : text;
  const prefix = star || stem.endsWith('.');
  const name = stem.endsWith('.') ? stem.slice(0, -1) : stem;
  if (!ACTION.test(name)) throw bad('action', `"${raw}" is not an action: give one like auth.login, or a prefix like auth. or auth.*`);
  return prefix ? { prefix: stem } : { exact: name };
}

/**
 * A time as milliseconds since 1970: ISO 8601 (`2026-12-01`, `2026-12-01T08:00Z`; without an
 * offset it is UTC, so the answer does not depend on the server's time zone) or milliseconds.
 */
export function parseTime(raw: string, field: 'since' | 'until'): number {
  const text = raw.trim();
  if (MILLIS.test(text)) return Number(text);
  const m = ISO.exec(text);
  const ms = m ? Date.parse(`${m[1]}T${m[2] ?? '00:00'}${normaliseOffset(m[3])}`) : NaN;
  if (!Number.isFinite(ms)) throw bad(field, `${field} "${raw}" is not a time: give ISO 8601 (2026-12-01T08:00:00Z) or milliseconds since 1970.`);
  return ms;
}

function normaliseOffset(offset: string | undefined): string {
  if (!offset || offset.toUpperCase() === 'Z') return 'Z';
  // +0530 → +05:30, the form every JavaScript engine reads.
  return offset.includes(':') ? offset : `${offset.slice(0, 3)}:${offset.slice(3)}`;
}

/** The query as the store reads it; throws `invalid_request` (400) naming the first bad field. */
export function parseAuditQuery(q: AuditQuery): AuditFilter {
  const out: AuditFilter = { limit: q.limit ?? 100 };
  if (q.before !== undefined) out.before = q.before;
  if (q.actor !== undefined) {
    const actor = q.actor.trim().replace(/^@/, '');
    if (actor === '') throw bad('actor', 'actor is empty: give a username or a user id.');
    out.actor = actor;
  }
  if (q.action !== undefined) out.action = parseAction(q.action);
  if (q.since !== undefined) out.since = parseTime(q.since, 'since');
  if (q.until !== undefined) out.until = parseTime(q.until, 'until');
  if (out.since !== undefined && out.until !== undefined && out.until <= out.since) throw bad('until', 'until is not after since: nothing could match.');
  return out;
}
