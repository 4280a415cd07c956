export {
  BANK_ERROR_CODES,
  BankError,
  isBankError,
  isBankErrorCode,
  isRetryableBankErrorCode,
  type BankErrorCode,
  type BookedDeal,
  type BookingRequest,
  type FxGateway,
  type Quote,
  type QuoteRequest,
} from "./gateway";
export {
  createBankSimulator,
  DEFAULT_LATENCY_MS,
  DEFAULT_QUOTE_TTL_MS,
  DEFAULT_SUCCESS_RATE,
  type BankSimulator,
  type BankSimulatorOptions,
} from "./simulator";
export { bankSimulatorOptionsFromEnv, type BankSimulatorEnvOptions } from "./env";
export { isTradableCurrency, midRate } from "./pricing";
export type { SqlDriver } from "./ledger";
