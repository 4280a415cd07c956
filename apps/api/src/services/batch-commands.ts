import {
  analyzeTradesAfterStaging,
  approveBatchRow,
  type BatchRow,
  batchTotals,
  type CommittedChange,
  countValueDates,
  type Database,
  deleteBatchRow,
  findBatch,
  findTradesOfBatch,
  flagBatchArchived,
  lockBatch,
  type Queryable,
  queueBatch,
  requestCancel,
  requeueFailedTrades,
  stageBatchOnce,
  toBatchView,
} from "@fxbt/db";
import {
  type ApprovalPolicy,
  approverProblem,
  BATCH_NAME_MAX,
  type BatchAction,
  type BatchView,
  canSeeBatch,
  checkBatchAction,
  DUPLICATE_FILE_WINDOW_DAYS,
  duplicateFileMessage,
  NO_APPROVAL,
  needsApproval,
  nothingToRetryReason,
  parseTradeCsv,
  pastValueDatesReason,
  planRetry,
  planSelectedRetry,
  priorityProblem,
  type RowError,
  retrySelectionProblem,
  type SelectionProblem,
  selectedRetryDetail,
  textLengthProblem,
  unstorableTextProblem,
} from "@fxbt/domain";
import type { EventPublisher } from "@fxbt/events";
import type { GraphQLError } from "graphql";
import type { Logger } from "pino";
import type { Caller } from "../auth/authenticate";
import { apiError, notFound } from "../errors";
import { checkId, isUuid } from "../ids";
import { actorOf } from "./access";
import { type AuditAction, recordAudit } from "./audit";
import { tradesContentHash } from "./content-hash";

export interface StageLimits {
  maxRows: number;
  maxBytes: number;
}

export interface BatchCommandDeps {
  database: Database;
  publisher: EventPublisher;
  /** Asks the runner to promote queued batches now; resolves when it has. */
  wakeRunner: () => Promise<void>;
  limits: StageLimits;
  /** Four eyes: which batches need approval before they start. Default: none. */
  approvalPolicy?: ApprovalPolicy;
  /** Moves an archived batch's trades (archiveBatch): the first chunk at once, the rest in a run. */
  archival?: { moveFirstChunk(batchId: string): Promise<void> } | null;
  now?: () => Date;
  /** Hears what went wrong after a command succeeded (the statistics a staging renews). Default: nothing. */
  log?: Pick<Logger, "warn">;
}

/** Who is acting, and from which address (for the audit log). */
export interface Acting {
  caller: Caller;
  address: string | null;
}

const AUDITED: Record<BatchAction, AuditAction> = {
  start: "START_BATCH",
  approve: "APPROVE_BATCH",
  cancel: "CANCEL_BATCH",
  retry: "RETRY_FAILED_TRADES",
  delete: "DELETE_BATCH",
  archive: "ARCHIVE_BATCH",
};

export interface StageBatchInput {
  csv: string;
  name?: string | null;
  priority?: number | null;
  /** The caller's key for this call: the same key answers with the batch it staged, and stages nothing new. */
  idempotencyKey?: string | null;
  /** Stage even when the same trades were staged within the last DUPLICATE_FILE_WINDOW_DAYS days. */
  allowDuplicate?: boolean | null;
}

/**
 * What a caller staging on behalf of something else (a template) adds to a staging: work in the staging
 * transaction once the batch is in, and words for the audit record.
 */
export interface StagingSource {
  onStaged: (tx: Queryable, batch: BatchRow) => Promise<void>;
  /** Appended to the STAGE_BATCH audit detail, e.g. "from template Month end". */
  note: string;
}

const MAX_KEY_LENGTH = 200;

/**
 * Everything that changes a batch: each action checked by the status machine under the batch's
 * row lock, on a batch the caller may see (another partner's is NOT_FOUND), and recorded in the
 * audit log in the same transaction; a refused action is recorded too.
 */
export class BatchCommands {
  constructor(private readonly deps: BatchCommandDeps) {}

