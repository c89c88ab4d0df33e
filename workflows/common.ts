/** Small helpers the workflows share. Deterministic code only. */
import { ActivityFailure, ApplicationFailure, log } from '@temporalio/workflow';

/** The business reason of a failed step, when an activity gave one (a non-retryable failure); else `fallback`. */
export function failureReason(err: unknown, fallback: string): string {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return cause instanceof ApplicationFailure && cause.nonRetryable ? cause.message : fallback;
}

/** Milliseconds of a duration string like '48 hours' (seconds, minutes, hours, days). */
export function toMs(duration: string): number {
  const [amount, unit] = duration.split(' ');
  const per: Record<string, number> = { second: 1e3, seconds: 1e3, minute: 6e4, minutes: 6e4, hour: 36e5, hours: 36e5, day: 864e5, days: 864e5 };
  if (!(unit in per)) throw new Error(`unknown duration unit in '${duration}'`);
  return Number(amount) * per[unit];
}

/**
 * Runs compensations last in, first out (a saga's undo), each once; one that fails is logged with
 * `context` and the rest still run, so a failed undo never leaves the others undone.
 */
export async function runCompensations(compensations: Array<() => Promise<unknown>>, context: Record<string, string>): Promise<void> {
  for (const compensate of compensations.reverse()) {
    try {
      await compensate();
    } catch (compensationError) {
      log.error('compensation failed', { ...context, error: String(compensationError) });
    }
  }
}
