import pg from "pg";

export interface Load {
  /** The tables whose secondary (non-unique) indexes are dropped before and built after. */
  tables: readonly string[];
  /** SQL statements separated by ";\n"; `$1` is `parameter` where it appears. */
  statements: string;
  parameter: unknown;
  /** Triggers and foreign-key checks off while the statements run (session_replication_role). */
  withoutTriggers?: boolean;
}

/**
 * Loads a bench's rows as a restore loads them: the tables' secondary indexes dropped, the
 * statements run, the indexes built once over the rows (inserting a million rows into them one
 * by one takes many minutes), then VACUUM ANALYZE of the tables.
 */
export async function loadAsRestore(url: string, { tables, statements, parameter, withoutTriggers = false }: Load): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows: indexes } = await client.query<{ name: string; definition: string }>(
      `SELECT indexname AS name, indexdef AS definition FROM pg_indexes
       WHERE schemaname = 'public' AND tablename = ANY($1) AND indexdef NOT LIKE 'CREATE UNIQUE%'`,
      [tables],
    );
    for (const { name } of indexes) await client.query(`DROP INDEX ${pg.escapeIdentifier(name)}`);
    if (withoutTriggers) await client.query("SET session_replication_role = replica");
    for (const statement of statements.split(";\n").filter((s) => s.trim())) {
      await client.query(statement, statement.includes("$1") ? [parameter] : []);
    }
    if (withoutTriggers) await client.query("SET session_replication_role = DEFAULT");
    for (const { definition } of indexes) await client.query(definition);
    for (const table of tables) await client.query(`VACUUM ANALYZE ${pg.escapeIdentifier(table)}`);
  } finally {
    await client.end();
  }
}
