#!/usr/bin/env node
// Prisma's schema engine, served from @prisma/schema-engine-wasm for machines that cannot
// download the native binary. The Prisma CLI runs it when PRISMA_SCHEMA_ENGINE_BINARY names it
// (prisma.config.ts does that when no native engine is installed):
//   schema-engine.mjs [--datamodels FILE…] [--datasource JSON]            JSON-RPC on stdin/stdout
//   schema-engine.mjs [--datasource JSON] cli can-connect-to-database|create-database
//   schema-engine.mjs --version
import { readFile } from "node:fs/promises";
import { runCliCommand } from "../src/cli.mjs";
import { serve } from "../src/server.mjs";
import { wasmVersion } from "../src/wasm.mjs";

// stdout carries the protocol only.
console.log = console.info = console.debug = console.error;

function parseArgs(argv) {
  const options = { datamodels: [], datasource: undefined, cli: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--datamodels") {
      while (i + 1 < argv.length && !argv[i + 1].startsWith("--")) options.datamodels.push(argv[++i]);
    } else if (arg === "--datasource") {
      options.datasource = JSON.parse(argv[++i]);
    } else if (arg === "--enabled-preview-features" || arg === "--extension-types") {
      i++; // accepted for compatibility, not used by the PostgreSQL engine
    } else if (arg === "--version" || arg === "-V") {
      options.version = true;
    } else if (arg === "cli") {
      options.cli = argv[++i];
    }
  }
  return options;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  if (options.version) {
    process.stdout.write(`schema-engine-cli ${await wasmVersion()}\n`);
    return 0;
  }
  const datasource = options.datasource ?? (process.env.DATABASE_URL ? { url: process.env.DATABASE_URL } : undefined);
  if (options.cli) return runCliCommand(options.cli, datasource);
  const datamodels = await Promise.all(options.datamodels.map(async (path) => [path, await readFile(path, "utf-8")]));
  await serve({ datasource: datasource ?? {}, datamodels });
  return 0;
}

// Exit explicitly: the engine's timers and idle sockets must not keep the CLI waiting.
main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(
      `${JSON.stringify({ timestamp: new Date().toISOString(), level: "ERROR", fields: { message: String(error?.stack ?? error) }, target: "schema_engine::logger" })}\n`,
    );
    process.exit(1);
  },
);
