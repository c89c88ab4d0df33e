/** Report refresh, started by the `reports-refresh` schedule: the business reports' views are recomputed. */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

// A refresh of a year of history takes seconds to minutes; heartbeats show it is alive.
const { refreshReports } = proxyActivities<Activities>({ startToCloseTimeout: '10 minutes', heartbeatTimeout: '1 minute' });

export async function reportsRefresh(): Promise<void> {
  await refreshReports();
}
