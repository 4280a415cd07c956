import {
  cancelClaimsOfCancellingBatches,
  type Database,
  type ExpiredQuote,
  type HeldTrade,
  markTradesQuoted,
  type QuotedTrade,
  recordTradeOutcomes,
  releaseClaims,
  requoteTrades,
  type TradeOutcome,
  type TradeRow,
} from "@fxbt/db";
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
   * Starts a new attempt for a trade whose quote expired; null when the trade is no longer under
   * this claim, or when its batch's cancel was requested: the new attempt is then cancelled at
   * once, before the bank is asked for anything (each write published as it commits).
   */
  async requote(expired: ExpiredQuote): Promise<TradeRow | null> {
    const trades = await requoteTrades(this.database.prisma, [expired]);
    this.publisher.publish({ trades });
    const requoted = trades[0]?.trade;
    if (!requoted) return null;
    const cancelled = await this.database.prisma.$transaction((tx) =>
      cancelClaimsOfCancellingBatches(tx, [{ id: requoted.id, idempotencyKey: requoted.idempotencyKey! }]),
    );
    this.publisher.publish(cancelled);
    return cancelled.trades.length > 0 ? null : requoted;
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
