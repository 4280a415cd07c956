import { type Database, markTradesQuoted, type QuotedTrade, recordTradeOutcomes, type TradeOutcome, type TradeRow } from "@fxbt/db";
import type { EventPublisher } from "@fxbt/events";
import DataLoader from "dataloader";

/**
 * Group commit for the runner's writes. Each trade awaits its own write, yet the trades
 * that finish within one short window share one statement (and one transaction for
 * outcomes), and their events go out once that transaction has committed.
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

  private async writeQuotes(batch: readonly QuotedTrade[]): Promise<(TradeRow | null)[]> {
    const trades = await markTradesQuoted(this.database.prisma, batch);
    this.publisher.publish({ trades });
    const byId = new Map(trades.map(({ trade }) => [trade.id, trade]));
    return batch.map((quoted) => byId.get(quoted.id) ?? null);
  }

  private async writeOutcomes(batch: readonly TradeOutcome[]): Promise<boolean[]> {
    const committed = await recordTradeOutcomes(this.database.prisma, batch);
    for (const { trade } of committed.trades) if (trade.status === "SUCCESS" || trade.status === "FAILED") this.written[trade.status]++;
    this.publisher.publish(committed);
    const written = new Set(committed.trades.map(({ trade }) => trade.id));
    return batch.map((outcome) => written.has(outcome.id));
  }
}
