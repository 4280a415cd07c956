/**
 * Simulator settings from the environment:
 *
 * - BANK_SIM_SUCCESS_RATE — share of ordinary trades that end booked, a number in [0, 1]
 *   (default 0.9).
 * - BANK_SIM_LATENCY_MS — mean latency of each call in milliseconds, a number ≥ 0
 *   (default 150; 0 for benchmarks).
 * - BANK_SIM_SEED — any non-empty string; fixes every random decision (default: a random
 *   seed per simulator).
 * - BANK_SIM_QUOTE_TTL_MS — validity of a quote in milliseconds, a whole number > 0
 *   (default 30000).
 *
 * Unset or empty variables are left out, so the simulator's defaults apply.
 */

export interface BankSimulatorEnvOptions {
  successRate?: number;
  latencyMs?: number;
  seed?: string;
  quoteTtlMs?: number;
}

const NON_NEGATIVE_DECIMAL = /^(\d+(\.\d*)?|\.\d+)$/;
const POSITIVE_INTEGER = /^\d+$/;

function read(env: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === "" ? undefined : value;
}

export function bankSimulatorOptionsFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): BankSimulatorEnvOptions {
  const options: BankSimulatorEnvOptions = {};

  const rate = read(env, "BANK_SIM_SUCCESS_RATE");
  if (rate !== undefined) {
    const value = Number(rate);
    if (!NON_NEGATIVE_DECIMAL.test(rate) || !(value >= 0 && value <= 1)) {
      throw new Error(`BANK_SIM_SUCCESS_RATE must be a number between 0 and 1 (e.g. 0.9), got "${rate}"`);
    }
    options.successRate = value;
  }

  const latency = read(env, "BANK_SIM_LATENCY_MS");
  if (latency !== undefined) {
    const value = Number(latency);
    if (!NON_NEGATIVE_DECIMAL.test(latency) || !Number.isFinite(value)) {
      throw new Error(`BANK_SIM_LATENCY_MS must be a number of milliseconds ≥ 0 (e.g. 150), got "${latency}"`);
    }
    options.latencyMs = value;
  }

  const seed = read(env, "BANK_SIM_SEED");
  if (seed !== undefined) options.seed = seed;

  const ttl = read(env, "BANK_SIM_QUOTE_TTL_MS");
  if (ttl !== undefined) {
    const value = Number(ttl);
    if (!POSITIVE_INTEGER.test(ttl) || !Number.isSafeInteger(value) || value <= 0) {
      throw new Error(`BANK_SIM_QUOTE_TTL_MS must be a whole number of milliseconds > 0 (e.g. 30000), got "${ttl}"`);
    }
    options.quoteTtlMs = value;
  }

  return options;
}
