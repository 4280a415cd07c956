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
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Files run in parallel workers, each against a database of its own.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
