import { randomBytes } from "node:crypto";
import { applyMigrations } from "@fxbt/schema-engine";
import pg from "pg";
import { MIGRATIONS_DIR } from "./open";

export { openTcpProxy, type TcpProxy } from "./tcp-proxy";

/**
 * Test databases on a real PostgreSQL server (TEST_DATABASE_ADMIN_URL, by default the
 * machine's 127.0.0.1:5432). A run migrates one template, then every test file copies it
 * into a database of its own, so suites never see each other's batches or runners.
 */
const ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

function urlFor(database: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export function uniqueDatabaseName(prefix: string): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString("hex")}`;
}

export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  drop(): Promise<void>;
}

async function dropDatabase(name: string): Promise<void> {
  await admin((client) => client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`));
}

/** A new, empty database with the product's migrations applied. */
export async function createMigratedDatabase(prefix = "fxbt_test"): Promise<TestDatabase> {
  const name = uniqueDatabaseName(prefix);
  await admin((client) => client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`));
  const url = urlFor(name);
  await applyMigrations({ databaseUrl: url, migrationsDir: MIGRATIONS_DIR });
  return { name, url, drop: () => dropDatabase(name) };
}

/** A copy of a migrated template: much faster than migrating again. */
export async function createDatabaseFromTemplate(template: string, prefix = "fxbt_test"): Promise<TestDatabase> {
  const name = uniqueDatabaseName(prefix);
  await admin((client) => client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)} TEMPLATE ${pg.escapeIdentifier(template)}`));
  return { name, url: urlFor(name), drop: () => dropDatabase(name) };
}

/** The URL of an empty database (no migrations), for tests of the migrations themselves. */
export async function createEmptyDatabase(prefix = "fxbt_test"): Promise<TestDatabase> {
  const name = uniqueDatabaseName(prefix);
  await admin((client) => client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`));
  return { name, url: urlFor(name), drop: () => dropDatabase(name) };
}
export { type AnswerCountDisagreement, answerCountDisagreements, recountAnswers } from "./answer-count-fixtures";
export { type FinishedBatchFixture, insertFinishedBatch } from "./archive-fixtures";
export { batchRow, tradeRow } from "./fixtures";
