// Small statistics and formatting helpers for the benchmark figures: medians of repetitions,
// percentiles of latency samples, and unit formatting. Nothing here measures anything.

export const MB = 1_000_000;
export const MiB = 1024 * 1024;
export const KiB = 1024;

/** Median of `values` (mean of the middle two for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? Number.NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? upper) + upper) / 2;
}

/** Nearest-rank percentile `p` (0–100) of `values`; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

/**
 * The median of each round's median: one round slowed by a neighbour, or a server's first
 * keys, cannot set the figure (a single 1000-key round once gave 189 µs and the next 85).
 */
export function medianOfRounds(rounds: readonly (readonly number[])[]): number {
  return median(rounds.map((round) => median(round)));
}

/** "a / b / c" of each round's median, for the detail column. */
export function roundMedians(rounds: readonly (readonly number[])[], digits = 0): string {
  return runs(
    rounds.map((round) => median(round)),
    digits,
  );
}

/** Throughput in MB/s (10^6 bytes per second) of `bytes` moved in `nanoseconds`. */
export function mbPerSecond(bytes: number, nanoseconds: number): number {
  return nanoseconds > 0 ? bytes / MB / (nanoseconds / 1e9) : Number.NaN;
}

/** A number with `digits` decimals, or "n/a" for NaN. */
export function fixed(value: number, digits = 1): string {
  if (!Number.isFinite(value)) return "n/a";
  const text = value.toFixed(digits);
  return /^-0(\.0*)?$/.test(text) ? text.slice(1) : text;
}

/** "a / b / c" of the individual repetitions, for the detail column. */
export function runs(values: readonly number[], digits = 1): string {
  return values.map((value) => fixed(value, digits)).join(" / ");
}

/** A percentage such as "87 %" of `part` relative to `whole`. */
export function percent(part: number, whole: number): string {
  return Number.isFinite(part / whole) ? `${Math.round((part / whole) * 100)} %` : "n/a";
}

/** Resolve after `ms` milliseconds. */
export const sleep = (ms: number) => Bun.sleep(ms);

/** Resolve with `promise`, or reject with "timed out: <what>" after `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: Timer | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
