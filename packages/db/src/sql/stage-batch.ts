import type { ValidTradeRow } from "@fxbt/domain";
import { Prisma, type PrismaClient } from "../generated/prisma/client";
import type { Queryable } from "../queryable";
import { BATCH_COLUMNS, type BatchRow } from "../rows";
import { discardCachedPlans } from "./cached-plans";

export interface StageBatchRecord {
  name: string | null;
  priority: number;
  rows: readonly ValidTradeRow[];
  now?: Date;
  /** SHA-256 (hex) of the batch's normalised trades; without it no repeat of content is looked for. */
  contentHash?: string | null;
  /** The caller's key for this call: the same key answers with the batch it made. */
  stagingKey?: string | null;
  /** Stage even when a batch of the same content was staged within `duplicateWindowDays`. */
  allowDuplicate?: boolean;
  /** How far back an earlier batch of the same content makes this one a duplicate. Default 7. */
  duplicateWindowDays?: number;
  /** The partner the batch belongs to: keys and repeats are looked for among its batches only. */
  partner?: string | null;
  stagedById?: string | null;
  stagedBy?: string | null;
  /** Set by the four-eyes policy: the batch cannot start until approved. */
  approvalRequired?: boolean;
  /** Runs in the staging transaction once the batch is in (the audit record), so both commit or neither. */
  onStaged?: (tx: Queryable, batch: BatchRow) => Promise<void>;
}

/**
 * The staging key as stored: one partner's key never finds another partner's batch, and
 * nothing a caller writes can collide with another owner's key.
 */
const storedStagingKey = (record: StageBatchRecord) =>
  Prisma.sql`jsonb_build_array(${record.partner ?? null}::text, ${record.stagingKey ?? null}::text)::text`;

/**
 * What staging did: made the batch; found the batch the same key made before (nothing new is
 * staged); found the key used for other content; or found a recent batch of the same content.
 */
export type StageBatchResult =
  | { kind: "staged"; batch: BatchRow }
  | { kind: "sameKey"; batch: BatchRow }
  | { kind: "keyUsedForOtherContent"; batch: BatchRow }
  | { kind: "duplicateContent"; batch: BatchRow };

/** B-YYYYMMDD-NNNN, numbered per UTC day. */
export function formatBatchUid(day: string, sequence: number): string {
  return `B-${day}-${String(sequence).padStart(4, "0")}`;
}

/**
 * Saves a batch and all its trades in one transaction: either every row is stored or none.
 * The trades go in with one INSERT … SELECT FROM unnest(…), not a statement per row.
 *
 * Repeats are decided first, under transaction-scoped advisory locks on the staging key and on
 * the content, so concurrent calls with one key (a client retrying after a timeout) or one file
 * stage it once: the first commits, the others then find its batch.
 */
