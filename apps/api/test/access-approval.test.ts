import type { TestDatabase } from "@fxbt/db/testing";
import { isFinalBatchStatus, TRADE_CSV_COLUMNS } from "@fxbt/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ActiveUser, activeUser, codeOf, GENEROUS_LIMITS, gql } from "./access-fixtures";
import { eventually, STAGE, startTestApp, type TestApp, testDatabase, tradesCsv } from "./harness";

/**
 * Four eyes: a batch at or above APPROVAL_MIN_TRADES (or APPROVAL_MIN_AMOUNT in one currency)
 * starts only after approveBatch by a person other than its stager, never by an API key; the
 * approval, the refused start and the start are all in the audit log.
 */

interface ApprovalBatch {
  id: string;
  batchUid: string;
  status: string;
  totalTrades: number;
  approvalRequired: boolean;
  stagedBy: string | null;
  stagedById: string | null;
  approvedBy: string | null;
  approvedAt: string | null;
  succeededTrades: number;
}

const FIELDS = `id batchUid status totalTrades approvalRequired stagedBy stagedById approvedBy approvedAt succeededTrades`;
const START = `mutation($id: ID!) { startBatch(id: $id) { ${FIELDS} } }`;
const APPROVE = `mutation($id: ID!) { approveBatch(id: $id) { ${FIELDS} } }`;
const BATCH = `query($id: ID!) { batch(id: $id) { ${FIELDS} } }`;
const STAGE_FIELDS = STAGE.replace("batch { id batchUid status totalTrades priority name }", `batch { ${FIELDS} }`);

type Who = { cookie: string } | { key: string };

async function stageAs(app: TestApp, who: Who, csv: string): Promise<ApprovalBatch> {
  const answer = await gql<{ stageBatch: { batch: ApprovalBatch | null; errors: unknown[] } }>(app.url, who, STAGE_FIELDS, {
    input: { csv, allowDuplicate: true },
  });
  const batch = answer.data?.stageBatch.batch;
  if (!batch) throw new Error(`staging failed: ${JSON.stringify(answer)}`);
  return batch;
}

async function readBatch(app: TestApp, id: string): Promise<ApprovalBatch> {
  return (await app.query<{ batch: ApprovalBatch }>(BATCH, { id })).batch;
}

async function finished(app: TestApp, id: string): Promise<ApprovalBatch> {
  return eventually(async () => {
    const batch = await readBatch(app, id);
    return isFinalBatchStatus(batch.status as never) ? batch : null;
  }, 60_000);
}

/** CSV of trades in one currency each: `amounts` in the buy currency (BUY). */
function csvOf(trades: { buy: string; amount: string }[], tag: string): string {
  const lines = [TRADE_CSV_COLUMNS.join(",")];
  trades.forEach(({ buy, amount }, i) => {
    lines.push(`C-${i},Client ${i},1234567890,ZAR,${buy},BUY,${amount},,${tag}-${i}`);
  });
  return lines.join("\n");
}

interface AuditNode {
  action: string;
  outcome: string;
  actor: string;
  actorKind: string | null;
  actorId: string | null;
  batchId: string | null;
  address: string | null;
  detail: string | null;
}

async function auditOf(app: TestApp, batchId: string): Promise<AuditNode[]> {
  const { auditLog } = await app.query<{ auditLog: { edges: { node: AuditNode }[] } }>(
    `query($id: ID!) { auditLog(first: 100, filter: { batchId: $id }) { edges { node { action outcome actor actorKind actorId batchId address detail } } } }`,
    { id: batchId },
  );
  return auditLog.edges.map((edge) => edge.node).reverse();
}

