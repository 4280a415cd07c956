// Every migration folder carries a down.sql (Prisma's documented practice, generated with
// `prisma migrate diff`) that fully reverts its migration.sql.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { applyMigrations } from "@fxbt/schema-engine";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrationNames, migrationsDir, ourObjects, prisma, query, type TestDatabase, testDatabase } from "./helpers.ts";

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

  // Two Prisma CLI calls per migration (the documented rollback, then a diff), each 1–4 s on a
  // busy 2-core machine: at 19 migrations the whole walk took 138 s under load average 8.
  it("reverts each migration in turn, down to an empty schema, and up again", { timeout: 480_000 }, async () => {
    const names = migrationNames();
    expect((await applyMigrations({ databaseUrl: db.url, migrationsDir })).appliedMigrationNames).toEqual(names);
    expect(await ourObjects(db.url)).toContain("relation batch");

    for (let i = names.length - 1; i >= 0; i--) {
      const down = await prisma(["db", "execute", "--file", join(migrationsDir, names[i]!, "down.sql")], db.url);
      expect(down.stdout + down.stderr, names[i]).toContain("Script executed successfully.");
      expect(down.code).toBe(0);
      // The database now matches the migrations before this one (Prisma ignores its own table).
      const target = i === 0 ? ["--to-empty"] : ["--to-migrations", firstMigrations(tmp, i)];
      const diff = await prisma(["migrate", "diff", "--from-config-datasource", ...target, "--exit-code"], db.url);
      expect(diff.stdout, `after reverting ${names[i]}`).toContain("No difference detected.");
      expect(diff.code).toBe(0);
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
