/** An answer read before the live changes and arriving after them does not take a row back to its older state. */
import { describe, expect, test } from "vitest";
import {
  browserForFile,
  eventually,
  stageViaApi,
  startViaApi,
  tableRecords,
  tradesCsv,
  tradesFromApi,
  tradeTable,
  visit,
  waitForFinal,
} from "./harness";

const browserHolder = browserForFile();

const STATUS_TEXT: Record<string, string> = { PENDING: "Pending", SUCCESS: "Succeeded", FAILED: "Failed", CANCELLED: "Cancelled" };

describe("Late answers", () => {
  test("the trade history read before a batch ran, answered again after its trades finished, leaves them finished", async () => {
    const { page } = browserHolder.current;
    const staged = await stageViaApi(tradesCsv(2), { name: "E2E late answer" });
    // The trade history's first answer, read while the batch's trades are pending, is given again
    // later in place of a newer one: an answer that took longer than the live changes.
    let firstAnswer: string | null = null;
    let answerLate = false;
    let lateAnswerGiven: () => void = () => undefined;
    const lateGiven = new Promise<void>((resolve) => {
      lateAnswerGiven = resolve;
    });
    await page.route("**/graphql", async (route) => {
      if (!route.request().postData()?.includes("query TradeHistory")) return route.fallback();
      const response = await route.fetch();
      const body = await response.text();
      firstAnswer ??= body;
      await route.fulfill({ response, body: answerLate ? firstAnswer : body });
      if (answerLate) lateAnswerGiven();
    });
    try {
      await visit(page, "/trades");
      const statusesOf = async (batchUid: string) =>
        (await tableRecords(tradeTable(page)))
          .filter((record) => record.Batch === batchUid)
          .map((record) => record.Status)
          .sort();
      await eventually(async () => (await statusesOf(staged.batchUid)).join() === "Pending,Pending");

      await startViaApi(staged.id);
      await waitForFinal(staged.id);
      const finished = (await tradesFromApi(staged.id)).map((trade) => STATUS_TEXT[trade.status]).sort();
      expect(finished).not.toContain("Pending");
      await eventually(async () => (await statusesOf(staged.batchUid)).join() === finished.join(), 30_000);

      // Another batch is staged and shown, then started: its changes make the page read again,
      // and the answer it gets is the first one, from before either batch moved.
      const other = await stageViaApi(tradesCsv(1), { name: "E2E late answer, another" });
      await eventually(async () => (await statusesOf(other.batchUid)).length === 1, 30_000);
      answerLate = true;
      await startViaApi(other.id);
      await lateGiven;
      // The late answer is shown (the other batch, staged after it was read, is not among its rows)…
      await eventually(async () => (await statusesOf(other.batchUid)).length === 0, 30_000);
      // …and the trades it read as pending keep the states the page had already shown.
      expect(await statusesOf(staged.batchUid)).toEqual(finished);
    } finally {
      await page.unrouteAll({ behavior: "ignoreErrors" });
    }
  });
});
