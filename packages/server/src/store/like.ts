import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';

/**
 * `lower(column) LIKE '%term%'` with the term's own `%`, `_` and `\` taken literally, on both
 * dialects: SQLite has no default LIKE escape character, so it is named explicitly.
 */
export function containsIgnoringCase(column: Expression<string | null>, term: string): RawBuilder<SqlBool> {
  const pattern = `%${term.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return sql<SqlBool>`lower(${column}) like ${pattern} escape '\\'`;
}
