import { randomUUID } from "node:crypto";
import { isGoodValueDate, rollValueDate, TRADE_CSV_COLUMNS } from "@fxbt/domain";
import { describe, expect, it } from "vitest";
import type { BatchTemplateView } from "../src/services/templates";
import { codeOf } from "./access-fixtures";
import { type GraphQLResponse, stage, type TestApp, useTestApp } from "./harness";
import type { TradeFields } from "./trade-entry-fixtures";

const TEMPLATE_FIELDS =
  "id name namePattern priority hasRows rowCount sourceBatchUid createdBy createdAt updatedAt stagedCount lastStagedAt";
const SAVE = `mutation($input: SaveBatchTemplateInput!) { saveBatchTemplate(input: $input) { ${TEMPLATE_FIELDS} } }`;
const RENAME = `mutation($id: ID!, $name: String!) { renameBatchTemplate(id: $id, name: $name) { ${TEMPLATE_FIELDS} } }`;
const DELETE = `mutation($id: ID!) { deleteBatchTemplate(id: $id) }`;
const ONE = `query($id: ID!) { batchTemplate(id: $id) { ${TEMPLATE_FIELDS} } }`;
const LIST = `query($first: Int, $after: String, $search: String) {
  batchTemplates(first: $first, after: $after, search: $search) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id name } } } }`;
const STAGE_FROM = `mutation($input: StageBatchFromTemplateInput!) {
  stageBatchFromTemplate(input: $input) { batch { id batchUid name priority totalTrades status } errors { row field message } } }`;
const TRADES = `query($id: ID!) { batch(id: $id) { trades(first: 100) { edges { node {
  rowNumber clientId clientName accountNumber sellCurrency buyCurrency direction amount valueDate reference } } } } }`;

/** A template as TEMPLATE_FIELDS selects it. */
type Template = Omit<BatchTemplateView, "partner">;
interface Staged {
  stageBatchFromTemplate: {
    batch: { id: string; batchUid: string; name: string | null; priority: number; totalTrades: number; status: string } | null;
    errors: { row: number | null; field: string | null; message: string }[];
  };
}
/** A trade as the templates' checks read it: its CSV fields. */
type TradeNode = Omit<TradeFields, "id" | "status" | "errorCode" | "batch">;

const DAY_MS = 86_400_000;
const today = () => new Date().toISOString().slice(0, 10);
const plusDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
/** The first Saturday at least two days from today. */
function nextSaturday(): string {
  let date = plusDays(today(), 2);
  while (new Date(`${date}T00:00:00Z`).getUTCDay() !== 6) date = plusDays(date, 1);
  return date;
}
/** The first good value date for USD/JPY from three days after `saturday`: a template keeps it as it is. */
function goodUsdJpy(saturday: string): string {
  let date = plusDays(saturday, 3);
  while (!isGoodValueDate(date, ["USD", "JPY"])) date = plusDays(date, 1);
  return date;
}
/** A unique template name per test, so the tests share one database without colliding. */
const unique = (label: string) => `${label} ${randomUUID().slice(0, 8)}`;

const { app, sql } = useTestApp();

/** Four trades: a weekend value date; spot; a formula-like client name on a good date; a large exact amount later on. */
function sourceCsv(saturday: string): string {
  return [
    TRADE_CSV_COLUMNS.join(","),
    `C-1,Acme,1234567890,ZAR,USD,BUY,1000.50,${saturday},REF-1`,
    "C-2,,1234567890,EUR,GBP,SELL,250,,REF-2",
    `C-3,"=Formula, Ltd",1234567890,USD,JPY,BUY,123456789,${goodUsdJpy(saturday)},`,
    `C-4,Delta,1234567890,GBP,USD,SELL,98765432109.99,${plusDays(saturday, 10)},REF-4`,
  ].join("\n");
}

async function save(input: Record<string, unknown>, as: TestApp = app): Promise<GraphQLResponse<{ saveBatchTemplate: Template }>> {
  return as.request<{ saveBatchTemplate: Template }>(SAVE, { input });
}

async function saved(input: Record<string, unknown>, as: TestApp = app): Promise<Template> {
  const answer = await save(input, as);
  expect(answer.errors).toBeUndefined();
  return answer.data!.saveBatchTemplate;
}

