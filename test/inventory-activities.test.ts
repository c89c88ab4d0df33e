/**
 * The order's inventory activities: mobile resources come both or neither, with business
 * refusals as non-retryable failures; FTTH waits on capacity; confirm and release are idempotent.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { createInventoryActivities } from '../activities/inventory';
import { reserveMsisdn } from '../db/inventory';
import { createKnex } from '../db/knex';
import { addPorts, ensureAccessNode, ensureServiceArea, findOwnerMsisdn, findOwnerSim } from '../db/resource-inventory';
import { systemClock } from '../domain/clock';

describe('inventory activities', () => {
  let knex: Knex;
  let activities: ReturnType<typeof createInventoryActivities>;

  beforeAll(() => {
    knex = createKnex(process.env.DATABASE_URL!);
    activities = createInventoryActivities({ knex, clock: systemClock, publicUrl: 'http://bss.test' });
  });
  afterAll(async () => {
    await knex.destroy();
  });

  const failureOf = async (p: Promise<unknown>) => {
    const err = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ApplicationFailure);
    return err as ApplicationFailure;
  };

  it("reserves the registration's number and a SIM card for the first mobile order, then confirms them", async () => {
    const [registration, orderId, customerId] = [randomUUID(), randomUUID(), `cust-${randomUUID()}`];
    const held = await reserveMsisdn(knex, { owner: registration, customerId, until: new Date('2030-01-01T00:00:00Z') });
    const got = await activities.reserveMobileResources({ orderId, customerId });
    expect(got.msisdn).toBe(held!.msisdn);
    expect(await activities.reserveMobileResources({ orderId, customerId })).toEqual(got);
    const confirmed = await activities.confirmOrderResources({ orderId });
    expect(confirmed).toEqual({ msisdns: [got.msisdn], sims: [{ iccid: got.iccid, imsi: got.imsi }], ports: [] });
    expect(await knex('inventory_msisdn').where({ msisdn: got.msisdn }).first()).toMatchObject({ status: 'inUse', reserved_for: orderId });
    await activities.releaseOrderResources({ orderId });
  });

  it('fails without retry when the number asked for is taken, holding nothing', async () => {
    const first = await activities.reserveMobileResources({ orderId: randomUUID(), customerId: 'c1' });
    const orderId = randomUUID();
    const failure = await failureOf(activities.reserveMobileResources({ orderId, customerId: 'c2', msisdn: first.msisdn }));
    expect(failure).toMatchObject({ type: 'NumberUnavailable', nonRetryable: true });
    expect(await findOwnerMsisdn(knex, orderId)).toBeUndefined();
    expect(await findOwnerSim(knex, orderId)).toBeUndefined();
  });

  it('fails without retry when the SIM stock is empty, and the number is not kept', async () => {
    const orderId = randomUUID();
    // Inside a transaction that holds every card (and is rolled back), so other tests never see an empty stock.
    await knex
      .transaction(async (trx) => {
        await trx.raw(`UPDATE inventory_sim SET status = 'reserved', owner = 'hold-' || iccid WHERE status = 'available'`);
        const inTrx = createInventoryActivities({ knex: trx, clock: systemClock, publicUrl: 'http://bss.test' });
        const failure = await failureOf(inTrx.reserveMobileResources({ orderId, customerId: 'c3' }));
        expect(failure).toMatchObject({ type: 'SimStockEmpty', nonRetryable: true });
        expect(await findOwnerMsisdn(trx, orderId)).toBeUndefined();
        throw new Error('rollback');
      })
      .catch((err: Error) => expect(err.message).toBe('rollback'));
  });

  it('answers noCapacity for a full area, and reserves once ports are added; release is idempotent', async () => {
    const t = randomUUID().slice(0, 6).toUpperCase().replace(/[^0-9A-Z]/g, '0');
    await ensureServiceArea(knex, { id: `F-${t}`, name: 'Full', postalCodes: [`W${t}`] });
    await ensureAccessNode(knex, { areaId: `F-${t}`, id: `OLT-F${t}-01`, ports: 0 });
    const [orderId, customerId] = [randomUUID(), 'c4'];
    expect(await activities.reserveFtthPort({ orderId, customerId, postalCode: `W${t}2` })).toEqual({ status: 'noCapacity', areaId: `F-${t}` });
    await addPorts(knex, { accessNode: `OLT-F${t}-01`, count: 1 });
    expect(await activities.reserveFtthPort({ orderId, customerId, postalCode: `W${t}2` })).toEqual({ status: 'reserved', areaId: `F-${t}`, accessNode: `OLT-F${t}-01`, port: '1/1/1' });
    expect(await activities.releaseOrderResources({ orderId })).toEqual({ msisdns: [], sims: [], ports: [{ accessNode: `OLT-F${t}-01`, port: '1/1/1' }] });
    expect(await activities.releaseOrderResources({ orderId })).toEqual({ msisdns: [], sims: [], ports: [] });
    expect(await activities.reserveFtthPort({ orderId, customerId, postalCode: '00000' })).toEqual({ status: 'unknownArea' });
  });
});
