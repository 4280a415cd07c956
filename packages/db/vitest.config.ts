import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Migrates one template database per run; every test file copies it (test/database.ts).
    globalSetup: ["./test/global-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Files run in parallel workers, each against a database of its own.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