async function tradesOf(batchId: string, as: TestApp = app): Promise<TradeNode[]> {
  const data = await as.query<{ batch: { trades: { edges: { node: TradeNode }[] } } }>(TRADES, { id: batchId });
  return data.batch.trades.edges.map((edge) => edge.node);
}

async function auditOf(action: string, like: string): Promise<{ actor: string; detail: string; batch_id: string | null }[]> {
  const { rows } = await sql.query("SELECT actor, detail, batch_id FROM audit_event WHERE action = $1 AND detail LIKE $2 ORDER BY at, id", [
    action,
    `%${like}%`,
  ]);
  return rows;
}

describe("saving a batch as a template", () => {
  it("with rows: its priority, the pattern, the trades' instructions exactly; audited", async () => {
    const batch = await stage(app, sourceCsv(nextSaturday()), { name: "Source", priority: 7 });
    const name = unique("Payroll");
    const template = await saved({ batchId: batch.id, name: `  ${name}  `, namePattern: "Payroll {date} #{n}", includeRows: true });
    expect(template).toMatchObject({
      name,
      namePattern: "Payroll {date} #{n}",
      priority: 7,
      hasRows: true,
      rowCount: 4,
      createdBy: "test admin",
      stagedCount: 0,
      lastStagedAt: null,
    });
    expect(template.sourceBatchUid).toMatch(/^B-\d{8}-\d{4}$/);
    const { rows } = await sql.query("SELECT rows FROM batch_template WHERE id = $1", [template.id]);
    expect(rows[0].rows.map((row: { amount: string }) => row.amount)).toEqual(["1000.50", "250.00", "123456789", "98765432109.99"]);
    expect(await auditOf("SAVE_TEMPLATE", name)).toEqual([
      { actor: "test admin", detail: `${name} from ${template.sourceBatchUid} with 4 rows`, batch_id: batch.id },
    ]);
  });

  it("without rows: the settings only; a batch can be named by its batchUid", async () => {
    const batch = await stage(app, sourceCsv(nextSaturday()), { priority: -3 });
    const { batch: read } = await app.query<{ batch: { batchUid: string } }>(`query($id: ID!) { batch(id: $id) { batchUid } }`, {
      id: batch.id,
    });
    const name = unique("Settings only");
    const template = await saved({ batchId: read.batchUid, name, includeRows: false });
    expect(template).toMatchObject({ name, namePattern: null, priority: -3, hasRows: false, rowCount: 0, sourceBatchUid: read.batchUid });
    expect(await auditOf("SAVE_TEMPLATE", name)).toEqual([
      expect.objectContaining({ detail: `${name} from ${read.batchUid}, settings only` }),
    ]);
  });

  it("refuses a name already used (whatever its case), naming the field", async () => {
    const batch = await stage(app, sourceCsv(nextSaturday()));
    const name = unique("Month end");
    await saved({ batchId: batch.id, name, includeRows: false });
    const again = await save({ batchId: batch.id, name: name.toUpperCase(), includeRows: true });
    expect(codeOf(again)).toBe("BAD_USER_INPUT");
    expect(again.errors![0]!.extensions!.argument).toBe("input.name");
    expect(again.errors![0]!.message).toBe(
      `input.name: a template named ${JSON.stringify(name.toUpperCase())} already exists; template names are unique, whatever their case`,
    );
  });

  it.each([
    [{ name: "   " }, "input.name", "input.name is required"],
    [{ name: "x".repeat(101) }, "input.name", "input.name must be at most 100 characters, got 101"],
    [{ name: "ok", namePattern: "Run {dat}" }, "input.namePattern", "namePattern has an unknown placeholder {dat} at character 5"],
    [{ name: "ok", namePattern: "Run {date" }, "input.namePattern", "namePattern has a '{' that is never closed at character 5"],
    [{ name: "ok", namePattern: "Run }" }, "input.namePattern", "namePattern has a '}' with no '{' at character 5"],
    [{ name: "ok", namePattern: " " }, "input.namePattern", "namePattern must not be blank"],
  ])("refuses invalid input %j: BAD_USER_INPUT naming %s", async (fields, argument, message) => {
    const batch = await stage(app, sourceCsv(nextSaturday()));
    const answer = await save({ batchId: batch.id, includeRows: true, ...fields });
    expect(codeOf(answer)).toBe("BAD_USER_INPUT");
    expect(answer.errors![0]!.extensions!.argument).toBe(argument);
    expect(answer.errors![0]!.message).toContain(message);
  });

  it("refuses a pattern whose names can pass a batch name's 200 characters, and a rename that would make them: every staging from it was refused", async () => {
    const batch = await stage(app, sourceCsv(nextSaturday()));
    const name = unique("L").padEnd(95, "x");
    // The name twice (95 + 95), "{n}" (9 digits at most) and " ": 200 fits; one character more does not.
    const fits = await saved({ batchId: batch.id, name, namePattern: "{template}{template} {n}", includeRows: true });
    const tooLong = await save({ batchId: batch.id, name: `${name}y`, namePattern: "{template}{template} {n}", includeRows: true });
    expect(codeOf(tooLong)).toBe("BAD_USER_INPUT");
    expect(tooLong.errors![0]!.extensions!.argument).toBe("input.namePattern");
    expect(tooLong.errors![0]!.message).toContain("namePattern gives names of up to 202 characters");
    const answer = await app.request<{ renameBatchTemplate: Template }>(RENAME, { id: fits.id, name: `${name}yz` });
    expect(codeOf(answer)).toBe("BAD_USER_INPUT");
    expect(answer.errors![0]!.extensions!.argument).toBe("name");
    expect(answer.errors![0]!.message).toContain("up to 204 characters");
    // Unchanged.
    expect((await app.query<{ batchTemplate: BatchTemplateView }>(ONE, { id: fits.id })).batchTemplate.name).toBe(name);
  });

  it("an unknown batch (an id, a batchUid, anything) is NOT_FOUND", async () => {
    for (const batchId of [randomUUID(), "B-20200101-0001", "nope"]) {
      const answer = await save({ batchId, name: unique("x"), includeRows: true });
      expect(codeOf(answer)).toBe("NOT_FOUND");
      expect(answer.errors![0]!.message).toBe(`batch ${batchId} does not exist`);
    }
  });
});

