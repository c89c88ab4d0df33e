/** Reports: recomputing the materialised views the business reports read (db/reports.ts). */
import type { Knex } from 'knex';
import { refreshReportViews } from '../../db/reports';

export function createReportActivities(deps: { knex: Knex }) {
  return {
    /** Refreshes every report view; readers see the previous figures until it commits. */
    async refreshReports(): Promise<void> {
      await refreshReportViews(deps.knex);
    },
  };
}
