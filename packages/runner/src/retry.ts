import { setTimeout as sleepFor } from "node:timers/promises";

/** Thrown out of a wait when the runner stops: the work waiting is left for recovery. */
export class RunnerStopped extends Error {
  override readonly name = "RunnerStopped";
}

/**
 * How long to wait before retry number `attempt` (1, 2, …): exponential from `baseMs`, capped
 * at `maxMs`, with "full jitter" (a uniform share of it) so that many trades failing at once
 * do not retry in step.
 */
export function retryDelay(attempt: number, { baseMs, maxMs }: { baseMs: number; maxMs: number }): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt - 1, 30));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/** Waits `ms`, or throws RunnerStopped as soon as `signal` aborts. */
export async function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) throw new RunnerStopped();
  try {
    await sleepFor(ms, undefined, { signal });
  } catch {
    throw new RunnerStopped();
  }
}
