// Guards the toolchain against a Prisma upgrade: the stock CLI, run as developers and CI run it,
// must generate, diff, deploy, report status and run `migrate dev` against PostgreSQL with the
// schema engine prisma.config.ts picks (the native one when installed, else the WASM one).
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  databaseExists,
  databaseUrl,
  engineBin,
  migrationNames,
  migrationsDir,
  prisma,
  query,
  repoRoot,
  run,
  schemaPath,
  type TestDatabase,
  testDatabase,
  uniqueDatabaseName,
} from "./helpers.ts";

describe("stock Prisma CLI on PostgreSQL", () => {
  let db: TestDatabase;
  let tmp: string;

  beforeAll(async () => {
    db = await testDatabase("se_cli");
    tmp = mkdtempSync(join(tmpdir(), "schema-engine-cli-"));
  });

  afterAll(async () => {
    await db?.drop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it("generates the client", async () => {
    const output = join(tmp, "generated");
    const schema = readFileSync(schemaPath, "utf8").replace(/^(\s*output\s*=\s*)".*"$/m, `$1"${output}"`);
    writeFileSync(join(tmp, "schema.prisma"), schema);
    const result = await prisma(["generate", "--schema", join(tmp, "schema.prisma")], db.url);
    expect(result.stderr + result.stdout).toContain("Generated Prisma Client");
    expect(result.code).toBe(0);
    expect(existsSync(join(output, "client.ts"))).toBe(true);
  });

  it("diffs the schema from empty as SQL", async () => {
    const result = await prisma(["migrate", "diff", "--from-empty", "--to-schema", schemaPath, "--script"], db.url);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('CREATE TABLE "batch"');
    expect(result.stdout).toContain('CREATE TYPE "BatchStatus"');
  });

  it("finds the migrations in step with the schema", async () => {
    // Needs a shadow database: exit code 2 would mean schema.prisma changed without a migration.
    const result = await prisma(["migrate", "diff", "--from-migrations", migrationsDir, "--to-schema", schemaPath, "--exit-code"], db.url);
    expect(result.stdout).toContain("No difference detected.");
    expect(result.code).toBe(0);
  });

  it("reports pending migrations, deploys them, then reports the schema up to date", async () => {
    const before = await prisma(["migrate", "status"], db.url);
    expect(before.code).toBe(1);
    expect(before.stdout).toContain("have not yet been applied");

    const deploy = await prisma(["migrate", "deploy"], db.url);
    expect(deploy.stdout).toContain("All migrations have been successfully applied.");
    expect(deploy.code).toBe(0);
    for (const name of migrationNames()) expect(deploy.stdout).toContain(name);

    const status = await prisma(["migrate", "status"], db.url);
    expect(status.stdout).toContain("Database schema is up to date");
    expect(status.code).toBe(0);

    const again = await prisma(["migrate", "deploy"], db.url);
    expect(again.stdout).toContain("No pending migrations to apply.");
    expect(again.code).toBe(0);
  });

  it("runs migrate dev on an up-to-date database without creating a migration", async () => {
    // A copy of the migrations directory, so that nothing is ever written into the repository.
    const copy = join(tmp, "migrations");
    cpSync(migrationsDir, copy, { recursive: true });
    const config = join(tmp, "prisma.config.ts");
    writeFileSync(
      config,
      `import ${JSON.stringify(join(repoRoot, "prisma.config.ts"))};\n` +
        `export default { schema: ${JSON.stringify(schemaPath)}, migrations: { path: ${JSON.stringify(copy)} },\n` +
        `  datasource: { url: process.env.DATABASE_URL } };\n`,
    );

    const dev = await prisma(["migrate", "dev", "--config", config], db.url);
    expect(dev.stdout).toContain("Already in sync, no schema change or pending migration was found.");
    expect(dev.code).toBe(0);
    expect(migrationNames(copy)).toEqual(migrationNames());

    // Stock behaviour: --create-only always writes a draft, empty when nothing changed.
    const draft = await prisma(["migrate", "dev", "--config", config, "--create-only", "--name", "noop"], db.url);
    expect(draft.code).toBe(0);
    const added = migrationNames(copy).filter((name) => !migrationNames().includes(name));
    expect(added).toHaveLength(1);
    expect(added[0]).toMatch(/^\d{14}_noop$/);
    expect(readFileSync(join(copy, added[0]!, "migration.sql"), "utf8").trim()).toBe("-- This is an empty migration.");
    expect(readdirSync(migrationsDir)).not.toContain(added[0]);
  });

  it("creates a missing database on migrate deploy", async () => {
    const missing = uniqueDatabaseName("se_cli_new");
    try {
      const deploy = await prisma(["migrate", "deploy"], databaseUrl(missing));
      expect(deploy.stdout).toContain(`PostgreSQL database ${missing} created`);
      expect(deploy.code).toBe(0);
      expect(await databaseExists(missing)).toBe(true);
    } finally {
      await query(databaseUrl("postgres"), `DROP DATABASE IF EXISTS "${missing}" WITH (FORCE)`);
    }
  });
});

describe("schema-engine.mjs cli subcommands", () => {
  const datasource = (name: string) => JSON.stringify({ url: databaseUrl(name) });
  const logLines = (stderr: string) =>
    stderr
      .trim()
      .split("\n")
      .slice(1)
      .map((line) => JSON.parse(line) as { level: string; fields: Record<string, string> });

  it("answers can-connect-to-database with P1003 for a missing database, then creates it", async () => {
    const name = uniqueDatabaseName("se_cli_sub");
    try {
      const probe = await run(engineBin, ["--datasource", datasource(name), "cli", "can-connect-to-database"]);
      expect(probe.code).toBe(1);
      expect(logLines(probe.stderr).find((l) => l.level === "ERROR")?.fields.error_code).toBe("P1003");

      const create = await run(engineBin, ["--datasource", datasource(name), "cli", "create-database"]);
      expect(create.code).toBe(0);
      expect(await databaseExists(name)).toBe(true);

      const again = await run(engineBin, ["--datasource", datasource(name), "cli", "can-connect-to-database"]);
      expect(again.code).toBe(0);
    } finally {
      await query(databaseUrl("postgres"), `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    }
  });

  it("prints its version", async () => {
    const result = await run(engineBin, ["--version"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^schema-engine-cli [0-9a-f]{40}\n$/);
  });
});
