/** Figures a benchmark prints: throughput and latency percentiles of a batch of timed runs. */

/** One run of a batch: when it was submitted and when it was seen done (ms, same clock). */
export interface Timed {
  submittedAt: number;
  doneAt: number;
}

export interface BatchFigures {
  count: number;
  /** Runs per second from the first submission to the last completion. */
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  /** Wall time of the batch, ms. */
  wallMs: number;
}

/** Nearest-rank percentile of sorted values (p in 0–100). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** Throughput and submission-to-done latency percentiles of a batch. */
export function batchFigures(runs: Timed[]): BatchFigures {
  const latencies = runs.map((r) => r.doneAt - r.submittedAt).sort((a, b) => a - b);
  const wallMs = Math.max(...runs.map((r) => r.doneAt)) - Math.min(...runs.map((r) => r.submittedAt));
  return {
    count: runs.length,
    perSecond: runs.length / (wallMs / 1000),
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    wallMs,
  };
}

/** A fixed-width text table; the first row is the header. */
export function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}
