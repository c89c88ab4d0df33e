/**
 * Re-rating: records that are not rated (rejected, or received and never rated) go through the
 * same ingestion again, after a fix such as a subscriber created later. Each batch takes its
 * records out and stores them again (same id, same received time) in one transaction.
 */
import type { Knex } from 'knex';
import { takeUnratedRecords } from '../../db/usage';
import { addOutcomes, emptySummary, ImportSummary } from './import-summary';
import { ingestUsageBatch, TariffCache } from './ingest-usage';

const NIL_UUID = '00000000-0000-0000-0000-000000000000';

/** Re-rates every record not rated (of one source, when given); returns how each ended. */
export async function rerateUsage(knex: Knex, opts: { source?: string; batchSize?: number; now: () => Date }): Promise<ImportSummary> {
  const summary = emptySummary();
  const tariffs: TariffCache = new Map();
  let afterId = NIL_UUID;
  for (;;) {
    const outcomes = await knex.transaction(async (trx) => {
      const taken = await takeUnratedRecords(trx, { afterId, limit: opts.batchSize ?? 10_000, source: opts.source });
      if (!taken.length) return undefined;
      afterId = taken[taken.length - 1].id;
      const items = taken.map((r) => ({ raw: { ...r.raw, source: r.source, recordId: r.recordId }, fallbackRecordId: r.recordId, id: r.id, receivedAt: r.receivedAt }));
      return ingestUsageBatch(knex, items, { source: taken[0].source, now: opts.now(), tariffs }, trx);
    });
    if (!outcomes) return summary;
    addOutcomes(summary, outcomes);
  }
}
