/** The nearest-rank percentile `p` (0–100) of ascending values; NaN when there are none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Times `runs` calls (at least one) of `read`, one after another, after `warmup` untimed ones: p50, p95 and the last answer. */
export async function timeCalls<T>(read: () => Promise<T>, runs: number, warmup: number): Promise<{ p50: number; p95: number; last: T }> {
  let last: T | undefined;
  for (let i = 0; i < warmup; i++) last = await read();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    last = await read();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p95: percentile(times, 95), last: last as T };
}
