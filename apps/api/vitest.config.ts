import { createRequire } from "node:module";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // graphql 16 ships CommonJS and ESM builds without an exports map: Node (and so Apollo
    // and graphql-tools) loads the CommonJS one, Vite would pick the ESM one for our own
    // files, and graphql refuses types made by "another module". One copy for all.
    alias: [{ find: /^graphql$/, replacement: createRequire(import.meta.url).resolve("graphql") }],
  },
  test: {
    globalSetup: ["./test/global-setup.ts"],
    // A limit for a hang, not a measure of speed (bench/ measures that): with two files at once on
    // two cores, tests that create users (each hashes a password) or start processes took up to
    // 62 s at load average 20, and the CI machine may be that busy.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Files run in parallel workers, each against a database of its own.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
