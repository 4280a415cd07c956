export {
  BANK_ERROR_CODES,
  BankError,
  type BankErrorCode,
  type BookedDeal,
  type BookingLookup,
  type BookingRequest,
  type FxGateway,
  isBankError,
  isBankErrorCode,
  isRetryableBankErrorCode,
  type Quote,
  type QuoteRequest,
} from "./gateway";
export { isTradableCurrency, midRate } from "./pricing";
export {
  type BankSimulator,
  type BankSimulatorOptions,
  createBankSimulator,
  DEFAULT_LATENCY_MS,
  DEFAULT_QUOTE_TTL_MS,
  DEFAULT_SUCCESS_RATE,
} from "./simulator";
