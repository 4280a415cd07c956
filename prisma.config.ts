import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "prisma/config";

// The Prisma CLI looks for its native schema engine before it reads the schema, and
// downloads it when missing. Networks that cannot download it (this project's CI, many
// banks') get the same protocol served from Prisma's WebAssembly engine instead.
const root = fileURLToPath(new URL(".", import.meta.url));
const wasmSchemaEngine = join(root, "packages/schema-engine/bin/schema-engine.mjs");

/** A native schema engine of the version this CLI expects, where the CLI itself looks for one
 * (@prisma/engines, then the prisma package and node_modules), or undefined. */
function nativeSchemaEngine(): string | undefined {
  let expected: string | undefined;
  try {
    expected = createRequire(import.meta.url)("@prisma/engines-version").enginesVersion;
  } catch {
    return undefined;
  }
  const dirs = ["node_modules/@prisma/engines", "node_modules/prisma", "node_modules", "node_modules/prisma/runtime"];
  for (const dir of dirs.map((d) => join(root, d))) {
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names.filter((n) => /^schema-engine-[\w.-]+?(\.exe)?$/.test(n) && !/\.(gz|sha256)$/.test(n))) {
      const run = spawnSync(join(dir, name), ["--version"], { encoding: "utf8", timeout: 5000 });
      if (run.status === 0 && expected && run.stdout.includes(expected)) return join(dir, name);
    }
  }
  return undefined;
}

if (!process.env.PRISMA_SCHEMA_ENGINE_BINARY && existsSync(wasmSchemaEngine) && !nativeSchemaEngine()) {
  process.env.PRISMA_SCHEMA_ENGINE_BINARY = wasmSchemaEngine;
}

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres" },
});
