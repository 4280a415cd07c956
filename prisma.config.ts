import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defineConfig } from "prisma/config";

// The Prisma CLI looks for its native schema engine before it reads the schema, and
// downloads it when missing. Networks that cannot download it (this project's CI, many
// banks') get the same protocol served from Prisma's WebAssembly engine instead.
const wasmSchemaEngine = fileURLToPath(
  new URL("./packages/schema-engine/bin/schema-engine.mjs", import.meta.url),
);
if (!process.env.PRISMA_SCHEMA_ENGINE_BINARY && existsSync(wasmSchemaEngine)) {
  process.env.PRISMA_SCHEMA_ENGINE_BINARY = wasmSchemaEngine;
}

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres" },
});
