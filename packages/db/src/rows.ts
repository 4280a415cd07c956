import type { AttemptOutcome, BatchStatus, BatchView, PrincipalKind, Role, TradeAttemptView, TradeStatus, TradeView } from "@fxbt/domain";
import { CANCELLED_BEFORE_WRITTEN, roundToMinorUnits } from "@fxbt/domain";
import type {
  $Enums,
  ApiKey,
  AppUser,
  AuditEvent,
  Batch,
  BatchTemplate,
  Trade,
  TradeArchive,
  TradeAttempt,
  TradeAttemptArchive,
} from "./generated/prisma/client";
import { Prisma } from "./generated/prisma/client";

/**
 * Rows as the database holds them. prisma/schema.prisma is the one source of their shape:
 * the row types are Prisma's model types and the column lists below are built from its
 * field lists, so a field added to the schema reaches every statement without an edit here.
 */
export type BatchRow = Batch;
export type TradeRow = Trade;
export type TradeAttemptRow = TradeAttempt;
export type UserRow = AppUser;
export type ApiKeyRow = ApiKey;
export type AuditEventRow = AuditEvent;
/** A template as the list and lookups read it: every column but its rows (templateRows reads those). */
export type BatchTemplateRow = Omit<BatchTemplate, "rows">;

/** schema.prisma maps every field to its snake_case column (`batchUid` → `batch_uid`). */
const columnOf = (field: string) => field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

/**
 * `alias.column AS "field"` for every scalar field of a model, so raw SQL returns rows of
 * the model's own camelCase shape and one mapper serves raw and Prisma queries alike.
 */
function selectList(
  fields: Record<string, string>,
  alias: string,
  prefix = "",
  readAs: Record<string, (alias: string) => string> = {},
): Prisma.Sql {
  return Prisma.raw(
    Object.keys(fields)
      .map((field) => `${readAs[field]?.(alias) ?? `${alias}.${columnOf(field)}`} AS "${prefix}${field}"`)
      .join(", "),
  );
}

/**
 * The batches some of whose cancelled trades still have rows saying PENDING (cancelled_unmoved_trades
 * above 0, a range of its index): an uncorrelated subquery, so PostgreSQL reads it once per statement.
 * By the counter's invariant these are exactly the batches whose cancel was requested and which have
 * PENDING rows, the batches CANCELLED_BEFORE_WRITTEN applies to.
 */
export const BATCHES_CANCELLED_BEFORE_WRITTEN = "ARRAY(SELECT cb.id FROM batch cb WHERE cb.cancelled_unmoved_trades > 0)";

/** A trade's status as every read shows it (the domain's CANCELLED_BEFORE_WRITTEN): the column, but CANCELLED for a cancel's unwritten PENDING rows. */
export const tradeStatusAsRead = (alias: string): string =>
  `CASE WHEN ${alias}.status = '${CANCELLED_BEFORE_WRITTEN.stored}' AND ${alias}.batch_id = ANY(${BATCHES_CANCELLED_BEFORE_WRITTEN}) ` +
  `THEN '${CANCELLED_BEFORE_WRITTEN.readsAs}'::"TradeStatus" ELSE ${alias}.status END`;

/** The bare column names of a model, in its field order: for statements that copy rows between twin tables. */
const columnNames = (fields: Record<string, string>) => Object.keys(fields).map(columnOf).join(", ");
export const TRADE_COLUMN_NAMES = columnNames(Prisma.TradeScalarFieldEnum);
export const TRADE_ATTEMPT_COLUMN_NAMES = columnNames(Prisma.TradeAttemptScalarFieldEnum);

export const batchColumns = (alias = "batch") => selectList(Prisma.BatchScalarFieldEnum, alias);
/** A batch's columns as `"<prefix><field>"`, for a statement that returns them beside another row's. */
export const batchFieldsAs = (alias: string, prefix: string) => selectList(Prisma.BatchScalarFieldEnum, alias, prefix);
/** A trade's columns as every read shows them: its status by the domain's rule (tradeStatusAsRead). */
export const tradeColumns = (alias = "trade") => selectList(Prisma.TradeScalarFieldEnum, alias, "", { status: tradeStatusAsRead });
/**
 * A trade's columns as its row holds them: what its event number stands for. `sequence` numbers
 * the change that wrote the row, so the moves' results (the events) and the resume read
 * (listTradesChangedAfter) give the row's own status: a cancel's unwritten PENDING trade was not
 * changed by that number, and its CANCELLED comes with its own number when its chunk writes it.
 */
