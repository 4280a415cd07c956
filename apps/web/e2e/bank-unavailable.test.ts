/** The batch page says, live, while the bank keeps failing under a running batch. */
import pg from "pg";
import { afterAll, describe, expect, test } from "vitest";
import {
  type ApiBatch,
  browserForFile,
  e2e,
  eventually,
  gql,
  markWindow,
  progressValue,
  screenshot,
  stageViaApi,
  startViaApi,
  tradesCsv,
  visit,
} from "./harness";

const browserHolder = browserForFile();

const running: ApiBatch[] = [];
afterAll(async () => {
  for (const batch of running) {
    await gql(`mutation($id: ID!) { cancelBatch(id: $id) { id } }`, { id: batch.id }).catch(() => undefined);
  }
});

/**
 * Sets or clears the batch's bank_unavailable_since as the runner does when its circuit
 * breaker opens or closes (the simulator cannot be told to stop answering). The runner's
 * next progress write of the batch carries the column to the page, like any of its fields.
 */
async function setBankUnavailableSince(batchId: string, since: Date | null): Promise<void> {
  const client = new pg.Client({ connectionString: e2e().databaseUrl });
  await client.connect();
  try {
    await client.query("UPDATE batch SET bank_unavailable_since = $2 WHERE id = $1::uuid", [batchId, since]);
  } finally {
    await client.end();
  }
}

describe("Bank unavailable notice", () => {
  test("appears while bankUnavailableSince is set on a running batch, and goes when it clears, without a reload", async () => {
    const { page } = browserHolder.current;
    const staged = await stageViaApi(tradesCsv(5_000), { name: "E2E bank unavailable" });
    running.push(staged);
    await visit(page, `/batches/${staged.id}`);
    await page.getByRole("heading", { level: 1, name: staged.batchUid }).waitFor();
    const sameDocument = await markWindow(page);
    const notice = page.getByRole("status").filter({ hasText: "The bank is not answering" });
    expect(await notice.count()).toBe(0);

    await startViaApi(staged.id);
    const bar = page.getByRole("progressbar", { name: "Batch progress" });
    await eventually(async () => (await progressValue(bar)) > 0, 30_000, 50);

    await setBankUnavailableSince(staged.id, new Date());
    await notice.waitFor({ timeout: 15_000 });
    expect(await notice.textContent()).toMatch(
      /^The bank is not answering since .+ UTC; trades are waiting and none is failed because of it\. They continue when it answers\.$/,
    );
    await screenshot(page, "batch-bank-unavailable");

    await setBankUnavailableSince(staged.id, null);
    await notice.waitFor({ state: "detached", timeout: 15_000 });
    expect(await progressValue(bar)).toBeLessThan(100);
    expect(await sameDocument()).toBe(true);
  });
});
