import type { BatchPreview } from "./BatchReview";

/** A preview as the API answers it, for the review's and the start dialog's tests. */
export function previewFixture(overrides: Partial<BatchPreview> = {}): BatchPreview {
  return {
    __typename: "BatchPreview",
    totals: [
      {
        __typename: "PairTotal",
        sellCurrency: "ZAR",
        buyCurrency: "USD",
        direction: "BUY",
        amountCurrency: "USD",
        amount: "1234567.89",
        tradeCount: 3,
      },
      {
        __typename: "PairTotal",
        sellCurrency: "ZAR",
        buyCurrency: "USD",
        direction: "SELL",
        amountCurrency: "ZAR",
        amount: "250000.00",
        tradeCount: 1,
      },
    ],
    currencyTotals: [
      { __typename: "CurrencyTotal", currency: "USD", amount: "1234567.89", tradeCount: 3 },
      { __typename: "CurrencyTotal", currency: "ZAR", amount: "250000.00", tradeCount: 1 },
    ],
    valueDates: [
      { __typename: "ValueDateCount", valueDate: null, tradeCount: 1, firstRow: 4 },
      { __typename: "ValueDateCount", valueDate: "2026-12-05", tradeCount: 3, firstRow: 1 },
    ],
    warnings: [
      {
        __typename: "PreviewWarning",
        code: "POSSIBLE_DUPLICATE",
        message:
          "the same trades were staged as batch B-20261126-0002 at 2026-11-26T10:00:00.000Z: start only if they are meant to run again",
        tradeCount: 4,
        rows: [],
        valueDates: [],
        currencies: [],
        earlierBatchUids: ["B-20261126-0002"],
      },
      {
        __typename: "PreviewWarning",
        code: "NON_BUSINESS_DAY",
        message: "value date 2026-12-05 is not a business day for ZAR/USD (Saturday): 3 trades (rows 1, 2, 3)",
        tradeCount: 3,
        rows: [1, 2, 3],
        valueDates: ["2026-12-05"],
        currencies: ["ZAR", "USD"],
        earlierBatchUids: [],
      },
    ],
    confirmationRequired: false,
    confirmationReason: null,
    ...overrides,
  };
}