  async stageBatch(
    input: StageBatchInput,
    acting: Acting,
    source: StagingSource | null = null,
  ): Promise<{ batch: BatchView | null; errors: RowError[] }> {
    const name = input.name?.trim() || null;
    const priority = input.priority ?? 0;
    const stagingKey = input.idempotencyKey?.trim() || null;
    // The inputs' own problems first, then the file's (already capped at MAX_ROW_ERRORS, its summary last).
    const errors: RowError[] = [];
    const nameProblem = name && unstorableTextProblem(name);
    if (nameProblem) {
      errors.push({ row: null, field: "name", message: `name ${nameProblem}` });
    } else {
      const nameTooLong = name && textLengthProblem("name", name, BATCH_NAME_MAX);
      if (nameTooLong) errors.push({ row: null, field: "name", message: nameTooLong });
    }
    // Over GraphQL the API answers these before this point (priorityInputGuard); kept for every other caller.
    const priorityWrong = priorityProblem(priority);
    if (priorityWrong) errors.push({ row: null, field: "priority", message: priorityWrong });
    const keyProblem = stagingKey && unstorableTextProblem(stagingKey);
    if (keyProblem) {
      errors.push({ row: null, field: "idempotencyKey", message: `idempotencyKey ${keyProblem}` });
    } else {
      const keyTooLong = stagingKey && textLengthProblem("idempotencyKey", stagingKey, MAX_KEY_LENGTH);
      if (keyTooLong) errors.push({ row: null, field: "idempotencyKey", message: keyTooLong });
    }
    const now = this.deps.now?.() ?? new Date();
    const parsed = parseTradeCsv(input.csv, { today: this.today(), ...this.deps.limits });
    // a loop, not push(...): spreading a long list into a call's arguments overflows the stack
    if (!parsed.ok) for (const error of parsed.errors) errors.push(error);
    if (errors.length > 0 || !parsed.ok) return { batch: null, errors };
    const { caller } = acting;
    const amounts = parsed.rows.map((row) => ({
      amount: row.amount,
      amountCurrency: row.direction === "BUY" ? row.buyCurrency : row.sellCurrency,
    }));
    const staged = await stageBatchOnce(this.deps.database.prisma, {
      partner: caller.partner,
      stagedById: caller.id,
      stagedBy: caller.name,
      approvalRequired: needsApproval(this.deps.approvalPolicy ?? NO_APPROVAL, amounts),
      onStaged: async (tx, batch) => {
        await source?.onStaged(tx, batch);
        await recordAudit(tx, actorOf(caller, acting.address), {
          action: "STAGE_BATCH",
          outcome: "SUCCEEDED",
          batchId: batch.id,
          detail: `${batch.batchUid}: ${batch.totalTrades} trades${batch.approvalRequired ? ", needs approval" : ""}${source ? `, ${source.note}` : ""}`,
        });
      },
      name,
      priority,
      rows: parsed.rows,
      now,
      stagingKey,
      contentHash: tradesContentHash(parsed.rows),
      allowDuplicate: input.allowDuplicate ?? false,
      duplicateWindowDays: DUPLICATE_FILE_WINDOW_DAYS,
    });
    switch (staged.kind) {
      case "staged":
        this.deps.publisher.publish({ batches: [staged.batch] });
        await this.renewTradeStatistics(staged.batch.totalTrades);
        return { batch: toBatchView(staged.batch), errors: [] };
      case "sameKey":
        return { batch: toBatchView(staged.batch), errors: [] };
      case "keyUsedForOtherContent":
        throw apiError(
          "BAD_USER_INPUT",
          `idempotencyKey ${JSON.stringify(stagingKey)} already staged batch ${staged.batch.batchUid} from different trades; use a new key for a new file`,
          { argument: "input.idempotencyKey", batchUid: staged.batch.batchUid },
        );
      case "duplicateContent":
        return { batch: null, errors: [{ row: null, field: null, message: duplicateFileMessage(staged.batch) }] };
    }
  }

  /**
   * Before a large batch can start, its trades are in trade's statistics (analyzeTradesAfterStaging),
   * so its claims and checks are planned for them. The batch is staged whatever this does: a failed
   * ANALYZE leaves the statistics to autovacuum, as before.
   */
  private async renewTradeStatistics(stagedRows: number): Promise<void> {
    try {
      await analyzeTradesAfterStaging(this.deps.database.prisma, stagedRows);
    } catch (error) {
      this.deps.log?.warn({ err: error }, "could not analyze trade after a staging: its statistics wait for autovacuum");
    }
  }

  async startBatch(id: string, acting: Acting): Promise<BatchView> {
    const today = this.today();
    const started = await this.act(id, "start", acting, async (tx, batch) => {
      const reason = pastValueDatesReason(await countValueDates(tx, batch.id), today);
      if (reason) throw apiError("BAD_BATCH_STATE", `batch ${batch.batchUid}: ${reason}`, { id, status: batch.status });
      return { batch: await queueBatch(tx, batch.id), trades: [] };
    });
    await this.deps.wakeRunner();
    return this.current(id, started);
  }

