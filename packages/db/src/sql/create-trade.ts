import type { TradeInstruction } from "@fxbt/domain";
import { Prisma, type PrismaClient } from "../generated/prisma/client";
import type { Queryable } from "../queryable";
import { BATCH_COLUMNS, type BatchRow, TRADE_COLUMNS, type TradeRow } from "../rows";
import { CSV_ROW } from "./fragments";
import { findRecentDuplicate, insertBatchAndTrades, lockContent, type StageBatchRecord } from "./stage-batch";

/** Where a trade entered by hand goes: into a staged batch, or into a batch of its own. */
export type TradeDestination =
  | {
      kind: "batch";
      batchId: string;
      /**
       * Decides, with the batch row locked (null: no such batch), whether the trade may join it;
       * throws to refuse. Returns whether the batch needs four-eyes approval once the trade is in.
       */
      admit: (tx: Queryable, batch: BatchRow | null) => Promise<{ approvalRequired: boolean }>;
    }
  | {
      kind: "alone";
      /** The one-trade batch, staged as stageBatch stages a file of one row (its repeat checks included). */
      batch: Omit<StageBatchRecord, "rows" | "stagingKey" | "onStaged" | "partner" | "stagedById" | "stagedBy">;
    };

export interface CreateTradeRecord {
  trade: TradeInstruction;
  destination: TradeDestination;
  partner: string | null;
  createdById: string | null;
  createdBy: string | null;
  /** The caller's key for this call: the same key answers with the trade it made. */
  entryKey: string | null;
  /** SHA-256 (hex) of what was asked (the trade and its destination): a key reused for another request is refused. */
  requestHash: string;
  /** Runs in the transaction once the trade is in (the audit record), so both commit or neither. */
  onCreated: (tx: Queryable, trade: TradeRow, batch: BatchRow) => Promise<void>;
}

/**
 * What createTrade did: made the trade (in a new batch or a staged one); found the trade the same
 * key made before (nothing new); found the key used for another request; or found a batch of the
 * same one trade staged recently (only when the trade goes alone).
 */
export type CreateTradeResult =
  | { kind: "created"; trade: TradeRow; batch: BatchRow; newBatch: boolean }
  | { kind: "sameKey"; trade: TradeRow; batch: BatchRow }
  | { kind: "keyUsedForOtherRequest"; trade: TradeRow; batch: BatchRow }
  | { kind: "duplicateContent"; batch: BatchRow };

const storedKey = (partner: string | null, key: string) => Prisma.sql`jsonb_build_array(${partner}::text, ${key}::text)::text`;

/**
 * Saves one trade entered by hand, in one transaction with its batch's counters, its event number
 * and its audit record. The key's advisory lock is taken first, so concurrent calls with one key
 * (a double click, a retry after a timeout) make one trade: the first commits, the others find it.
 *
 * Into a staged batch, the batch row is locked (FOR UPDATE, as startBatch, cancelBatch and
 * deleteBatch lock it) before anything is decided: a start, cancel or delete either committed
 * before (and `admit` refuses) or waits until the trade is in (and then starts, cancels or deletes
 * the batch with it). The trade takes the next position (row_number total_trades + 1: trades are
 * never removed from a batch, so positions stay 1…n, which the runner's claim order and the
 * cancel's windows rely on) and the batch's next event number, so a subscriber resuming after an
 * earlier number gets the new trade. Either way the trade is marked entered_singly: it came from no
 * row of a CSV, and is never shown as one (toTradeView).
 */
