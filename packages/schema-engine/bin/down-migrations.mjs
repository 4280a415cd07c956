#!/usr/bin/env node
// Writes a down.sql next to every migration.sql that lacks one (or all of them with --force):
// the schema diff from "all migrations up to this one" to "all migrations before it", made by
// the stock `prisma migrate diff --from-migrations … --to-migrations|--to-empty … --script`
// (Prisma's documented way to generate down migrations). Schema only: data a migration
// changed is not restored, and objects Prisma does not model (functions, triggers, views)
// must be dropped by hand in down.sql. Uses a shadow database on the server of DATABASE_URL (default
// postgresql://postgres@127.0.0.1:5432/postgres). Run from anywhere:
//   node packages/schema-engine/bin/down-migrations.mjs [--force] [migrations-dir]
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const args = process.argv.slice(2);
const force = args.includes("--force");
const migrationsDir = resolve(args.find((a) => !a.startsWith("--")) ?? join(root, "prisma/migrations"));
const names = readdirSync(migrationsDir, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort((a, b) => a.localeCompare(b));

const tmp = mkdtempSync(join(tmpdir(), "down-migrations-"));
/** A migrations directory with the first `count` migrations only. */
function firstMigrations(count) {
  const dir = join(tmp, `first-${count}`);
  if (existsSync(dir)) return dir;
  mkdirSync(dir);
  cpSync(join(migrationsDir, "migration_lock.toml"), join(dir, "migration_lock.toml"));
  for (const name of names.slice(0, count)) cpSync(join(migrationsDir, name), join(dir, name), { recursive: true });
  return dir;
}

let failed = false;
try {
  names.forEach((name, i) => {
    const target = join(migrationsDir, name, "down.sql");
    if (existsSync(target) && !force) return;
    const to = i === 0 ? ["--to-empty"] : ["--to-migrations", firstMigrations(i)];
    const result = spawnSync(
      join(root, "node_modules/.bin/prisma"),
      ["migrate", "diff", "--from-migrations", firstMigrations(i + 1), ...to, "--script"],
      { cwd: root, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } },
    );
    if (result.status !== 0) {
      failed = true;
      process.stderr.write(`${name}: prisma migrate diff failed\n${result.stderr}${result.stdout}\n`);
      return;
    }
    writeFileSync(target, result.stdout);
    process.stdout.write(`wrote ${target}\n`);
  });
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