  /** Four eyes: a person other than the stager approves a batch that needs it, before its start. */
  async approveBatch(id: string, acting: Acting): Promise<BatchView> {
    return this.act(id, "approve", acting, async (tx, batch) => {
      const problem = approverProblem(batch, acting.caller);
      if (problem) throw apiError("BAD_BATCH_STATE", `batch ${batch.batchUid}: ${problem}`, { id, status: batch.status });
      return { batch: await approveBatchRow(tx, batch.id, acting.caller), trades: [] };
    });
  }

  /**
   * Cancels in two phases (see requestCancel and cancelPendingChunk in packages/db), so the
   * runner's outcome writes never wait behind one transaction over every trade of a large batch:
   *
   * 1. Under the batch's lock, checked and audited like every action: the batch is marked as
   *    being cancelled and leaves the queue, its claims with nothing sent to book are cancelled,
   *    and its PENDING trades are counted as cancelled (every read shows them CANCELLED from then
   *    on, though their rows are written later). That commits at once: none of its trades is
   *    claimed from then on, and the batch is CANCELLED unless a booking of it is in flight,
   *    whatever its size. The answer is the batch as this left it.
   * 2. The runner, woken here, writes the PENDING trades' rows CANCELLED chunk by chunk in the
   *    background, each chunk published with its trades' events. If this process stops before,
   *    the runner's poll (of any instance) writes the rest.
   */
  async cancelBatch(id: string, acting: Acting): Promise<BatchView> {
    let unwritten = 0;
    const cancelled = await this.act(id, "cancel", acting, async (tx, batch) => {
      const requested = await requestCancel(tx, batch.id);
      unwritten = requested.batch.cancelledUnmovedTrades;
      return requested;
    });
    if (unwritten > 0) void this.deps.wakeRunner();
    return cancelled;
  }

  /**
   * Sends failed trades back to the runner: by default the retryable ones (permanent refusals,
   * PERMANENT_FAILURE_CODES, stay failed); with `errorCodes`, exactly the failed trades with those
   * codes; with `tradeIds`, exactly those trades (retrySelected). Which codes and how many are
   * decided under the batch's lock from its failures, and the audit record names them.
   * BAD_USER_INPUT for an empty list or a code no failed trade has; BAD_BATCH_STATE when nothing
   * would be retried.
   */
  async retryFailedTrades(
    id: string,
    acting: Acting,
    { errorCodes = null, tradeIds = null }: { errorCodes?: readonly string[] | null; tradeIds?: readonly string[] | null } = {},
  ): Promise<BatchView> {
    if (tradeIds !== null) return this.retrySelected(id, acting, tradeIds, errorCodes);
    const retried = await this.act(id, "retry", acting, async (tx, batch) => {
      const planned = planRetry((await batchTotals(tx, batch.id)).failuresByCode, errorCodes);
      if (!planned.ok) throw apiError("BAD_USER_INPUT", `batch ${batch.batchUid}: ${planned.problem}`, { argument: "errorCodes" });
      const { retried } = planned.plan;
      if (retried.length === 0) {
        throw apiError("BAD_BATCH_STATE", `batch ${batch.batchUid}: ${nothingToRetryReason(planned.plan)}`, { id, status: batch.status });
      }
      const requeued = await requeueFailedTrades(tx, batch.id, { errorCodes: retried.map((failure) => failure.errorCode) });
      const detail = `${batch.batchUid}: retried ${retried.map((failure) => `${failure.count} ${failure.errorCode}`).join(", ")}`;
      return { ...requeued, detail };
    });
    await this.deps.wakeRunner();
    return this.current(id, retried);
  }

  /**
   * Retries exactly the trades a person selected, permanent refusals too: all of them or none.
   * The list's own problems (with errorCodes too, empty, too long, malformed or repeated ids) are
   * answered before the batch is read; under its lock, after the status checks every action
   * has, each id must be a FAILED trade of the batch. Either is one BAD_USER_INPUT naming
   * `tradeIds`, the first few ids and why.
   */
  private async retrySelected(
    id: string,
    acting: Acting,
    tradeIds: readonly string[],
    errorCodes: readonly string[] | null,
  ): Promise<BatchView> {
    const refuse = ({ problem, tradeIds: named }: SelectionProblem, batchUid?: string) =>
      apiError("BAD_USER_INPUT", batchUid ? `batch ${batchUid}: ${problem}` : problem, { argument: "tradeIds", tradeIds: named });
    const listProblem = retrySelectionProblem(tradeIds, { errorCodes, isTradeId: isUuid });
    if (listProblem) throw refuse(listProblem);
    const retried = await this.act(id, "retry", acting, async (tx, batch) => {
      const planned = planSelectedRetry(tradeIds, await findTradesOfBatch(tx, batch.id, tradeIds));
      if (!planned.ok) throw refuse(planned.problem, batch.batchUid);
      const requeued = await requeueFailedTrades(tx, batch.id, { tradeIds: planned.plan.trades.map((trade) => trade.id) });
      return { ...requeued, detail: `${batch.batchUid}: retried ${selectedRetryDetail(planned.plan)}` };
    });
    await this.deps.wakeRunner();
    return this.current(id, retried);
  }