export async function stageBatchOnce(prisma: PrismaClient, record: StageBatchRecord): Promise<StageBatchResult> {
  return prisma.$transaction(
    async (tx) => {
      if (record.stagingKey) {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('fxbt.stage.key'), hashtext(${storedStagingKey(record)}))`;
        const [earlier] = await tx.$queryRaw<
          BatchRow[]
        >`SELECT ${BATCH_COLUMNS} FROM batch WHERE staging_key = ${storedStagingKey(record)}`;
        if (earlier) return { kind: earlier.contentHash === record.contentHash ? "sameKey" : "keyUsedForOtherContent", batch: earlier };
      }
      if (record.contentHash) await lockContent(tx, record.contentHash);
      if (record.contentHash && !record.allowDuplicate) {
        const duplicate = await findRecentDuplicate(tx, record.contentHash, record.partner ?? null, record.duplicateWindowDays ?? 7);
        if (duplicate) return { kind: "duplicateContent", batch: duplicate };
      }
      const batch = await insertBatchAndTrades(tx, record);
      await record.onStaged?.(tx, batch);
      return { kind: "staged", batch };
    },
    { timeout: 120_000, maxWait: 10_000 },
  );
}

/**
 * The partner's latest batch of the same content staged within the window, if any: a repeat. The
 * caller holds the content's advisory lock (lockContent), so two calls with one content see each other.
 */
export async function findRecentDuplicate(
  tx: Queryable,
  contentHash: string,
  partner: string | null,
  windowDays: number,
): Promise<BatchRow | null> {
  const [duplicate] = await tx.$queryRaw<BatchRow[]>`
    SELECT ${BATCH_COLUMNS} FROM batch
    WHERE content_hash = ${contentHash} AND partner IS NOT DISTINCT FROM ${partner}
      AND created_at > now() - make_interval(days => ${windowDays}::int)
    ORDER BY created_at DESC LIMIT 1`;
  return duplicate ?? null;
}

/** Waits, until the transaction ends, for any other transaction staging the same content. */
export async function lockContent(tx: Queryable, contentHash: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('fxbt.stage.content'), hashtext(${contentHash}))`;
}

/** Saves a batch and all its trades in one transaction, without looking for repeats (tests, benchmarks). */
export function insertStagedBatch(prisma: PrismaClient, record: StageBatchRecord): Promise<BatchRow> {
  return prisma.$transaction((tx) => insertBatchAndTrades(tx, record), { timeout: 120_000, maxWait: 10_000 });
}

/**
 * Rows per trade INSERT. One statement for 100,000 rows made Prisma hold every column several
 * times over at once (its raw parameters are copied, serialised to one JSON text and parsed back
 * before pg writes them as array literals), and the process kept that peak as resident memory:
 * chunks lowered the staging peak of bench/rss.ts from 324 to 265 MiB. Every chunk runs in the
 * one staging transaction, at one round trip per 5,000 rows.
 */
export const STAGE_INSERT_CHUNK_ROWS = 5_000;

/** Inserts a batch (its batchUid the next of its UTC day) and its trades, in the caller's transaction. */
export async function insertBatchAndTrades(tx: Queryable, record: StageBatchRecord): Promise<BatchRow> {
  const { rows } = record;
  // Each trade's batch_id is checked against batch with a plan this connection may have made when
  // batch was a page: made again now, it is not a read of all of batch per trade. A trade entered
  // alone is one check, one such read at worst: not worth a round trip on every entry.
  if (rows.length > 1) await discardCachedPlans(tx);
  const day = (record.now ?? new Date()).toISOString().slice(0, 10).replaceAll("-", "");
  const [counter] = await tx.$queryRaw<{ lastValue: number }[]>`
    INSERT INTO batch_uid_counter (day, last_value) VALUES (${day}, 1)
    ON CONFLICT (day) DO UPDATE SET last_value = batch_uid_counter.last_value + 1
    RETURNING last_value AS "lastValue"`;
  const [batch] = await tx.$queryRaw<BatchRow[]>`
    INSERT INTO batch (id, batch_uid, name, priority, total_trades, staging_key, content_hash, partner,
                       staged_by_id, staged_by, approval_required, updated_at)
    VALUES (gen_random_uuid(), ${formatBatchUid(day, counter!.lastValue)}, ${record.name}, ${record.priority}, ${rows.length},
            ${record.stagingKey ? storedStagingKey(record) : null}, ${record.contentHash ?? null}, ${record.partner ?? null},
            ${record.stagedById ?? null}::uuid, ${record.stagedBy ?? null}, ${record.approvalRequired ?? false}, now())
    RETURNING ${BATCH_COLUMNS}`;
  for (let from = 0; from < rows.length; from += STAGE_INSERT_CHUNK_ROWS) {
    await insertTrades(tx, batch!.id, rows.slice(from, from + STAGE_INSERT_CHUNK_ROWS));
  }
  return batch!;
}

/** One INSERT … SELECT FROM unnest(…) of some of a batch's trades. */
async function insertTrades(tx: Queryable, batchId: string, rows: readonly ValidTradeRow[]): Promise<void> {
  const column = <K extends keyof ValidTradeRow>(key: K) => rows.map((row) => row[key]);
  await tx.$executeRaw`
    INSERT INTO trade (id, batch_id, row_number, client_id, client_name, account_number, sell_currency,
                       buy_currency, direction, amount, value_date, reference, updated_at)
    SELECT gen_random_uuid(), ${batchId}::uuid, r.*, now()
    FROM unnest(${column("rowNumber")}::int[], ${column("clientId")}::text[], ${column("clientName")}::text[],
                ${column("accountNumber")}::text[], ${column("sellCurrency")}::text[], ${column("buyCurrency")}::text[],
                ${column("direction")}::"TradeDirection"[], ${column("amount")}::numeric[],
                ${column("valueDate")}::date[], ${column("reference")}::text[]) AS r`;
}
