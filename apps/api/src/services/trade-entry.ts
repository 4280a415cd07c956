import { createHash } from "node:crypto";
import {
  type BatchRow,
  batchTradeAmounts,
  createTradeOnce,
  type Database,
  type Queryable,
  type TradeDestination,
  toTradeView,
  tradeWithReference,
} from "@fxbt/db";
import {
  type ApprovalPolicy,
  amountCurrencyOf,
  canSeeBatch,
  DUPLICATE_FILE_WINDOW_DAYS,
  duplicateFileMessage,
  FIELD_LIMITS,
  fourEyesAdditionProblem,
  NO_APPROVAL,
  needsApproval,
  oneTradeBatchName,
  quoteValue,
  type RowError,
  type TradeEntryInput,
  type TradeView,
  textLengthProblem,
  tradeAdditionProblem,
  unstorableTextProblem,
  validateTradeEntry,
} from "@fxbt/domain";
import type { EventPublisher } from "@fxbt/events";
import type { GraphQLError } from "graphql";
import { apiError, notFound } from "../errors";
import { checkId } from "../ids";
import { actorOf } from "./access";
import { recordAudit } from "./audit";
import type { Acting } from "./batch-commands";
import { tradesContentHash } from "./content-hash";

export interface CreateTradeInput extends TradeEntryInput {
  /** A PENDING batch never started to add the trade to; without it the trade gets a batch of its own. */
  batchId?: string | null;
  /** The caller's key for this call: the same key answers with the trade it made, and makes nothing new. */
  idempotencyKey?: string | null;
  /** Alone only: make the batch even when the same one trade was staged in the last 7 days. */
  allowDuplicate?: boolean | null;
}

export interface TradeEntryDeps {
  database: Database;
  publisher: EventPublisher;
  /** The most trades a batch may hold (the CSV's row limit). */
  maxTrades: number;
  approvalPolicy?: ApprovalPolicy;
  now?: () => Date;
}

const MAX_KEY_LENGTH = 200;

/** A problem of one input field found only once the batch is locked: it becomes a RowError, not a GraphQL error. */
class FieldRefusal extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * createTrade: one trade entered by hand, checked by the CSV row's rules (validateTradeEntry), into
 * a staged batch or into a one-trade batch of its own, audited, and published to live lists and
 * subscribers once committed.
 */
export class TradeEntry {
  constructor(private readonly deps: TradeEntryDeps) {}