describe("listing, renaming and deleting templates", () => {
  it("lists in name order, a page at a time, and searches names", async () => {
    const batch = await stage(app, sourceCsv(nextSaturday()));
    const tag = randomUUID().slice(0, 8);
    for (const name of [`b-${tag} beta`, `a-${tag} Alpha`, `c-${tag} gamma`]) await saved({ batchId: batch.id, name, includeRows: false });
    type List = {
      batchTemplates: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string }; edges: { node: { name: string } }[] };
    };
    const first = await app.query<List>(LIST, { first: 2, search: tag });
    expect(first.batchTemplates.totalCount).toBe(3);
    expect(first.batchTemplates.edges.map((edge) => edge.node.name)).toEqual([`a-${tag} Alpha`, `b-${tag} beta`]);
    expect(first.batchTemplates.pageInfo.hasNextPage).toBe(true);
    const next = await app.query<List>(LIST, { first: 2, search: tag, after: first.batchTemplates.pageInfo.endCursor });
    expect(next.batchTemplates.edges.map((edge) => edge.node.name)).toEqual([`c-${tag} gamma`]);
    expect(next.batchTemplates.pageInfo.hasNextPage).toBe(false);
    const gamma = await app.query<List>(LIST, { search: `${tag} GAMMA` });
    expect(gamma.batchTemplates.edges.map((edge) => edge.node.name)).toEqual([`c-${tag} gamma`]);

    expect(codeOf(await app.request(LIST, { first: 0 }))).toBe("BAD_USER_INPUT");
    expect(codeOf(await app.request(LIST, { after: "not-a-cursor" }))).toBe("BAD_USER_INPUT");
  });

  it("renames, refuses a name another template has, and audits the change", async () => {
    const batch = await stage(app, sourceCsv(nextSaturday()));
    const taken = await saved({ batchId: batch.id, name: unique("Taken"), includeRows: false });
    const template = await saved({ batchId: batch.id, name: unique("Before"), includeRows: false });
    const newName = unique("After");
    const { renameBatchTemplate } = await app.query<{ renameBatchTemplate: Template }>(RENAME, { id: template.id, name: newName });
    expect(renameBatchTemplate).toMatchObject({ id: template.id, name: newName });
    expect(Date.parse(renameBatchTemplate.updatedAt)).toBeGreaterThanOrEqual(Date.parse(template.updatedAt));
    expect(await auditOf("RENAME_TEMPLATE", newName)).toEqual([expect.objectContaining({ detail: `${template.name} → ${newName}` })]);

    // Its own name in another case is allowed: the template keeps the one name.
    const recased = await app.query<{ renameBatchTemplate: Template }>(RENAME, { id: template.id, name: newName.toUpperCase() });
    expect(recased.renameBatchTemplate.name).toBe(newName.toUpperCase());

    const clash = await app.request(RENAME, { id: template.id, name: taken.name.toLowerCase() });
    expect(codeOf(clash)).toBe("BAD_USER_INPUT");
    expect(clash.errors![0]!.extensions!.argument).toBe("name");
    expect(clash.errors![0]!.message).toContain(`a template named ${JSON.stringify(taken.name.toLowerCase())} already exists`);
    expect((await app.query<{ batchTemplate: Template }>(ONE, { id: template.id })).batchTemplate.name).toBe(newName.toUpperCase());

    const blank = await app.request(RENAME, { id: template.id, name: "" });
    expect(codeOf(blank)).toBe("BAD_USER_INPUT");
    expect(blank.errors![0]!.message).toBe("name is required");
    const unknown = await app.request(RENAME, { id: randomUUID(), name: unique("x") });
    expect(codeOf(unknown)).toBe("NOT_FOUND");
  });

  it("deletes a template (batches staged from it stay); a second delete is NOT_FOUND", async () => {
    const batch = await stage(app, sourceCsv(nextSaturday()));
    const template = await saved({ batchId: batch.id, name: unique("Doomed"), includeRows: true });
    const staged = await app.query<Staged>(STAGE_FROM, { input: { templateId: template.id, allowDuplicate: true } });
    expect(await app.query(DELETE, { id: template.id })).toEqual({ deleteBatchTemplate: template.id });
    expect(await app.query(ONE, { id: template.id })).toEqual({ batchTemplate: null });
    expect((await tradesOf(staged.stageBatchFromTemplate.batch!.id)).length).toBe(4);
    expect(await auditOf("DELETE_TEMPLATE", template.name)).toEqual([expect.objectContaining({ detail: template.name })]);
    const again = await app.request(DELETE, { id: template.id });
    expect(codeOf(again)).toBe("NOT_FOUND");
    expect(again.errors![0]!.message).toBe(`template ${template.id} does not exist`);
  });
});

