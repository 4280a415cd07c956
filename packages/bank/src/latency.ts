/**
 * Simulated network and processing time of one bank call.
 *
 * Each call waits uniformly between 0.5× and 1.5× the mean, so the mean is `meanMs` and no
 * call is instantaneous or absurdly slow. A mean of 0 sets no timer at all: the call
 * continues on the next microtask, which keeps a benchmark of thousands of trades per second
 * free of timer overhead. Latency is not part of the reproducible outcome, so it uses
 * Math.random.
 */
export function simulatedLatency(meanMs: number): Promise<void> {
  if (meanMs <= 0) return Promise.resolve();
  const ms = meanMs * (0.5 + Math.random());
  return new Promise((resolve) => setTimeout(resolve, ms));
}
