// The library entry: migrations applied in-process at start-up must leave exactly what
// `prisma migrate deploy` leaves, so that the CLI and the application agree.
import { createHash } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { applyMigrations } from "@fxbt/schema-engine";
import { afterEach, describe, expect, it } from "vitest";
import { databaseExists, migrationNames, migrationsDir, prisma, query, run, type TestDatabase, testDatabase } from "./helpers.ts";

/** Every table prisma/schema.prisma declares (each model's @@map), sorted as the catalogue lists them. */
const OUR_TABLES = [...readFileSync(join(migrationsDir, "..", "schema.prisma"), "utf8").matchAll(/@@map\("(\w+)"\)/g)]
  .map((match) => match[1]!)
  .sort();

interface MigrationRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  applied_steps_count: number;
  logs: string | null;
}

const migrationRows = (url: string) => query<MigrationRow>(url, "SELECT * FROM _prisma_migrations ORDER BY started_at, migration_name");

const sha256 = (name: string) =>
  createHash("sha256")
    .update(readFileSync(join(migrationsDir, name, "migration.sql")))
    .digest("hex");

describe("applyMigrations", () => {
  const databases: TestDatabase[] = [];
  const fresh = async (create = true) => {
    const db = await testDatabase("se_apply", create);
    databases.push(db);
    return db;
  };

  afterEach(async () => {
    for (const db of databases.splice(0)) await db.drop();
  });

  it("applies every migration once, recording the rows migrate deploy records", async () => {
    const db = await fresh();
    const names = migrationNames();
    expect(names.length).toBeGreaterThan(0);

    const first = await applyMigrations({ databaseUrl: db.url, migrationsDir });
    expect(first.appliedMigrationNames).toEqual(names);

    const tables = await query<{ table_name: string }>(
      db.url,
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
    );
    expect(tables.map((t) => t.table_name)).toEqual(["_prisma_migrations", ...OUR_TABLES]);

    const rows = await migrationRows(db.url);
    expect(rows.map((r) => r.migration_name)).toEqual(names);
    for (const row of rows) {
      expect(row.checksum).toBe(sha256(row.migration_name));
      expect(row.finished_at).not.toBeNull();
      expect(row.rolled_back_at).toBeNull();
      expect(row.applied_steps_count).toBe(1);
      expect(row.logs).toBeNull();
    }

    const second = await applyMigrations({ databaseUrl: db.url, migrationsDir });
    expect(second.appliedMigrationNames).toEqual([]);
    expect(await migrationRows(db.url)).toHaveLength(names.length);

    const status = await prisma(["migrate", "status"], db.url);
    expect(status.stdout).toContain("Database schema is up to date");
    expect(status.code).toBe(0);
  });

  it("creates the database when it does not exist", async () => {
    const db = await fresh(false);
    const result = await applyMigrations({ databaseUrl: db.url, migrationsDir });
    expect(result.appliedMigrationNames).toEqual(migrationNames());
    expect(await databaseExists(db.name)).toBe(true);
  });

  it("serialises concurrent callers through the advisory lock", async () => {
    const db = await fresh();
    const results = await Promise.all([1, 2, 3].map(() => applyMigrations({ databaseUrl: db.url, migrationsDir })));
    expect(results.flatMap((r) => r.appliedMigrationNames).sort()).toEqual(migrationNames());
    expect(await migrationRows(db.url)).toHaveLength(migrationNames().length);
  });

  it("agrees with the CLI when the CLI migrated first", async () => {
    const db = await fresh();
    const deploy = await prisma(["migrate", "deploy"], db.url);
    expect(deploy.code).toBe(0);
    const cliRows = await migrationRows(db.url);
    expect((await applyMigrations({ databaseUrl: db.url, migrationsDir })).appliedMigrationNames).toEqual([]);
    expect(cliRows.map((r) => [r.migration_name, r.checksum])).toEqual(migrationNames().map((name) => [name, sha256(name)]));
  });

  it("rejects with the engine's error code when the history has a failed migration", async () => {
    const db = await fresh();
    await applyMigrations({ databaseUrl: db.url, migrationsDir });
    await query(db.url, "UPDATE _prisma_migrations SET finished_at = NULL, logs = 'failed on purpose'");
    await expect(applyMigrations({ databaseUrl: db.url, migrationsDir })).rejects.toMatchObject({
      name: "SchemaEngineError",
      code: "P3009",
    });
  });

  it("runs each migration.sql whole: $$ bodies survive, a failing script leaves nothing behind (P3018)", async () => {
    const db = await fresh();
    const dir = mkdtempSync(join(tmpdir(), "schema-engine-migrations-"));
    try {
      cpSync(join(migrationsDir, "migration_lock.toml"), join(dir, "migration_lock.toml"));
      const write = (name: string, sql: string) => {
        mkdirSync(join(dir, name));
        writeFileSync(join(dir, name, "migration.sql"), sql);
      };
      write(
        "20000101000000_fn",
        "CREATE TABLE t1 (id int);\nCREATE FUNCTION f1() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END; $$;\n",
      );
      write("20000102000000_bad", "CREATE TABLE t2 (id int);\nSELECT * FROM does_not_exist;\n");
      const failure = applyMigrations({ databaseUrl: db.url, migrationsDir: dir });
      await expect(failure).rejects.toMatchObject({ name: "SchemaEngineError", code: "P3018" });
      await expect(failure).rejects.toThrow(/Migration name: 20000102000000_bad[\s\S]*Database error code: 42P01/);
      expect(await query(db.url, "SELECT f1() AS one")).toEqual([{ one: 1 }]);
      const tables = await query(db.url, "SELECT table_name FROM information_schema.tables WHERE table_name IN ('t1', 't2')");
      expect(tables).toEqual([{ table_name: "t1" }]);
      const rows = await migrationRows(db.url);
      expect(rows.map((r) => [r.migration_name, r.finished_at !== null])).toEqual([
        ["20000101000000_fn", true],
        ["20000102000000_bad", false],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("lets the calling process exit at once (no pool, socket or engine timer left)", async () => {
    const db = await fresh();
    const script =
      `import { applyMigrations } from "@fxbt/schema-engine";\n` +
      `const r = await applyMigrations({ databaseUrl: ${JSON.stringify(db.url)}, migrationsDir: ${JSON.stringify(migrationsDir)} });\n` +
      `console.log(JSON.stringify({ ...r, returnedAt: Date.now() }));\n`;
    const result = await run(process.execPath, ["--input-type=module", "-e", script]);
    const exitedAt = Date.now();
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const { returnedAt, ...answer } = JSON.parse(result.stdout) as { returnedAt: number; appliedMigrationNames: string[] };
    expect(answer).toEqual({ appliedMigrationNames: migrationNames() });
    // The engine's advisory-lock timer lasts 10 s: exiting well before it, counted from the moment
    // applyMigrations returned (not from the spawn: applying every migration took over 8 s at load 20),
    // proves it was released.
    expect(exitedAt - returnedAt).toBeLessThan(8_000);
  });
});
