/** The Temporal Schedules the worker's workflows run on; created once, left alone when they exist. */
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';

export const INVENTORY_HOUSEKEEPING_SCHEDULE = 'inventory-housekeeping';
/** Every minute: reservations released, allowances expired, low balances told (up to a minute late). */
export const PREPAY_HOUSEKEEPING_SCHEDULE = 'prepay-housekeeping';

/** Creates each schedule unless it exists (several workers may start at once). */
export async function ensureSchedules(client: Client, taskQueue: string): Promise<void> {
  try {
    await client.schedule.create({
      scheduleId: INVENTORY_HOUSEKEEPING_SCHEDULE,
      spec: { intervals: [{ every: '1 hour' }] },
      action: { type: 'startWorkflow', workflowType: 'inventoryHousekeeping', workflowId: INVENTORY_HOUSEKEEPING_SCHEDULE, taskQueue },
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' },
    });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  try {
    await client.schedule.create({
      scheduleId: PREPAY_HOUSEKEEPING_SCHEDULE,
      spec: { intervals: [{ every: '1 minute' }] },
      action: { type: 'startWorkflow', workflowType: 'prepayHousekeeping', workflowId: PREPAY_HOUSEKEEPING_SCHEDULE, taskQueue },
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' },
    });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
}
