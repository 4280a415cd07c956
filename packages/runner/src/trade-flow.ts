import { setTimeout as sleep } from "node:timers/promises";
import { BankError, type FxGateway, type Quote } from "@fxbt/bank";
import { type TradeRow, toTradeView } from "@fxbt/db";
import type { Logger } from "pino";
import type { ResultWriter } from "./result-writer";

export interface TradeFlowDeps {
  gateway: FxGateway;
  writer: ResultWriter;
  log: Logger;
  bookingAttempts: number;
}

function describe(error: unknown): { code: string; message: string } {
  if (error instanceof BankError) return { code: error.code, message: error.message };
  return { code: "GATEWAY_ERROR", message: error instanceof Error ? error.message : String(error) };
}

/**
 * Drives one claimed (EXECUTING) trade through the bank: quote, save the quote, book,
 * save the result. The quote is saved before the booking is sent, so a crash at any
 * point leaves a trade that recovery can finish without booking it twice.
 */
export async function runClaimedTrade(trade: TradeRow, deps: TradeFlowDeps): Promise<void> {
  let quote: Quote;
  try {
    const { clientId, accountNumber, sellCurrency, buyCurrency, direction, amount, valueDate } = toTradeView(trade);
    quote = await deps.gateway.createQuote({
      requestId: trade.idempotencyKey!,
      clientId,
      accountNumber,
      sellCurrency,
      buyCurrency,
      direction,
      amount,
      valueDate,
    });
  } catch (error) {
    const { code, message } = describe(error);
    await deps.writer.saveOutcome({
      id: trade.id,
      idempotencyKey: trade.idempotencyKey!,
      move: "refuseQuote",
      transactionId: null,
      errorCode: code,
      errorMessage: message,
    });
    return;
  }
  const quoted = await deps.writer.saveQuote({
    id: trade.id,
    idempotencyKey: trade.idempotencyKey!,
    quoteId: quote.quoteId,
    rate: quote.rate,
    sellAmount: quote.sellAmount,
    buyAmount: quote.buyAmount,
    expiresAt: quote.expiresAt,
  });
  if (quoted) await bookQuotedTrade(quoted, deps);
}

/**
 * Sends the booking of a QUOTED trade and saves the result. When the bank's answer is lost
 * the same idempotency key is sent again; if it stays lost the trade is left QUOTED, and
 * recovery resends it once its lease runs out, so an unknown outcome is never guessed.
 */
export async function bookQuotedTrade(trade: TradeRow, deps: TradeFlowDeps): Promise<void> {
  let unknownOutcome: unknown;
  for (let attempt = 1; attempt <= deps.bookingAttempts; attempt++) {
    try {
      const deal = await deps.gateway.bookDeal({
        quoteId: trade.quoteId!,
        idempotencyKey: trade.idempotencyKey!,
        accountNumber: trade.accountNumber,
      });
      await deps.writer.saveOutcome({
        id: trade.id,
        idempotencyKey: trade.idempotencyKey!,
        move: "book",
        transactionId: deal.transactionId,
        errorCode: null,
        errorMessage: null,
      });
      return;
    } catch (error) {
      if (error instanceof BankError && error.retryable) {
        unknownOutcome = error;
        await sleep(Math.min(50 * 2 ** (attempt - 1), 1_000));
        continue;
      }
      const { code, message } = describe(error);
      await deps.writer.saveOutcome({
        id: trade.id,
        idempotencyKey: trade.idempotencyKey!,
        move: "refuseBooking",
        transactionId: null,
        errorCode: code,
        errorMessage: message,
      });
      return;
    }
  }
  deps.log.warn(
    { tradeId: trade.id, idempotencyKey: trade.idempotencyKey, err: unknownOutcome },
    "booking outcome unknown; left for recovery",
  );
}
