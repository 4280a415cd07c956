export * from "./access";
export * from "./approval-policy";
export * from "./batch-preview";
export { BATCH_UID_PATTERN, formatBatchUid, isBatchUid } from "./batch-uid";
export { type ParseTradeCsvOptions, type ParseTradeCsvResult, parseTradeCsv, type RowError, type ValidTradeRow } from "./csv";
export { type CsvCellValue, type CsvNumberCell, csvNumber, fromCsvCell, toCsvCell, toCsvLine } from "./csv-export";
export {
  IGNORED_TRADE_CSV_COLUMNS,
  type IgnoredTradeCsvColumn,
  REQUIRED_TRADE_CSV_COLUMNS,
  TRADE_CSV_COLUMNS,
  type TradeCsvColumn,
  textLengthProblem,
  unstorableTextProblem,
} from "./csv-schema";
export { ACTIVE_CURRENCIES, activeCurrencyCodes, CURRENCY_LIST_PUBLISHED, isActiveCurrency, minorUnits } from "./currencies";
export {
  type FailureCount,
  isPermanentFailure,
  nothingToRetryReason,
  PERMANENT_FAILURE_CODES,
  planRetry,
  type RetryPlan,
  UNKNOWN_FAILURE_CODE,
} from "./failure-codes";
export {
  BATCH_NAME_MAX,
  DEFAULT_MAX_BYTES,
  DEFAULT_MAX_ROWS,
  FIELD_LIMITS,
  MAX_AMOUNT,
  MAX_RETRY_SELECTION,
  MAX_ROW_ERRORS,
  TRADE_HISTORY_COUNT_LIMIT,
} from "./limits";
export * from "./money";
export { PRIORITY_RANGE, PRIORITY_RULE, priorityProblem } from "./priority";
export { CANONICAL_TEXT_PART_LENGTH, canonicalTradesTextParts, DUPLICATE_FILE_WINDOW_DAYS, duplicateFileMessage } from "./repeats";
export {
  countByCode,
  planSelectedRetry,
  retrySelectionProblem,
  type SelectedRetryPlan,
  type SelectedTrade,
  type SelectionProblem,
  selectedRetryDetail,
} from "./retry-selection";
export * from "./run-figures";
export * from "./status";
export * from "./templates";
export {
  amountCurrencyOf,
  fourEyesAdditionProblem,
  oneTradeBatchName,
  TRADE_ENTRY_FIELDS,
  type TradeAdditionState,
  type TradeEntryError,
  type TradeEntryField,
  type TradeEntryInput,
  type TradeEntryResult,
  toTradeInstruction,
  tradeAdditionProblem,
  validateTradeEntry,
} from "./trade-entry";
export {
  HOLIDAY_MARKETS,
  holidayMarket,
  isGoodValueDate,
  nextCalendarDay,
  nextGoodValueDate,
  nonBusinessReason,
} from "./value-date-calendar";
export * from "./views";
