/** The Temporal Schedules the worker's workflows run on; created once, left alone when they exist. */
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';

export const INVENTORY_HOUSEKEEPING_SCHEDULE = 'inventory-housekeeping';
export const REPORTS_REFRESH_SCHEDULE = 'reports-refresh';
export const PREPAY_HOUSEKEEPING_SCHEDULE = 'prepay-housekeeping';

/** Creates each schedule unless it exists (several workers may start at once). */
export async function ensureSchedules(client: Client, taskQueue: string): Promise<void> {
  const schedules = [
    { scheduleId: INVENTORY_HOUSEKEEPING_SCHEDULE, every: '1 hour', workflowType: 'inventoryHousekeeping' },
    // Reports may be 15 minutes behind the system of record.
    { scheduleId: REPORTS_REFRESH_SCHEDULE, every: '15 minutes', workflowType: 'reportsRefresh' },
    // Reservations released, allowances expired, low balances told (up to a minute late).
    { scheduleId: PREPAY_HOUSEKEEPING_SCHEDULE, every: '1 minute', workflowType: 'prepayHousekeeping' },
  ];
  for (const { scheduleId, every, workflowType } of schedules) {
    try {
      await client.schedule.create({
        scheduleId,
        spec: { intervals: [{ every }] },
        action: { type: 'startWorkflow', workflowType, workflowId: scheduleId, taskQueue },
        policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: every },
      });
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    }
  }
}
