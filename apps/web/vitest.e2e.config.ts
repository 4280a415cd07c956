import { defineConfig } from "vitest/config";

/**
 * End-to-end tests: the built dashboard (`next start`) in headless Chromium against a real
 * API and PostgreSQL, all started by e2e/global-setup.ts. One file at a time: they share
 * the servers, and one test stops and restarts the API.
 */
export default defineConfig({
  test: {
    include: ["e2e/**/*.test.ts"],
    environment: "node",
    globalSetup: ["./e2e/global-setup.ts"],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});