export async function createTradeOnce(prisma: PrismaClient, record: CreateTradeRecord): Promise<CreateTradeResult> {
  return prisma.$transaction(
    async (tx) => {
      if (record.entryKey) {
        const key = storedKey(record.partner, record.entryKey);
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('fxbt.trade.key'), hashtext(${key}))`;
        const [earlier] = await tx.$queryRaw<{ requestHash: string; tradeId: string }[]>`
          SELECT request_hash AS "requestHash", trade_id AS "tradeId" FROM trade_entry_key WHERE key = ${key}`;
        if (earlier) {
          const [trade] = await tx.$queryRaw<TradeRow[]>`SELECT ${TRADE_COLUMNS} FROM trade WHERE id = ${earlier.tradeId}::uuid`;
          const [batch] = await tx.$queryRaw<BatchRow[]>`SELECT ${BATCH_COLUMNS} FROM batch WHERE id = ${trade!.batchId}::uuid`;
          return { kind: earlier.requestHash === record.requestHash ? "sameKey" : "keyUsedForOtherRequest", trade: trade!, batch: batch! };
        }
      }
      const made = record.destination.kind === "batch" ? await addToBatch(tx, record, record.destination) : await stageAlone(tx, record);
      if (made.kind !== "created") return made;
      if (record.entryKey) {
        await tx.$executeRaw`
          INSERT INTO trade_entry_key (key, trade_id, request_hash)
          VALUES (${storedKey(record.partner, record.entryKey)}, ${made.trade.id}::uuid, ${record.requestHash})`;
      }
      await record.onCreated(tx, made.trade, made.batch);
      return made;
    },
    { timeout: 60_000, maxWait: 10_000 },
  );
}

async function addToBatch(
  tx: Queryable,
  record: CreateTradeRecord,
  destination: Extract<TradeDestination, { kind: "batch" }>,
): Promise<CreateTradeResult> {
  const [locked] = await tx.$queryRaw<BatchRow[]>`SELECT ${BATCH_COLUMNS} FROM batch WHERE id = ${destination.batchId}::uuid FOR UPDATE`;
  const { approvalRequired } = await destination.admit(tx, locked ?? null);
  // Setting event_sequence here takes the number the trigger batch_event_sequence would have taken
  // for the batch's change: the range of this transaction is that one number, and the trade carries it.
  const [batch] = await tx.$queryRaw<BatchRow[]>`
    UPDATE batch SET total_trades = total_trades + 1, event_sequence = event_sequence + 1, approval_required = approval_required OR ${approvalRequired}
    WHERE id = ${destination.batchId}::uuid RETURNING ${BATCH_COLUMNS}`;
  const { trade: t } = record;
  const [trade] = await tx.$queryRaw<TradeRow[]>`
    INSERT INTO trade (id, batch_id, row_number, entered_singly, sequence, client_id, client_name, account_number, sell_currency,
                       buy_currency, direction, amount, value_date, reference, updated_at)
    VALUES (gen_random_uuid(), ${batch!.id}::uuid, ${batch!.totalTrades}::int, true, ${batch!.eventSequence}::int, ${t.clientId},
            ${t.clientName}, ${t.accountNumber}, ${t.sellCurrency}, ${t.buyCurrency}, ${t.direction}::"TradeDirection",
            ${t.amount}::numeric, ${t.valueDate}::date, ${t.reference}, now())
    RETURNING ${TRADE_COLUMNS}`;
  return { kind: "created", trade: trade!, batch: batch!, newBatch: false };
}

async function stageAlone(tx: Queryable, record: CreateTradeRecord): Promise<CreateTradeResult> {
  const { batch: staging } = record.destination as Extract<TradeDestination, { kind: "alone" }>;
  if (staging.contentHash) await lockContent(tx, staging.contentHash);
  if (staging.contentHash && !staging.allowDuplicate) {
    const duplicate = await findRecentDuplicate(tx, staging.contentHash, record.partner, staging.duplicateWindowDays ?? 7);
    if (duplicate) return { kind: "duplicateContent", batch: duplicate };
  }
  const batch = await insertBatchAndTrades(tx, {
    ...staging,
    rows: [{ rowNumber: 1, ...record.trade }],
    partner: record.partner,
    stagedById: record.createdById,
    stagedBy: record.createdBy,
  });
  // Staged as a file of one row, it is still a trade entered by hand.
  const [trade] = await tx.$queryRaw<TradeRow[]>`
    UPDATE trade SET entered_singly = true WHERE batch_id = ${batch.id}::uuid RETURNING ${TRADE_COLUMNS}`;
  return { kind: "created", trade: trade!, batch, newBatch: true };
}

/** The amount of each of a batch's trades and the currency it is in (for the four-eyes policy), exact as text. */
export function batchTradeAmounts(db: Queryable, batchId: string): Promise<{ amount: string; amountCurrency: string }[]> {
  return db.$queryRaw`
    SELECT amount::text AS amount, CASE WHEN direction = 'BUY' THEN buy_currency ELSE sell_currency END AS "amountCurrency"
    FROM trade WHERE batch_id = ${batchId}::uuid`;
}

/**
 * The batch's trade with this reference, if one has it (references are unique within a batch, as
 * within a file): its id, and its CSV row (null when it was entered by hand).
 */
export async function tradeWithReference(
  db: Queryable,
  batchId: string,
  reference: string,
): Promise<{ id: string; csvRow: number | null } | null> {
  const [trade] = await db.$queryRaw<{ id: string; csvRow: number | null }[]>`
    SELECT id, ${CSV_ROW} AS "csvRow"
    FROM trade WHERE batch_id = ${batchId}::uuid AND reference = ${reference} LIMIT 1`;
  return trade ?? null;
}