describe("APPROVAL_MIN_TRADES=3", () => {
  let db: TestDatabase;
  let app: TestApp;
  let stager: ActiveUser;
  let approver: ActiveUser;
  let third: ActiveUser;
  let viewer: ActiveUser;
  let traderKey: string;

  beforeAll(async () => {
    db = await testDatabase();
    app = await startTestApp(db.url, { ...GENEROUS_LIMITS, APPROVAL_MIN_TRADES: "3", BANK_SIM_SUCCESS_RATE: "1" });
    stager = await activeUser(app, "TRADER", { label: "stager" });
    approver = await activeUser(app, "TRADER", { label: "approver" });
    third = await activeUser(app, "ADMIN", { label: "third" });
    viewer = await activeUser(app, "VIEWER", { label: "viewer" });
    traderKey = await app.createKey("TRADER");
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it("a batch of 3 trades needs approval: refused starts, no self-approval, no key; another trader approves, then it runs", async () => {
    const batch = await stageAs(app, { cookie: stager.cookie }, tradesCsv(3));
    expect(batch).toMatchObject({
      totalTrades: 3,
      status: "PENDING",
      approvalRequired: true,
      stagedBy: stager.email,
      stagedById: stager.id,
      approvedBy: null,
      approvedAt: null,
    });

    // The stager's start is refused: approval is needed, and by whom.
    const refusedStart = await gql(app.url, { cookie: stager.cookie }, START, { id: batch.id });
    expect(codeOf(refusedStart)).toBe("BAD_BATCH_STATE");
    expect(refusedStart.errors![0]!.message).toBe(
      `batch ${batch.batchUid}: the batch is awaiting approval: approveBatch by a person with the TRADER or ADMIN role other than ${stager.email} is needed before it can start`,
    );
    // The staff's ADMIN key cannot skip it either.
    expect(codeOf(await app.request(START, { id: batch.id }))).toBe("BAD_BATCH_STATE");

    // Four eyes: not the stager.
    const selfApproval = await gql(app.url, { cookie: stager.cookie }, APPROVE, { id: batch.id });
    expect(codeOf(selfApproval)).toBe("BAD_BATCH_STATE");
    expect(selfApproval.errors![0]!.message).toBe(
      `batch ${batch.batchUid}: four eyes: it needs approval by a person with the TRADER or ADMIN role other than ${stager.email}`,
    );
    // Not an API key, of any role.
    for (const key of [traderKey, app.key]) {
      const byKey = await gql(app.url, { key }, APPROVE, { id: batch.id });
      expect(codeOf(byKey)).toBe("BAD_BATCH_STATE");
      expect(byKey.errors![0]!.message).toBe(`batch ${batch.batchUid}: approval needs a signed-in person, not an API key`);
    }
    // Not a VIEWER.
    expect(codeOf(await gql(app.url, { cookie: viewer.cookie }, APPROVE, { id: batch.id }))).toBe("FORBIDDEN");
    expect((await readBatch(app, batch.id)).approvedAt).toBeNull();

    // Another trader approves.
    const approved = await gql<{ approveBatch: ApprovalBatch }>(app.url, { cookie: approver.cookie }, APPROVE, { id: batch.id });
    expect(approved.errors).toBeUndefined();
    expect(approved.data!.approveBatch).toMatchObject({ status: "PENDING", approvedBy: approver.email });
    expect(Date.now() - Date.parse(approved.data!.approveBatch.approvedAt!)).toBeLessThan(60_000);
    // Once is enough.
    const again = await gql(app.url, { cookie: third.cookie }, APPROVE, { id: batch.id });
    expect(codeOf(again)).toBe("BAD_BATCH_STATE");
    expect(again.errors![0]!.message).toBe(`batch ${batch.batchUid}: the batch is already approved`);

    // Now the stager may start it, and it runs to the end.
    const started = await gql<{ startBatch: ApprovalBatch }>(app.url, { cookie: stager.cookie }, START, { id: batch.id });
    expect(started.errors).toBeUndefined();
    const done = await finished(app, batch.id);
    expect(done).toMatchObject({ status: "SUCCESS", succeededTrades: 3, approvedBy: approver.email });

    // The audit log, oldest first: staged, the refused starts and approvals, the approval, the start.
    const audit = await auditOf(app, batch.id);
    const summary = audit.map((event) => `${event.action} ${event.outcome} ${event.actor}`);
    expect(summary).toEqual([
      `STAGE_BATCH SUCCEEDED ${stager.email}`,
      `START_BATCH REFUSED ${stager.email}`,
      "START_BATCH REFUSED test admin",
      `APPROVE_BATCH REFUSED ${stager.email}`,
      "APPROVE_BATCH REFUSED test trader",
      "APPROVE_BATCH REFUSED test admin",
      `APPROVE_BATCH SUCCEEDED ${approver.email}`,
      `APPROVE_BATCH REFUSED ${third.email}`,
      `START_BATCH SUCCEEDED ${stager.email}`,
    ]);
    for (const event of audit) {
      expect(event.batchId).toBe(batch.id);
      expect(event.address, JSON.stringify(event)).toMatch(/^(::1|(::ffff:)?127\.0\.0\.1)$/);
    }
    const byAction = (action: string, outcome: string) => audit.find((event) => event.action === action && event.outcome === outcome)!;
    expect(byAction("STAGE_BATCH", "SUCCEEDED")).toMatchObject({ actorKind: "USER", actorId: stager.id });
    expect(byAction("APPROVE_BATCH", "SUCCEEDED")).toMatchObject({ actorKind: "USER", actorId: approver.id });
    expect(byAction("START_BATCH", "REFUSED").detail).toContain("awaiting approval");
    expect(byAction("START_BATCH", "SUCCEEDED")).toMatchObject({ actorKind: "USER", actorId: stager.id });
  });

  it("a batch of 2 trades needs no approval: it starts at once, and approveBatch is refused", async () => {
    const batch = await stageAs(app, { cookie: stager.cookie }, tradesCsv(2));
    expect(batch.approvalRequired).toBe(false);
    const approve = await gql(app.url, { cookie: approver.cookie }, APPROVE, { id: batch.id });
    expect(codeOf(approve)).toBe("BAD_BATCH_STATE");
    expect(approve.errors![0]!.message).toBe(`batch ${batch.batchUid}: the batch does not need approval`);
    const started = await gql(app.url, { cookie: stager.cookie }, START, { id: batch.id });
    expect(started.errors).toBeUndefined();
    expect(await finished(app, batch.id)).toMatchObject({ status: "SUCCESS", succeededTrades: 2, approvedBy: null });
  });

  it("a batch staged by an API key is approved by any trader, never by a key", async () => {
    const batch = await stageAs(app, { key: traderKey }, tradesCsv(4));
    expect(batch).toMatchObject({ approvalRequired: true, stagedBy: "test trader" });
    expect(codeOf(await gql(app.url, { key: traderKey }, APPROVE, { id: batch.id }))).toBe("BAD_BATCH_STATE");
    const approved = await gql<{ approveBatch: ApprovalBatch }>(app.url, { cookie: stager.cookie }, APPROVE, { id: batch.id });
    expect(approved.data?.approveBatch.approvedBy).toBe(stager.email);
    expect((await gql(app.url, { key: traderKey }, START, { id: batch.id })).errors).toBeUndefined();
  });

  it("two people approving at once: exactly one succeeds, the other hears it is already approved", async () => {
    for (let round = 0; round < 5; round++) {
      const batch = await stageAs(app, { cookie: stager.cookie }, tradesCsv(3));
      const answers = await Promise.all(
        [approver, third].map((person) =>
          gql<{ approveBatch: ApprovalBatch }>(app.url, { cookie: person.cookie }, APPROVE, { id: batch.id }),
        ),
      );
      const succeeded = answers.filter((answer) => !answer.errors);
      const refused = answers.filter((answer) => answer.errors);
      expect(succeeded, JSON.stringify(answers)).toHaveLength(1);
      expect(refused).toHaveLength(1);
      expect(codeOf(refused[0]!)).toBe("BAD_BATCH_STATE");
      expect(refused[0]!.errors![0]!.message).toBe(`batch ${batch.batchUid}: the batch is already approved`);
      const stored = await readBatch(app, batch.id);
      expect(stored.approvedBy).toBe(succeeded[0]!.data!.approveBatch.approvedBy);
      const approvals = (await auditOf(app, batch.id)).filter((event) => event.action === "APPROVE_BATCH");
      expect(approvals.map((event) => event.outcome).sort()).toEqual(["REFUSED", "SUCCEEDED"]);
    }
  });

  it("an approved batch that is cancelled, or started, cannot be approved again", async () => {
    const batch = await stageAs(app, { cookie: stager.cookie }, tradesCsv(3));
    await gql(app.url, { cookie: approver.cookie }, APPROVE, { id: batch.id });
    await app.query(`mutation($id: ID!) { cancelBatch(id: $id) { id } }`, { id: batch.id });
    const cancelled = await finished(app, batch.id);
    expect(cancelled.status).toBe("CANCELLED");
    expect(codeOf(await gql(app.url, { cookie: third.cookie }, APPROVE, { id: batch.id }))).toBe("BAD_BATCH_STATE");
    // Unapproved and cancelled: approval is refused as the status says.
    const other = await stageAs(app, { cookie: stager.cookie }, tradesCsv(3));
    await app.query(`mutation($id: ID!) { cancelBatch(id: $id) { id } }`, { id: other.id });
    await finished(app, other.id);
    const late = await gql(app.url, { cookie: approver.cookie }, APPROVE, { id: other.id });
    expect(codeOf(late)).toBe("BAD_BATCH_STATE");
    expect(late.errors![0]!.message).toBe(
      `batch ${other.batchUid}: a CANCELLED batch cannot be approved; only a PENDING batch not yet started can`,
    );
  });
});

describe("APPROVAL_MIN_AMOUNT=1000", () => {
  let db: TestDatabase;
  let app: TestApp;
  let stager: ActiveUser;
  let approver: ActiveUser;

  beforeAll(async () => {
    db = await testDatabase();
    app = await startTestApp(db.url, { ...GENEROUS_LIMITS, APPROVAL_MIN_AMOUNT: "1000", BANK_SIM_SUCCESS_RATE: "1" });
    stager = await activeUser(app, "TRADER", { label: "amount-stager" });
    approver = await activeUser(app, "TRADER", { label: "amount-approver" });
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it("trades adding up to 1000 in one currency need approval; 999.99 does not", async () => {
    const at = await stageAs(
      app,
      { cookie: stager.cookie },
      csvOf(
        [
          { buy: "USD", amount: "600" },
          { buy: "USD", amount: "400" },
        ],
        "AT",
      ),
    );
    expect(at.approvalRequired).toBe(true);
    const below = await stageAs(
      app,
      { cookie: stager.cookie },
      csvOf(
        [
          { buy: "USD", amount: "600" },
          { buy: "USD", amount: "399.99" },
        ],
        "BELOW",
      ),
    );
    expect(below.approvalRequired).toBe(false);
    // One large trade alone is enough; many trades are not, under the amount (no APPROVAL_MIN_TRADES here).
    expect((await stageAs(app, { cookie: stager.cookie }, csvOf([{ buy: "USD", amount: "1000.00" }], "ONE"))).approvalRequired).toBe(true);
    expect((await stageAs(app, { cookie: stager.cookie }, tradesCsv(9))).approvalRequired).toBe(false);

    const refused = await gql(app.url, { cookie: stager.cookie }, START, { id: at.id });
    expect(codeOf(refused)).toBe("BAD_BATCH_STATE");
    expect(refused.errors![0]!.message).toContain(`approveBatch by a person with the TRADER or ADMIN role other than ${stager.email}`);
    expect((await gql(app.url, { cookie: approver.cookie }, APPROVE, { id: at.id })).errors).toBeUndefined();
    expect((await gql(app.url, { cookie: stager.cookie }, START, { id: at.id })).errors).toBeUndefined();
    expect(await finished(app, at.id)).toMatchObject({ status: "SUCCESS", approvedBy: approver.email });
  });

  it("amounts of different currencies are never added together", async () => {
    const mixed = await stageAs(
      app,
      { cookie: stager.cookie },
      csvOf(
        [
          { buy: "USD", amount: "600" },
          { buy: "EUR", amount: "600" },
          { buy: "GBP", amount: "600" },
        ],
        "MIXED",
      ),
    );
    expect(mixed.approvalRequired).toBe(false);
    const sameCurrency = await stageAs(
      app,
      { cookie: stager.cookie },
      csvOf(
        [
          { buy: "USD", amount: "600" },
          { buy: "EUR", amount: "600" },
          { buy: "EUR", amount: "400" },
        ],
        "EUR",
      ),
    );
    expect(sameCurrency.approvalRequired).toBe(true);
  });
});
