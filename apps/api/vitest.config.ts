import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    globalSetup: ["./test/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Files run in parallel workers, each against a database of its own.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