  async deleteBatch(id: string, acting: Acting): Promise<string> {
    const deleted = await this.inLockedBatch(id, "delete", acting, async (tx, batch) => {
      await deleteBatchRow(tx, batch.id);
      return batch;
    });
    this.deps.publisher.publish({ deletedBatches: [deleted] });
    return id;
  }

  /**
   * Archives one finished batch now, whatever its age: flagged under its lock (from then on it is
   * read-only and listed only under the Archived filter), then its trades move to the archive
   * tables, the first chunk before answering (so a batch of up to a chunk answers wholly moved)
   * and the rest in an archival run. Its reads take both tables meanwhile, so nothing is ever
   * missing from them. BAD_BATCH_STATE for a batch not finished, or already archived.
   */
  async archiveBatch(id: string, acting: Acting): Promise<BatchView> {
    const archived = await this.act(id, "archive", acting, async (tx, batch) => ({
      batch: await flagBatchArchived(tx, batch.id),
      trades: [],
    }));
    await this.deps.archival?.moveFirstChunk(id).catch(() => {
      // The batch is archived and committed; the next archival run moves its trades.
    });
    return archived;
  }

  /** Runs an allowed action, then publishes what it changed once the transaction has committed. */
  private async act(
    id: string,
    action: BatchAction,
    acting: Acting,
    work: (tx: Queryable, batch: BatchRow) => Promise<{ batch: BatchRow; trades: CommittedChange["trades"]; detail?: string }>,
  ): Promise<BatchView> {
    const { batch, trades } = await this.inLockedBatch(id, action, acting, work);
    this.deps.publisher.publish({ trades, batches: [batch] });
    return toBatchView(batch);
  }

  private async inLockedBatch<T>(
    id: string,
    action: BatchAction,
    acting: Acting,
    work: (tx: Queryable, batch: BatchRow) => Promise<T>,
  ): Promise<T> {
    checkId("batch", id);
    const actor = actorOf(acting.caller, acting.address);
    try {
      return await this.deps.database.prisma.$transaction(
        async (tx) => {
          const batch = await lockBatch(tx, id);
          if (!batch || !canSeeBatch(acting.caller, batch)) throw notFound("batch", id);
          const verdict = checkBatchAction(batch, action);
          if (!verdict.allowed) {
            throw apiError("BAD_BATCH_STATE", `batch ${batch.batchUid}: ${verdict.reason}`, { id, status: batch.status });
          }
          const result = await work(tx, batch);
          // An action may say more than which batch (a retry: which codes, how many).
          const detail = (result as { detail?: unknown } | null)?.detail;
          await recordAudit(tx, actor, {
            action: AUDITED[action],
            outcome: "SUCCEEDED",
            batchId: batch.id,
            detail: typeof detail === "string" ? detail : batch.batchUid,
          });
          return result;
        },
        { timeout: 60_000, maxWait: 10_000 },
      );
    } catch (error) {
      // A refusal is recorded once the transaction has rolled back; ids the caller may not see are not.
      if ((error as GraphQLError).extensions?.code === "BAD_BATCH_STATE") {
        await recordAudit(this.deps.database.prisma, actor, {
          action: AUDITED[action],
          outcome: "REFUSED",
          batchId: id,
          detail: (error as GraphQLError).message,
        });
      }
      throw error;
    }
  }

  /** Today's date in UTC, YYYY-MM-DD. */
  private today(): string {
    return (this.deps.now?.() ?? new Date()).toISOString().slice(0, 10);
  }

  /**
   * The batch as it stands after an action committed (a start or retry: the runner, woken, may have
   * promoted it meanwhile). A batch deleted since (a deleteBatch waiting for the lock, as a queued
   * batch may be deleted) is answered as the action left it: the action took effect and is audited
   * as done, so its caller is never told the batch "does not exist" as if nothing had happened.
   */
  private async current(id: string, committed: BatchView): Promise<BatchView> {
    const row = await findBatch(this.deps.database.prisma, id);
    return row ? toBatchView(row) : committed;
  }
}
