/**
 * The worker's schedules: every hour, numbers whose registration hold ran out unconfirmed go back
 * to the pool; every 15 minutes the report views are recomputed. This is the one test whose
 * worker polls the default task queue and creates the schedules.
 */
import { Client, Connection } from '@temporalio/client';
import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { findReservation, reserveMsisdn } from '../db/inventory';
import { createKnex } from '../db/knex';
import { startWorker, type WorkerHandle } from '../worker/main';
import { INVENTORY_HOUSEKEEPING_SCHEDULE, REPORTS_REFRESH_SCHEDULE } from '../worker/schedules';
import { recordHistory } from './workflows/histories';

describe('schedules', () => {
  let worker: WorkerHandle;
  let connection: Connection;
  let client: Client;
  let knex: Knex;

  beforeAll(async () => {
    worker = await startWorker(process.env, { workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE! } });
    connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS! });
    client = new Client({ connection });
    knex = createKnex(process.env.DATABASE_URL!);
  });
  afterAll(async () => {
    await worker.stop();
    await connection.close();
    await knex.destroy();
  });

  it('runs every hour, and releases expired reservations but not live ones', async () => {
    const schedule = await client.schedule.getHandle(INVENTORY_HOUSEKEEPING_SCHEDULE).describe();
    expect(schedule.spec.intervals).toEqual([expect.objectContaining({ every: 3_600_000 })]);

    const abandoned = randomUUID();
    const live = randomUUID();
    await reserveMsisdn(knex, { owner: abandoned, until: new Date(Date.now() - 60_000) });
    await reserveMsisdn(knex, { owner: live, until: new Date(Date.now() + 86_400_000) });

    await client.schedule.getHandle(INVENTORY_HOUSEKEEPING_SCHEDULE).trigger();
    const deadline = Date.now() + 30_000;
    while (await findReservation(knex, abandoned)) {
      if (Date.now() > deadline) throw new Error('the abandoned reservation was never released');
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(await findReservation(knex, live)).toBeDefined();

    // The hourly run may fall due while this test runs and release the reservation before the
    // triggered one does: the count is asked of every run the schedule made in this test run.
    const runs = (await client.schedule.getHandle(INVENTORY_HOUSEKEEPING_SCHEDULE).describe()).info.recentActions;
    const handles = runs.map(({ action: { workflow } }) => client.workflow.getHandle(workflow.workflowId, workflow.firstExecutionRunId));
    const released = await Promise.all(handles.map(async (handle) => (await handle.result()).numbersReleased));
    const releasing = released.findIndex((count) => count >= 1);
    expect(releasing).toBeGreaterThanOrEqual(0);
    await recordHistory('inventoryHousekeeping releases an abandoned reservation', handles[releasing]);
  });

  it('refreshes the report views every 15 minutes', async () => {
    const schedule = await client.schedule.getHandle(REPORTS_REFRESH_SCHEDULE).describe();
    expect(schedule.spec.intervals).toEqual([expect.objectContaining({ every: 900_000 })]);
    const before = await knex('report_customer').count<{ count: string }[]>('* as count');
    const id = randomUUID();
    await knex('crm_customer').insert({ id, customer_id: id, body: { id, name: 'Report refresh', status: 'Initialized' } });

    await client.schedule.getHandle(REPORTS_REFRESH_SCHEDULE).trigger();
    const deadline = Date.now() + 30_000;
    while (!(await knex('report_customer').where({ id }).first())) {
      if (Date.now() > deadline) throw new Error('the report views were never refreshed');
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(Number((await knex('report_customer').count<{ count: string }[]>('* as count'))[0].count)).toBeGreaterThan(Number(before[0].count));
    const run = (await client.schedule.getHandle(REPORTS_REFRESH_SCHEDULE).describe()).info.recentActions.at(-1)!.action.workflow;
    const handle = client.workflow.getHandle(run.workflowId, run.firstExecutionRunId);
    await handle.result();
    await recordHistory('reportsRefresh refreshes the report views', handle);
  });
});