describe("staging a batch from a template", () => {
  it("with rows and no file: the same trades, value dates rolled forward (a past date, a weekend date), the name from the pattern", async () => {
    const saturday = nextSaturday();
    const batch = await stage(app, sourceCsv(saturday), { priority: 12 });
    // The source batch ran weeks ago: its last trade's value date has passed.
    const past = plusDays(today(), -20);
    await sql.query("UPDATE trade SET value_date = $1 WHERE batch_id = $2 AND row_number = 4", [past, batch.id]);
    const template = await saved({
      batchId: batch.id,
      name: unique("Weekly"),
      namePattern: "Weekly {date} #{n} {{ok}}",
      includeRows: true,
    });

    const answer = await app.query<Staged>(STAGE_FROM, { input: { templateId: template.id, allowDuplicate: true } });
    expect(answer.stageBatchFromTemplate.errors).toEqual([]);
    const stagedBatch = answer.stageBatchFromTemplate.batch!;
    expect(stagedBatch).toMatchObject({ name: `Weekly ${today()} #1 {ok}`, priority: 12, totalTrades: 4, status: "PENDING" });

    // Where they land is the calendar's answer (its own tests cover holidays): after the weekend, today or later, good for the pair.
    const rolledSaturday = rollValueDate(saturday, ["ZAR", "USD"], today());
    const rolledPast = rollValueDate(past, ["GBP", "USD"], today());
    expect(rolledSaturday > saturday).toBe(true);
    expect(rolledPast >= today()).toBe(true);
    expect(isGoodValueDate(rolledSaturday, ["ZAR", "USD"]) && isGoodValueDate(rolledPast, ["GBP", "USD"])).toBe(true);
    for (const date of [rolledSaturday, rolledPast]) expect([0, 6]).not.toContain(new Date(`${date}T00:00:00Z`).getUTCDay());
    const trades = await tradesOf(stagedBatch.id);
    expect(
      trades.map(({ rowNumber, clientName, amount, valueDate, reference }) => ({ rowNumber, clientName, amount, valueDate, reference })),
    ).toEqual([
      { rowNumber: 1, clientName: "Acme", amount: "1000.50", valueDate: rolledSaturday, reference: "REF-1" },
      { rowNumber: 2, clientName: null, amount: "250.00", valueDate: null, reference: "REF-2" },
      { rowNumber: 3, clientName: "=Formula, Ltd", amount: "123456789", valueDate: goodUsdJpy(saturday), reference: null },
      { rowNumber: 4, clientName: "Delta", amount: "98765432109.99", valueDate: rolledPast, reference: "REF-4" },
    ]);
    expect(trades.map((trade) => [trade.clientId, trade.sellCurrency, trade.buyCurrency, trade.direction])).toEqual([
      ["C-1", "ZAR", "USD", "BUY"],
      ["C-2", "EUR", "GBP", "SELL"],
      ["C-3", "USD", "JPY", "BUY"],
      ["C-4", "GBP", "USD", "SELL"],
    ]);

    const [audit] = await auditOf("STAGE_BATCH", `from template ${template.name}`);
    expect(audit).toMatchObject({
      batch_id: stagedBatch.id,
      detail: `${stagedBatch.batchUid}: 4 trades, from template ${template.name}, 2 value dates rolled forward`,
    });
    const after = (await app.query<{ batchTemplate: Template }>(ONE, { id: template.id })).batchTemplate;
    expect(after.stagedCount).toBe(1);
    expect(after.lastStagedAt).not.toBeNull();

    // A second staging is the same file: refused as a repeat, exactly as stageBatch refuses it, and not counted.
    const repeat = await app.query<Staged>(STAGE_FROM, { input: { templateId: template.id } });
    expect(repeat.stageBatchFromTemplate.batch).toBeNull();
    expect(repeat.stageBatchFromTemplate.errors[0]!.message).toMatch(/^DUPLICATE_FILE: the same trades were staged as batch /);
    const second = await app.query<Staged>(STAGE_FROM, {
      input: { templateId: template.id, allowDuplicate: true, name: "  Ad hoc  ", priority: -5 },
    });
    expect(second.stageBatchFromTemplate.batch).toMatchObject({ name: "Ad hoc", priority: -5 });
    const third = await app.query<Staged>(STAGE_FROM, { input: { templateId: template.id, allowDuplicate: true } });
    expect(third.stageBatchFromTemplate.batch!.name).toBe(`Weekly ${today()} #3 {ok}`);
  });

  it("without rows: stages the uploaded file with the template's settings; no file is BAD_USER_INPUT naming input.csv", async () => {
    const batch = await stage(app, sourceCsv(nextSaturday()), { priority: 40 });
    const template = await saved({ batchId: batch.id, name: unique("Upload"), includeRows: false });
    const missing = await app.request<Staged>(STAGE_FROM, { input: { templateId: template.id } });
    expect(codeOf(missing)).toBe("BAD_USER_INPUT");
    expect(missing.errors![0]!.extensions!.argument).toBe("input.csv");
    expect(missing.errors![0]!.message).toBe(
      `template ${JSON.stringify(template.name)} has no rows: upload a CSV file to stage with its settings`,
    );

    const csv = [TRADE_CSV_COLUMNS.join(","), "C-9,Nine,1234567890,ZAR,USD,BUY,9.99,,REF-9"].join("\n");
    const answer = await app.query<Staged>(STAGE_FROM, { input: { templateId: template.id, csv, allowDuplicate: true } });
    expect(answer.stageBatchFromTemplate.batch).toMatchObject({ name: template.name, priority: 40, totalTrades: 1 });
    expect((await tradesOf(answer.stageBatchFromTemplate.batch!.id)).map((trade) => trade.amount)).toEqual(["9.99"]);

    // The file goes through the upload's own validation: row errors come back as stageBatch's, nothing staged.
    const bad = [TRADE_CSV_COLUMNS.join(","), "C-9,Nine,12,ZAR,ZAR,BUY,9.99,,"].join("\n");
    const refused = await app.query<Staged>(STAGE_FROM, { input: { templateId: template.id, csv: bad } });
    expect(refused.stageBatchFromTemplate.batch).toBeNull();
    expect(refused.stageBatchFromTemplate.errors.map((error) => [error.row, error.field])).toEqual([
      [1, "account_number"],
      [1, "buy_currency"],
    ]);
  });

  it("a template with rows stages an uploaded file instead when one is given", async () => {
    const batch = await stage(app, sourceCsv(nextSaturday()));
    const template = await saved({ batchId: batch.id, name: unique("Either"), includeRows: true });
    const csv = [TRADE_CSV_COLUMNS.join(","), "C-8,Eight,1234567890,ZAR,USD,SELL,8,,"].join("\n");
    const answer = await app.query<Staged>(STAGE_FROM, { input: { templateId: template.id, csv, allowDuplicate: true } });
    expect(answer.stageBatchFromTemplate.batch!.totalTrades).toBe(1);

    // An empty file is the file given: refused as stageBatch refuses it, not replaced by the template's rows.
    for (const blank of ["", " \n"]) {
      const empty = await app.query<Staged>(STAGE_FROM, { input: { templateId: template.id, csv: blank, allowDuplicate: true } });
      const plain = await app.query<{ stageBatch: Staged["stageBatchFromTemplate"] }>(
        "mutation($input: StageBatchInput!) { stageBatch(input: $input) { batch { id } errors { row field message } } }",
        { input: { csv: blank } },
      );
      expect(empty.stageBatchFromTemplate.batch).toBeNull();
      expect(empty.stageBatchFromTemplate.errors).toEqual(plain.stageBatch.errors);
      expect(empty.stageBatchFromTemplate.errors[0]!.message).toMatch(/^The file is empty/);
    }
    expect((await app.query<{ batchTemplate: Template }>(ONE, { id: template.id })).batchTemplate.stagedCount).toBe(1);
  });

  it("the same idempotencyKey answers with the same batch and counts one staging", async () => {
    const batch = await stage(app, sourceCsv(nextSaturday()));
    const template = await saved({ batchId: batch.id, name: unique("Keyed"), namePattern: "#{n}", includeRows: true });
    const input = { templateId: template.id, allowDuplicate: true, idempotencyKey: randomUUID() };
    const first = await app.query<Staged>(STAGE_FROM, { input });
    const again = await app.query<Staged>(STAGE_FROM, { input });
    expect(again.stageBatchFromTemplate.batch!.id).toBe(first.stageBatchFromTemplate.batch!.id);
    expect((await app.query<{ batchTemplate: Template }>(ONE, { id: template.id })).batchTemplate.stagedCount).toBe(1);
  });

  it("concurrent stagings each get their own {n}", async () => {
    const batch = await stage(app, sourceCsv(nextSaturday()));
    const template = await saved({ batchId: batch.id, name: unique("Busy"), namePattern: "Run #{n}", includeRows: true });
    const answers = await Promise.all(
      [1, 2, 3].map(() => app.query<Staged>(STAGE_FROM, { input: { templateId: template.id, allowDuplicate: true } })),
    );
    expect(answers.map((answer) => answer.stageBatchFromTemplate.batch!.name).sort()).toEqual(["Run #1", "Run #2", "Run #3"]);
    expect((await app.query<{ batchTemplate: Template }>(ONE, { id: template.id })).batchTemplate.stagedCount).toBe(3);
  });

  it("bad input: an unknown template is NOT_FOUND; a priority out of range is stageBatch's row error", async () => {
    for (const templateId of [randomUUID(), "nope"]) {
      const answer = await app.request(STAGE_FROM, { input: { templateId } });
      expect(codeOf(answer)).toBe("NOT_FOUND");
      expect(answer.errors![0]!.message).toBe(`template ${templateId} does not exist`);
    }
    expect(await app.query(ONE, { id: "nope" })).toEqual({ batchTemplate: null });
    const batch = await stage(app, sourceCsv(nextSaturday()));
    const template = await saved({ batchId: batch.id, name: unique("Range"), includeRows: true });
    const answer = await app.query<Staged>(STAGE_FROM, { input: { templateId: template.id, priority: 5000, allowDuplicate: true } });
    expect(answer.stageBatchFromTemplate.batch).toBeNull();
    expect(answer.stageBatchFromTemplate.errors).toEqual([
      { row: null, field: "priority", message: "priority must be a whole number from -1000 to 1000, got 5000" },
    ]);
  });
});

