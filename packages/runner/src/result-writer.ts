import {
  cancelClaimsOfCancellingBatches,
  type Database,
  type ExpiredQuote,
  findTrade,
  type HeldTrade,
  markTradesQuoted,
  type QuotedTrade,
  recordTradeOutcomes,
  releaseClaims,
  requoteTrades,
  type TradeOutcome,
  type TradeRow,
} from "@fxbt/db";
import { canTradeMove } from "@fxbt/domain";
import type { EventPublisher } from "@fxbt/events";
import DataLoader from "dataloader";

/**
 * Group commit for the runner's writes. Each trade awaits its own write, yet the trades
 * that finish within one short window share one statement (and one transaction for
 * outcomes), and their events go out once that transaction has committed. A failed write
 * rejects every trade of its group; each trade's flow decides whether to write again.
 */
export class ResultWriter {
  private readonly quotes: DataLoader<QuotedTrade, TradeRow | null>;
  private readonly outcomes: DataLoader<TradeOutcome, boolean>;
  /** Final results this writer has committed, by status. */
  readonly written = { SUCCESS: 0, FAILED: 0 };

  constructor(
    private readonly database: Database,
    private readonly publisher: EventPublisher,
    windowMs: number,
  ) {
    const options = {
      cache: false,
      maxBatchSize: 1000,
      batchScheduleFn: (dispatch: () => void) => setTimeout(dispatch, windowMs),
    };
    this.quotes = new DataLoader((batch) => this.writeQuotes(batch), options);
    this.outcomes = new DataLoader((batch) => this.writeOutcomes(batch), options);
  }

  /** Saves a quote; null when the trade is no longer under this claim (cancelled): its booking must not be sent. */
  saveQuote(quoted: QuotedTrade): Promise<TradeRow | null> {
    return this.quotes.load(quoted);
  }

  /** Saves a final result; false when the trade had already left the status the move starts from. */
  saveOutcome(outcome: TradeOutcome): Promise<boolean> {
    return this.outcomes.load(outcome);
  }

  /**
   * Starts a new attempt for a trade whose quote expired (one statement, published as it commits);
   * null when the trade is no longer under this claim. The caller then asks mayAskForQuote
   * before the bank is asked anything: a write of its own, since once this one has committed a
   * second try of it finds the trade no longer under the old key.
   */
  async requote(expired: ExpiredQuote): Promise<TradeRow | null> {
    const trades = await requoteTrades(this.database.prisma, [expired]);
    this.publisher.publish({ trades });
    return trades[0]?.trade ?? null;
  }

  /**
   * Whether a requote's new attempt may ask the bank for a quote. In a batch whose cancel was
   * requested it may not: the request did not see it (it was QUOTED then), so it is cancelled here
   * at once, closing the batch if it was its last trade. Nor may it once it is no longer under this
   * claim: the cancel's pass may have cancelled it while a failed check waited to be tried again,
   * and a check whose commit was reported as failed has cancelled it already.
   */
  async mayAskForQuote(claim: HeldTrade): Promise<boolean> {
    const { cancelled, held } = await this.database.prisma.$transaction(async (tx) => {
      const cancelled = await cancelClaimsOfCancellingBatches(tx, [claim]);
      const trade = cancelled.trades.length === 0 ? await findTrade(tx, claim.id) : null;
      const held = trade?.idempotencyKey === claim.idempotencyKey && canTradeMove(trade.status, "QUOTED");
      return { cancelled, held };
    });
    this.publisher.publish(cancelled);
    return held;
  }

  /** Gives back claims before any booking was sent, so the trades run again at once. */
  async release(held: readonly HeldTrade[]): Promise<void> {
    this.publisher.publish({ trades: await releaseClaims(this.database.prisma, held) });
  }

  private async writeQuotes(batch: readonly QuotedTrade[]): Promise<(TradeRow | null)[]> {
    const trades = await markTradesQuoted(this.database.raw, batch);
    this.publisher.publish({ trades });
    const byId = new Map(trades.map(({ trade }) => [trade.id, trade]));
    return batch.map((quoted) => byId.get(quoted.id) ?? null);
  }

  private async writeOutcomes(batch: readonly TradeOutcome[]): Promise<boolean[]> {
    const committed = await recordTradeOutcomes(this.database.prisma, batch, this.database.raw);
    for (const { trade } of committed.trades) if (trade.status === "SUCCESS" || trade.status === "FAILED") this.written[trade.status]++;
    this.publisher.publish(committed);
    const written = new Set(committed.trades.map(({ trade }) => trade.id));
    return batch.map((outcome) => written.has(outcome.id));
  }
}
