import { PostgresDialect, sql, type DatabaseIntrospector, type DatabaseMetadata, type Kysely, type SchemaMetadata, type TableMetadata } from 'kysely';

/**
 * Kysely's migrator asks the introspector whether its bookkeeping tables exist. The stock
 * PostgreSQL introspector lists every column of every table in every schema of the database and
 * calls `has_schema_privilege` and `pg_get_serial_sequence` on each schema's name; when another
 * deployment (or test run) drops its schema during that scan, those functions fail with
 * `schema "…" does not exist` and our migration fails with them (seen in CI). It also answers
 * "exists" for a `kysely_migration` table in any schema when none is configured.
 *
 * This one looks only at the schema Parley migrates (the configured one, else the connection's
 * `current_schema()`), and only at names: all the migrator needs.
 */
export class SchemaScopedIntrospector implements DatabaseIntrospector {
  constructor(
    private readonly db: Kysely<unknown>,
    private readonly schema: string | null,
  ) {}

  async getSchemas(): Promise<SchemaMetadata[]> {
    const rows = await sql<{ name: string }>`SELECT nspname AS name FROM pg_catalog.pg_namespace WHERE nspname = ${this.schemaName()}`.execute(this.db);
    return rows.rows.map((r) => ({ name: r.name }));
  }

  async getTables(): Promise<TableMetadata[]> {
    const rows = await sql<{ name: string; schema: string; kind: string }>`
      SELECT c.relname AS name, ns.nspname AS schema, c.relkind AS kind
      FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace ns ON ns.oid = c.relnamespace
      WHERE ns.nspname = ${this.schemaName()} AND c.relkind IN ('r', 'v', 'p')
      ORDER BY c.relname`.execute(this.db);
    return rows.rows.map((r) => ({ name: r.name, schema: r.schema, isView: r.kind === 'v', columns: [] }));
  }

  async getMetadata(): Promise<DatabaseMetadata> {
    return { tables: await this.getTables() };
  }

  private schemaName() {
    return this.schema ?? sql<string>`current_schema()`;
  }
}

/** PostgreSQL through Kysely, with the introspector above. */
export class ScopedPostgresDialect extends PostgresDialect {
  constructor(
    config: ConstructorParameters<typeof PostgresDialect>[0],
    private readonly schema: string | null,
  ) {
    super(config);
  }

  override createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new SchemaScopedIntrospector(db, this.schema);
  }
}
