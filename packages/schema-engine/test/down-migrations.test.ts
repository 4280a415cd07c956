// Every migration folder carries a down.sql (Prisma's documented practice, generated with
// `prisma migrate diff`) that fully reverts its migration.sql.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { applyMigrations } from "@fxbt/schema-engine";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  engineExecute,
  migrationNames,
  migrationsDir,
  ourObjects,
  prisma,
  query,
  schemaSnapshot,
  type TestDatabase,
  testDatabase,
} from "./helpers.ts";

/** A migrations directory holding only the first `count` migrations. */
function firstMigrations(root: string, count: number): string {
  const dir = join(root, `first-${count}`);
  mkdirSync(dir, { recursive: true });
  cpSync(join(migrationsDir, "migration_lock.toml"), join(dir, "migration_lock.toml"));
  for (const name of migrationNames().slice(0, count)) cpSync(join(migrationsDir, name), join(dir, name), { recursive: true });
  return dir;
}

describe("down migrations", () => {
  let db: TestDatabase;
  let tmp: string;

  beforeAll(async () => {
    db = await testDatabase("se_down");
    tmp = mkdtempSync(join(tmpdir(), "schema-engine-down-"));
  });

  afterAll(async () => {
    await db?.drop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it("exists for every migration", () => {
    for (const name of migrationNames()) expect(existsSync(join(migrationsDir, name, "down.sql")), name).toBe(true);
  });

  // The state each down.sql must restore is the one its migration started from. The walk up
  // applies one migration at a time and records the catalogue before each; the walk down runs each
  // down.sql as the documented rollback (`prisma db execute --file`) runs it, and compares. The
  // newest goes through the CLI itself; the others go straight to the same engine's dbExecute,
  // in this process. Before, every step was two CLI calls, the second a `prisma migrate diff
  // --to-migrations` that replayed the first i migrations into a shadow database: 96 s on a quiet
  // machine, over 480 s (the timeout) at load average 10-16. The catalogue also holds what
  // Prisma's diff does not compare: function bodies, triggers, storage options, policies, extensions.
  it("reverts each migration in turn, down to an empty schema, and up again", { timeout: 480_000 }, async () => {
    const names = migrationNames();
    const before: string[][] = [];
    const applied: string[] = [];
    for (let i = 0; i < names.length; i++) {
      before.push(await schemaSnapshot(db.url));
      const step = await applyMigrations({ databaseUrl: db.url, migrationsDir: firstMigrations(tmp, i + 1) });
      expect(step.appliedMigrationNames, names[i]).toEqual([names[i]]);
      applied.push(...step.appliedMigrationNames);
    }
    expect(applied).toEqual(names);
    expect(before[0]).toEqual([]);
    const migrated = await schemaSnapshot(db.url);
    expect(await ourObjects(db.url)).toContain("relation batch");
    expect((await applyMigrations({ databaseUrl: db.url, migrationsDir })).appliedMigrationNames).toEqual([]);

    for (let i = names.length - 1; i >= 0; i--) {
      const downSql = join(migrationsDir, names[i]!, "down.sql");
      if (i === names.length - 1) {
        const down = await prisma(["db", "execute", "--file", downSql], db.url);
        expect(down.stdout + down.stderr, names[i]).toContain("Script executed successfully.");
        expect(down.code).toBe(0);
      } else {
        await engineExecute(db.url, readFileSync(downSql, "utf8"));
      }
      expect(await schemaSnapshot(db.url), `after reverting ${names[i]}`).toEqual(before[i]);
    }
    expect(await ourObjects(db.url)).toEqual([]);

    // What the down scripts reverted, Prisma must forget too.
    await query(db.url, "DELETE FROM _prisma_migrations");
    const pending = await prisma(["migrate", "status"], db.url);
    expect(pending.code).toBe(1);
    for (const name of names) expect(pending.stdout).toContain(name);

    const deploy = await prisma(["migrate", "deploy"], db.url);
    expect(deploy.stdout).toContain("All migrations have been successfully applied.");
    expect(deploy.code).toBe(0);
    const status = await prisma(["migrate", "status"], db.url);
    expect(status.stdout).toContain("Database schema is up to date");
    expect(status.code).toBe(0);
    // Deployed again after the walk down, the schema is the one the walk up made.
    expect(await schemaSnapshot(db.url)).toEqual(migrated);
  });

  it("leaves nothing of ours when every down.sql is run on a fully migrated database", async () => {
    const other = await testDatabase("se_down_all");
    try {
      await applyMigrations({ databaseUrl: other.url, migrationsDir });
      const scripts = migrationNames()
        .reverse()
        .map((name) => readFileSync(join(migrationsDir, name, "down.sql"), "utf8"));
      await query(other.url, scripts.join("\n"));
      expect(await ourObjects(other.url)).toEqual([]);
      const enums = await query(other.url, "SELECT typname FROM pg_type WHERE typname IN ('BatchStatus', 'TradeStatus', 'TradeDirection')");
      expect(enums).toEqual([]);
    } finally {
      await other.drop();
    }
  });
});