export const tradeColumnsAsWritten = (alias = "trade") => selectList(Prisma.TradeScalarFieldEnum, alias);
export const BATCH_COLUMNS = batchColumns();
export const TRADE_COLUMNS = tradeColumns();
export const TRADE_ATTEMPT_COLUMNS = selectList(Prisma.TradeAttemptScalarFieldEnum, "trade_attempt");
export const USER_COLUMNS = selectList(Prisma.AppUserScalarFieldEnum, "app_user");
export const API_KEY_COLUMNS = selectList(Prisma.ApiKeyScalarFieldEnum, "api_key");
export const AUDIT_EVENT_COLUMNS = selectList(Prisma.AuditEventScalarFieldEnum, "audit_event");
/** Every column of a template but its rows, which only templateRows reads. */
export const BATCH_TEMPLATE_COLUMNS = selectList(
  Object.fromEntries(Object.entries(Prisma.BatchTemplateScalarFieldEnum).filter(([field]) => field !== "rows")),
  "batch_template",
);

/**
 * Fields of a trade row that stay inside the product: the runner's claim bookkeeping, and the mark of
 * a trade entered by hand (which the view shows as having no row: toTradeView).
 */
type InternalTradeField = "idempotencyKey" | "lockedAt" | "enteredSingly";
/** Fields of a batch row that stay inside the product: how staging recognises a repeat, and the bookkeeping of event numbers. */
type InternalBatchField = "stagingKey" | "contentHash" | "eventSequenceFrom" | "eventSequenceTx";

/** Compile-time proofs: the type checker refuses this file when a view and its model drift apart. */
type SameFields<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never] ? true : false;
type SameType<A, B> = [A, B] extends [B, A] ? true : false;
type Holds<T extends true> = T;
export type ViewsMatchModels = [
  Holds<SameFields<BatchView, Omit<BatchRow, InternalBatchField>>>,
  Holds<SameFields<TradeView, Omit<TradeRow, InternalTradeField>>>,
  Holds<SameFields<TradeAttemptView, TradeAttemptRow>>,
  // The archive tables hold the same rows: reads union them with the hot tables column for column.
  Holds<SameType<TradeArchive, TradeRow>>,
  Holds<SameType<TradeAttemptArchive, TradeAttemptRow>>,
  Holds<SameType<BatchStatus, $Enums.BatchStatus>>,
  Holds<SameType<AttemptOutcome, $Enums.AttemptOutcome>>,
  Holds<SameType<TradeStatus, $Enums.TradeStatus>>,
  Holds<SameType<Role, $Enums.Role>>,
  Holds<SameType<PrincipalKind, $Enums.PrincipalKind>>,
];

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

export function toBatchView(row: BatchRow): BatchView {
  const { stagingKey, contentHash, eventSequenceFrom, eventSequenceTx, ...fields } = row;
  return {
    ...fields,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    queuedAt: iso(row.queuedAt),
    startedAt: iso(row.startedAt),
    completedAt: iso(row.completedAt),
    cancelRequestedAt: iso(row.cancelRequestedAt),
    runStartedAt: iso(row.runStartedAt),
    bankUnavailableSince: iso(row.bankUnavailableSince),
    approvedAt: iso(row.approvedAt),
    archivedAt: iso(row.archivedAt),
  };
}

export function toTradeView(row: TradeRow): TradeView {
  const { idempotencyKey, lockedAt, enteredSingly, ...fields } = row;
  return {
    ...fields,
    // A trade entered by hand came from no row of a CSV: its row_number is only its position in the batch.
    rowNumber: enteredSingly ? null : row.rowNumber,
    amount: roundToMinorUnits(row.amount.toFixed(), row.direction === "BUY" ? row.buyCurrency : row.sellCurrency),
    valueDate: row.valueDate ? row.valueDate.toISOString().slice(0, 10) : null,
    rate: row.rate?.toFixed() ?? null,
    sellAmount: row.sellAmount && roundToMinorUnits(row.sellAmount.toFixed(), row.sellCurrency),
    buyAmount: row.buyAmount && roundToMinorUnits(row.buyAmount.toFixed(), row.buyCurrency),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function toTradeAttemptView(row: TradeAttemptRow, trade: Pick<TradeRow, "sellCurrency" | "buyCurrency">): TradeAttemptView {
  return {
    ...row,
    rate: row.rate?.toFixed() ?? null,
    sellAmount: row.sellAmount && roundToMinorUnits(row.sellAmount.toFixed(), trade.sellCurrency),
    buyAmount: row.buyAmount && roundToMinorUnits(row.buyAmount.toFixed(), trade.buyCurrency),
    quoteExpiresAt: iso(row.quoteExpiresAt),
    bookingSentAt: iso(row.bookingSentAt),
    startedAt: row.startedAt.toISOString(),
    finishedAt: iso(row.finishedAt),
  };
}