  async createTrade(input: CreateTradeInput, acting: Acting): Promise<{ trade: TradeView | null; errors: RowError[] }> {
    const batchId = input.batchId?.trim() || null;
    if (batchId) checkId("batch", batchId);
    const entryKey = input.idempotencyKey?.trim() || null;
    const errors: RowError[] = [];
    const validated = validateTradeEntry(input, this.today());
    if (!validated.ok) for (const { field, message } of validated.errors) errors.push({ row: null, field, message });
    const keyProblem = entryKey && unstorableTextProblem(entryKey);
    if (keyProblem) errors.push({ row: null, field: "idempotencyKey", message: `idempotencyKey ${keyProblem}` });
    else {
      const keyTooLong = entryKey && textLengthProblem("idempotencyKey", entryKey, MAX_KEY_LENGTH);
      if (keyTooLong) errors.push({ row: null, field: "idempotencyKey", message: keyTooLong });
    }
    if (!validated.ok || errors.length > 0) return { trade: null, errors };

    const { trade } = validated;
    const { caller } = acting;
    const actor = actorOf(caller, acting.address);
    const allowDuplicate = input.allowDuplicate ?? false;
    const destination: TradeDestination = batchId
      ? { kind: "batch", batchId, admit: (tx, batch) => this.admit(tx, batch, batchId, trade, acting) }
      : {
          kind: "alone",
          batch: {
            name: oneTradeBatchName(trade),
            priority: 0,
            now: this.deps.now?.(),
            contentHash: tradesContentHash([{ rowNumber: 1, ...trade }]),
            allowDuplicate,
            duplicateWindowDays: DUPLICATE_FILE_WINDOW_DAYS,
            approvalRequired: needsApproval(this.policy, [{ amount: trade.amount, amountCurrency: amountCurrencyOf(trade) }]),
          },
        };
    let created: Awaited<ReturnType<typeof createTradeOnce>>;
    try {
      created = await createTradeOnce(this.deps.database.prisma, {
        trade,
        destination,
        partner: caller.partner,
        createdById: caller.id,
        createdBy: caller.name,
        entryKey,
        requestHash: sha256(JSON.stringify([trade, batchId, allowDuplicate])),
        onCreated: (tx, made, batch) =>
          recordAudit(tx, actor, {
            action: "CREATE_TRADE",
            outcome: "SUCCEEDED",
            batchId: batch.id,
            detail:
              `${batch.batchUid}: trade ${made.id}, ${trade.direction} ${trade.amount} ${amountCurrencyOf(trade)} ` +
              `for ${trade.clientId}${batchId ? "" : " (a batch of its own)"}${batch.approvalRequired ? ", needs approval" : ""}`,
          }),
      });
    } catch (error) {
      if (error instanceof FieldRefusal) return { trade: null, errors: [{ row: null, field: error.field, message: error.message }] };
      // A refusal by the batch's state is recorded once the transaction has rolled back, as batch commands record theirs.
      if ((error as GraphQLError).extensions?.code === "BAD_BATCH_STATE") {
        await recordAudit(this.deps.database.prisma, actor, {
          action: "CREATE_TRADE",
          outcome: "REFUSED",
          batchId,
          detail: (error as GraphQLError).message,
        });
      }
      throw error;
    }
    switch (created.kind) {
      case "created":
        // A new batch is announced as staging announces one; a trade joining a batch is also a trade event (with its number).
        this.deps.publisher.publish({
          trades: created.newBatch ? [] : [{ trade: created.trade, previousStatus: null }],
          batches: [created.batch],
        });
        return { trade: toTradeView(created.trade), errors: [] };
      case "sameKey":
        return { trade: toTradeView(created.trade), errors: [] };
      case "keyUsedForOtherRequest":
        throw apiError(
          "BAD_USER_INPUT",
          `idempotencyKey ${JSON.stringify(entryKey)} already made trade ${created.trade.id} (in batch ${created.batch.batchUid}) ` +
            "from a different request; use a new key for a new trade",
          { argument: "input.idempotencyKey", batchUid: created.batch.batchUid, tradeId: created.trade.id },
        );
      case "duplicateContent":
        return { trade: null, errors: [{ row: null, field: null, message: duplicateFileMessage(created.batch) }] };
    }
  }

  /** Decides, with the batch row locked, whether the trade may join it (see tradeAdditionProblem, fourEyesAdditionProblem). */
  private async admit(
    tx: Queryable,
    batch: BatchRow | null,
    batchId: string,
    trade: { reference: string | null; amount: string; direction: "BUY" | "SELL"; sellCurrency: string; buyCurrency: string },
    { caller }: Acting,
  ): Promise<{ approvalRequired: boolean }> {
    // Another partner's batch is NOT_FOUND, never FORBIDDEN: its existence is not told.
    if (!batch || !canSeeBatch(caller, batch)) throw notFound("batch", batchId);
    const refuse = (reason: string) =>
      apiError("BAD_BATCH_STATE", `batch ${batch.batchUid}: ${reason}`, { id: batch.id, status: batch.status });
    const problem = tradeAdditionProblem(batch, this.deps.maxTrades);
    if (problem) throw refuse(problem);
    if (trade.reference !== null) {
      const holder = await tradeWithReference(tx, batch.id, trade.reference);
      if (holder !== null) {
        const where =
          holder.csvRow !== null
            ? `in row ${holder.csvRow} of batch ${batch.batchUid}`
            : `in batch ${batch.batchUid} by trade ${holder.id}, entered by hand`;
        throw new FieldRefusal(
          "reference",
          `reference ${quoteValue(trade.reference, FIELD_LIMITS.referenceMax)} is already used ${where}; references must be unique within a batch`,
        );
      }
    }
    let approvalRequired = batch.approvalRequired;
    if (!approvalRequired && this.policy !== NO_APPROVAL) {
      const amounts = await batchTradeAmounts(tx, batch.id);
      amounts.push({ amount: trade.amount, amountCurrency: amountCurrencyOf(trade) });
      approvalRequired = needsApproval(this.policy, amounts);
    }
    const fourEyes = fourEyesAdditionProblem(batch, caller, approvalRequired);
    if (fourEyes) throw refuse(fourEyes);
    return { approvalRequired };
  }

  private get policy(): ApprovalPolicy {
    return this.deps.approvalPolicy ?? NO_APPROVAL;
  }

  /** Today's date in UTC, YYYY-MM-DD. */
  private today(): string {
    return (this.deps.now?.() ?? new Date()).toISOString().slice(0, 10);
  }
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
