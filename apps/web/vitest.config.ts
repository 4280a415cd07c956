import { defineConfig } from "vitest/config";

// Unit and component tests only (src/**/*.test.ts(x)); the browser tests have vitest.e2e.config.ts.
export default defineConfig({
  test: {
    include: ["src/**/*.test.{ts,tsx}"],
    environment: "node",
  },
});
