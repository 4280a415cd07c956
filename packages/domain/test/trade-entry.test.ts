import { describe, expect, it } from "vitest";
import { parseTradeCsv } from "../src/csv";
import {
  fourEyesAdditionProblem,
  oneTradeBatchName,
  TRADE_ENTRY_FIELDS,
  type TradeAdditionState,
  type TradeEntryInput,
  tradeAdditionProblem,
  validateTradeEntry,
} from "../src/trade-entry";

const TODAY = "2026-03-02";
const GOOD: TradeEntryInput = {
  clientId: "C-1",
  clientName: "Acme",
  accountNumber: "1234567890",
  sellCurrency: "zar",
  buyCurrency: "usd",
  direction: "buy",
  amount: "0100.5",
  valueDate: "",
  reference: "INV-1",
};

describe("validateTradeEntry", () => {
  it("returns the trade as the CSV would stage it: codes upper-cased, amount in minor units, empty optionals null", () => {
    const result = validateTradeEntry(GOOD, TODAY);
    expect(result).toEqual({
      ok: true,
      trade: {
        clientId: "C-1",
        clientName: "Acme",
        accountNumber: "1234567890",
        sellCurrency: "ZAR",
        buyCurrency: "USD",
        direction: "BUY",
        amount: "100.50",
        valueDate: null,
        reference: "INV-1",
      },
    });
    const csv = parseTradeCsv(
      "client_id,client_name,account_number,sell_currency,buy_currency,direction,amount,value_date,reference\n" +
        "C-1,Acme,1234567890,zar,usd,buy,0100.5,,INV-1\n",
      { today: TODAY },
    );
    expect(csv.ok && { ...csv.rows[0], rowNumber: undefined }).toEqual({ ...(result.ok && result.trade), rowNumber: undefined });
  });

  it("names every invalid field by its input name, in the form's order, with the CSV's messages", () => {
    const result = validateTradeEntry(
      {
        clientId: " ",
        accountNumber: "12-34",
        sellCurrency: "XXQ",
        buyCurrency: "",
        direction: "HOLD",
        amount: "-5",
        valueDate: "2026-03-01",
        reference: "r".repeat(141),
      },
      TODAY,
    );
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.errors;
    expect(errors.map((error) => error.field)).toEqual([
      "clientId",
      "accountNumber",
      "sellCurrency",
      "buyCurrency",
      "direction",
      "amount",
      "valueDate",
      "reference",
    ]);
    expect(errors[0]!.message).toBe("client_id is required");
    expect(errors[6]!.message).toContain("value_date 2026-03-01 is in the past");
  });

  it("treats a missing field as an empty cell and applies the cross-field rules", () => {
    const missing = validateTradeEntry({ ...GOOD, clientId: null, accountNumber: undefined }, TODAY);
    expect(missing.ok ? [] : missing.errors.map((error) => error.field)).toEqual(["clientId", "accountNumber"]);
    const same = validateTradeEntry({ ...GOOD, buyCurrency: "ZAR" }, TODAY);
    expect(same.ok ? [] : same.errors).toEqual([
      { field: "buyCurrency", message: "buy_currency must be different from sell_currency (both are ZAR)" },
    ]);
    const decimals = validateTradeEntry({ ...GOOD, buyCurrency: "JPY", amount: "10.5" }, TODAY);
    expect(decimals.ok ? [] : decimals.errors.map((error) => error.field)).toEqual(["amount"]);
  });

  it("maps every CSV column to a distinct input field", () => {
    expect(new Set(Object.values(TRADE_ENTRY_FIELDS)).size).toBe(9);
  });

  it("names a one-trade batch after its trade", () => {
    const result = validateTradeEntry({ ...GOOD, direction: "SELL", amount: "2500" }, TODAY);
    expect(result.ok && oneTradeBatchName(result.trade)).toBe("One trade: C-1 SELL 2500.00 ZAR");
  });
});

describe("tradeAdditionProblem", () => {
  const staged: TradeAdditionState = {
    status: "PENDING",
    queuedAt: null,
    cancelRequestedAt: null,
    approvedAt: null,
    approvedBy: null,
    totalTrades: 3,
  };

  it("lets only a staged batch, never started, not cancelled, not approved and not full, take a trade", () => {
    expect(tradeAdditionProblem(staged, 10)).toBeNull();
    expect(tradeAdditionProblem({ ...staged, status: "RUNNING" }, 10)).toBe(
      "a RUNNING batch takes no more trades; only a PENDING batch not yet started does",
    );
    expect(tradeAdditionProblem({ ...staged, queuedAt: new Date() }, 10)).toContain("already started and waiting in the queue");
    expect(tradeAdditionProblem({ ...staged, cancelRequestedAt: new Date() }, 10)).toBe("the batch is being cancelled");
    expect(tradeAdditionProblem({ ...staged, approvedAt: new Date(), approvedBy: "checker@x" }, 10)).toContain(
      "approved (by checker@x) and its trades are frozen",
    );
    expect(tradeAdditionProblem({ ...staged, totalTrades: 10 }, 10)).toBe("the batch already holds 10 trades, the most a batch may hold");
  });
});

describe("fourEyesAdditionProblem", () => {
  const batch = { stagedById: "u-1", stagedBy: "maker@x" };
  it("lets anyone add to a batch that needs no approval, and only the stager to one that does", () => {
    expect(fourEyesAdditionProblem(batch, { id: "u-2" }, false)).toBeNull();
    expect(fourEyesAdditionProblem(batch, { id: "u-1" }, true)).toBeNull();
    expect(fourEyesAdditionProblem(batch, { id: "u-2" }, true)).toContain("only its stager, maker@x, may add trades");
  });
});
