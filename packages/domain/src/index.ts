export * from "./status";
export * from "./views";
export { parseTradeCsv, type ParseTradeCsvOptions, type ParseTradeCsvResult, type RowError, type ValidTradeRow } from "./csv";
export { TRADE_CSV_COLUMNS, REQUIRED_TRADE_CSV_COLUMNS, type TradeCsvColumn } from "./csv-schema";
export { toCsvCell, toCsvLine, csvNumber, type CsvCellValue, type CsvNumberCell } from "./csv-export";
export * from "./money";
export { ACTIVE_CURRENCIES, CURRENCY_LIST_PUBLISHED, activeCurrencyCodes, isActiveCurrency, minorUnits } from "./currencies";
export { DEFAULT_MAX_BYTES, DEFAULT_MAX_ROWS, FIELD_LIMITS, MAX_AMOUNT } from "./limits";
