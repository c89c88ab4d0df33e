/** The tally of an import or a re-rate: every record read ends in exactly one of its counts. */
import type { Outcome } from './ingest-usage';

export interface ImportSummary {
  read: number;
  rated: number;
  rejected: number;
  duplicates: number;
  /** Rejections counted by kind of reason (the reason up to its first colon). */
  reasons: Record<string, number>;
}

/** An empty summary. */
export const emptySummary = (): ImportSummary => ({ read: 0, rated: 0, rejected: 0, duplicates: 0, reasons: {} });

/** Adds a batch's outcomes to a summary. */
export function addOutcomes(summary: ImportSummary, outcomes: Outcome[]): void {
  for (const o of outcomes) {
    summary.read++;
    if (o.result === 'rated') summary.rated++;
    else if (o.result === 'duplicate') summary.duplicates++;
    else {
      summary.rejected++;
      const kind = (o.reason ?? 'unknown').split(':')[0];
      summary.reasons[kind] = (summary.reasons[kind] ?? 0) + 1;
    }
  }
}
