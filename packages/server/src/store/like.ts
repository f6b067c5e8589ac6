import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';

/**
 * `lower(column) LIKE '%term%'` with the term's own `%`, `_` and `\` taken literally, on both
 * dialects: SQLite has no default LIKE escape character, so it is named explicitly.
 */
export function containsIgnoringCase(column: Expression<string | null>, term: string): RawBuilder<SqlBool> {
  const pattern = `%${term.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return sql<SqlBool>`lower(${column}) like ${pattern} escape '\\'`;
}

/**
 * `column LIKE 'prefix%'`, the prefix's `%`, `_` and `\` taken literally (`_` is common in
 * Parley's names: `auth.login_failed`). Case-sensitive on PostgreSQL, not on SQLite: for
 * lower-case values, as audit actions are, both answer alike.
 */
export function startsWith(column: string, prefix: string): RawBuilder<SqlBool> {
  const pattern = `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return sql<SqlBool>`${sql.ref(column)} like ${pattern} escape '\\'`;
}