describe("who may use templates", () => {
  it("a partner sees and uses only its own; names are per owner; staff do not see a partner's", async () => {
    const acme = app.as(await app.createKey("TRADER", "acme-tpl"));
    const globex = app.as(await app.createKey("TRADER", "globex-tpl"));
    const acmeBatch = await stage(acme, sourceCsv(nextSaturday()));
    const name = unique("Shared name");
    const acmeTemplate = await saved({ batchId: acmeBatch.id, name, includeRows: true }, acme);
    // Another owner may use the same name.
    const globexBatch = await stage(globex, sourceCsv(nextSaturday()));
    await saved({ batchId: globexBatch.id, name, includeRows: false }, globex);
    await saved({ batchId: acmeBatch.id, name, includeRows: false });

    // A partner cannot save another partner's batch.
    expect(codeOf(await save({ batchId: acmeBatch.id, name: unique("steal"), includeRows: true }, globex))).toBe("NOT_FOUND");
    for (const other of [globex, app]) {
      expect(await other.query(ONE, { id: acmeTemplate.id })).toEqual({ batchTemplate: null });
      const list = await other.query<{ batchTemplates: { edges: { node: { id: string } }[] } }>(LIST, { search: name });
      expect(list.batchTemplates.edges.map((edge) => edge.node.id)).not.toContain(acmeTemplate.id);
      expect(codeOf(await other.request(RENAME, { id: acmeTemplate.id, name: unique("x") }))).toBe("NOT_FOUND");
      expect(codeOf(await other.request(DELETE, { id: acmeTemplate.id }))).toBe("NOT_FOUND");
      expect(codeOf(await other.request(STAGE_FROM, { input: { templateId: acmeTemplate.id } }))).toBe("NOT_FOUND");
    }
    const own = await acme.query<{ batchTemplates: { totalCount: number; edges: { node: { id: string } }[] } }>(LIST, { search: name });
    expect(own.batchTemplates.edges.map((edge) => edge.node.id)).toEqual([acmeTemplate.id]);
    // Staged from acme's template, the batch is acme's.
    const staged = await acme.query<Staged>(STAGE_FROM, { input: { templateId: acmeTemplate.id, allowDuplicate: true } });
    const { rows } = await sql.query("SELECT partner FROM batch WHERE id = $1", [staged.stageBatchFromTemplate.batch!.id]);
    expect(rows[0].partner).toBe("acme-tpl");
  });

  it("a VIEWER reads templates but cannot save, rename, delete or stage from one (FORBIDDEN)", async () => {
    const viewer = app.as(await app.createKey("VIEWER"));
    const batch = await stage(app, sourceCsv(nextSaturday()));
    const template = await saved({ batchId: batch.id, name: unique("Read only"), includeRows: true });
    expect((await viewer.query<{ batchTemplate: Template }>(ONE, { id: template.id })).batchTemplate.name).toBe(template.name);
    const refusals = [
      await save({ batchId: batch.id, name: unique("v"), includeRows: false }, viewer),
      await viewer.request(RENAME, { id: template.id, name: unique("v") }),
      await viewer.request(DELETE, { id: template.id }),
      await viewer.request(STAGE_FROM, { input: { templateId: template.id } }),
    ];
    for (const answer of refusals) expect(codeOf(answer), JSON.stringify(answer)).toBe("FORBIDDEN");
    expect(refusals[0]!.errors![0]!.message).toBe("manageTemplates needs the TRADER role or higher; you have VIEWER");
    expect(codeOf(await app.as(null).request(LIST, {}))).toBe("UNAUTHENTICATED");
  });
});
