import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Each Prisma CLI call takes one to two seconds.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
