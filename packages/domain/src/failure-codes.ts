/**
 * Which failed trades a retry may send again. A trade fails only when the bank (or the product,
 * for a passed value date) said no; some of those answers would come back the same for the same
 * instruction however often it is sent, and retrying them only adds attempts and noise.
 */

import { firstFew, shortened } from "./first-few";

/**
 * Failures a retry cannot change, so a retry leaves them alone unless asked for by code:
 * - `INVALID_ACCOUNT`: the account does not exist or may not trade; the instruction itself is wrong.
 * - `VALUE_DATE_PASSED`: the value date is in the past; the same row would fail again before
 *   anything is sent.
 *
 * Every other code is retryable: `QUOTE_REJECTED` (the bank declines to price now: limits,
 * market conditions; pairs it never deals in are refused at staging, so they do not reach it),
 * `INSUFFICIENT_FUNDS` (the account may be funded), `BOOKING_REJECTED`, `QUOTE_EXPIRED` and
 * `QUOTE_NOT_FOUND` (a retry asks for a new quote under a new key), and a failure with no code.
 */
export const PERMANENT_FAILURE_CODES: readonly string[] = ["INVALID_ACCOUNT", "VALUE_DATE_PASSED"];

/** The code a failed trade without an error code is counted and filtered under (the results' breakdown uses it too). */
export const UNKNOWN_FAILURE_CODE = "UNKNOWN";

/** Whether a failure with this code (null: none recorded, retryable) would be refused again for the same instruction. */
export function isPermanentFailure(code: string | null): boolean {
  return code !== null && PERMANENT_FAILURE_CODES.includes(code);
}

/** A batch's failed trades with one code, as its results count them. */
export interface FailureCount {
  errorCode: string;
  count: number;
}

/** What a retry would send again, and what it leaves failed. */
export interface RetryPlan {
  /** Codes to retry with their counts, in the order of `failures`. */
  retried: FailureCount[];
  /** Codes left failed because they are permanent (only when no codes were chosen). */
  leftPermanent: FailureCount[];
}

/** How many unknown codes a refused choice names before it says how many more there are. */
const NAMED_CODES = 5;

/**
 * Which failures a retry takes: with no `chosen` codes, every retryable one; with `chosen`, exactly
 * those codes, permanent or not (a person chose them). Returns a problem instead when the choice is
 * empty or names a code no failed trade has (each such code named, in the order given).
 */
export function planRetry(
  failures: readonly FailureCount[],
  chosen?: readonly string[] | null,
): { ok: true; plan: RetryPlan } | { ok: false; problem: string } {
  const present = failures.filter((failure) => failure.count > 0);
  if (chosen == null) {
    return {
      ok: true,
      plan: {
        retried: present.filter((failure) => !isPermanentFailure(failure.errorCode)),
        leftPermanent: present.filter((failure) => isPermanentFailure(failure.errorCode)),
      },
    };
  }
  if (chosen.length === 0) return { ok: false, problem: "errorCodes is empty: leave it out to retry every retryable failure" };
  const codes = new Set(chosen);
  const missing = [...codes].filter((code) => !present.some((failure) => failure.errorCode === code));
  if (missing.length > 0) {
    const named = firstFew(
      missing.map((code) => JSON.stringify(shortened(code))),
      NAMED_CODES,
    );
    return { ok: false, problem: `no failed trade has error code ${named}` };
  }
  return { ok: true, plan: { retried: present.filter((failure) => codes.has(failure.errorCode)), leftPermanent: [] } };
}

/** Why a retry without chosen codes has nothing to do, e.g. "no retryable failures: 12 INVALID_ACCOUNT are permanent". */
export function nothingToRetryReason(plan: RetryPlan): string {
  if (plan.leftPermanent.length === 0) return "no failed trades to retry";
  const permanent = plan.leftPermanent.map((failure) => `${failure.count} ${failure.errorCode}`).join(", ");
  return `no retryable failures: ${permanent} ${plan.leftPermanent.length === 1 && plan.leftPermanent[0]!.count === 1 ? "is" : "are"} permanent`;
}
