/**
 * Numbers of terminated lines in quarantine: not handed out while it lasts, back in the pool once
 * it is over (inventory housekeeping), each exactly once.
 */
import type { Knex } from 'knex';
import { createKnex } from '../db/knex';
import { addMsisdnRange } from '../db/inventory';
import { NUMBER_QUARANTINE_DAYS, releaseAgedQuarantinedNumbers, retireServiceResources } from '../db/resource-retirement';
import { reserveOrderMsisdn, confirmOwnerResources } from '../db/resource-inventory';

const DAY = 86_400_000;

describe('number quarantine', () => {
  let knex: Knex;
  beforeAll(() => {
    knex = createKnex(process.env.DATABASE_URL!);
  });
  afterAll(async () => {
    await knex.destroy();
  });

  it('keeps a terminated line’s number out of the pool for 90 days, then returns it once', async () => {
    const first = `+3479${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
    await addMsisdnRange(knex, first, 1);
    const ctx = { now: new Date(), publicUrl: 'http://bss.test' };
    const owner = `order-q-${first}`;
    const reserved = await reserveOrderMsisdn(knex, { owner, customerId: 'cust-q', msisdn: first }, ctx);
    expect(reserved).toMatchObject({ msisdn: first });
    await confirmOwnerResources(knex, owner, ctx);

    const retired = await retireServiceResources(knex, { msisdn: first }, ctx);
    expect(retired.quarantined).toEqual([first]);
    expect(await retireServiceResources(knex, { msisdn: first }, ctx)).toEqual({ quarantined: [], retiredSims: [], freedPorts: [] });
    const quarantinedAt = new Date((await knex('inventory_msisdn').where({ msisdn: first }).first()).status_changed_at).getTime();
    expect(await reserveOrderMsisdn(knex, { owner: `${owner}-again`, customerId: 'cust-r', msisdn: first }, ctx)).toEqual({ reason: 'numberUnavailable', msisdn: first });

    const released = async (at: number) => (await releaseAgedQuarantinedNumbers(knex, new Date(at))).filter((m) => m === first);
    expect(NUMBER_QUARANTINE_DAYS).toBe(90);
    expect(await released(quarantinedAt + 89 * DAY)).toEqual([]);
    expect(await knex('inventory_msisdn').where({ msisdn: first }).first()).toMatchObject({ status: 'quarantined', customer_id: null });
    expect(await released(quarantinedAt + 90 * DAY + 1000)).toEqual([first]);
    expect(await knex('inventory_msisdn').where({ msisdn: first }).first()).toMatchObject({ status: 'available', reserved_for: null });
    expect(await released(quarantinedAt + 91 * DAY)).toEqual([]);
  });
});
