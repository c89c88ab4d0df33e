/**
 * The resources of a terminated service: its number in quarantine (not handed out while it lasts,
 * back in the pool once it is over, each exactly once), its SIM card retired, its FTTH port free
 * for the next order at once; each with its TMF639 document released.
 */
import type { Knex } from 'knex';
import { createKnex } from '../db/knex';
import { addMsisdnRange } from '../db/inventory';
import { NUMBER_QUARANTINE_DAYS, releaseAgedQuarantinedNumbers, retireServiceResources } from '../db/resource-retirement';
import { addAccessNode, confirmOwnerResources, ensureServiceArea, reserveOrderMsisdn, reservePort, reserveSim } from '../db/resource-inventory';
import { resourceDocumentId, TMF_RESOURCE_TABLE } from '../db/resource-models';
import { randomUUID } from 'node:crypto';

const DAY = 86_400_000;

describe('resources of terminated services', () => {
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
    expect(await reserveOrderMsisdn(knex, { owner: `${owner}-again`, customerId: 'cust-r', msisdn: first }, ctx)).toEqual({ reason: 'numberUnavailable', msisdn: first });

    // The number is aged by moving its quarantine date back, not the clock forward: a clock 90 days
    // ahead would also end the quarantine of every other test's numbers in the shared database.
    const now = new Date();
    const quarantinedDaysAgo = (ms: number) => knex('inventory_msisdn').where({ msisdn: first }).update({ status_changed_at: new Date(now.getTime() - ms) });
    const released = async () => (await releaseAgedQuarantinedNumbers(knex, now)).filter((m) => m === first);
    expect(NUMBER_QUARANTINE_DAYS).toBe(90);
    await quarantinedDaysAgo(89 * DAY);
    expect(await released()).toEqual([]);
    expect(await knex('inventory_msisdn').where({ msisdn: first }).first()).toMatchObject({ status: 'quarantined', customer_id: null });
    await quarantinedDaysAgo(90 * DAY + 1000);
    expect(await released()).toEqual([first]);
    expect(await knex('inventory_msisdn').where({ msisdn: first }).first()).toMatchObject({ status: 'available', reserved_for: null });
    expect(await released()).toEqual([]);
  });

  it('frees the port and retires the SIM card, once, with their TMF639 documents released', async () => {
    const t = randomUUID().slice(0, 6).toUpperCase().replace(/[^0-9A-Z]/g, '0');
    const areaId = `T-${t}`;
    await ensureServiceArea(knex, { id: areaId, name: `Test ${t}`, postalCodes: [`Y${t}`] });
    const node = `OLT-R${t}-01`;
    await addAccessNode(knex, { areaId, id: node, ports: 1 });
    const ctx = { now: new Date(), publicUrl: 'http://bss.test' };
    const owner = `order-r-${t}`;
    const port = await reservePort(knex, { owner, customerId: 'cust-r', postalCode: `Y${t}1` }, ctx);
    expect(port).toMatchObject({ status: 'reserved', accessNode: node, port: '1/1/1' });
    const sim = await reserveSim(knex, { owner: `${owner}/sim`, customerId: 'cust-r' }, ctx);
    expect(sim).toBeDefined();
    await confirmOwnerResources(knex, owner, ctx);
    await confirmOwnerResources(knex, `${owner}/sim`, ctx);

    const retired = await retireServiceResources(knex, { iccid: sim!.iccid, port: { accessNode: node, port: '1/1/1' } }, ctx);
    expect(retired).toEqual({ quarantined: [], retiredSims: [sim!.iccid], freedPorts: [`${node}/1/1/1`] });
    expect(await retireServiceResources(knex, { iccid: sim!.iccid, port: { accessNode: node, port: '1/1/1' } }, ctx)).toEqual({ quarantined: [], retiredSims: [], freedPorts: [] });
    expect(await knex('inventory_port').where({ access_node_id: node }).first()).toMatchObject({ status: 'available', owner: null, customer_id: null });
    expect(await knex('inventory_sim').where({ iccid: sim!.iccid }).first()).toMatchObject({ status: 'retired' });
    const portDoc = await knex(TMF_RESOURCE_TABLE).where({ id: resourceDocumentId({ kind: 'port', areaId, accessNode: node, port: '1/1/1' }) }).first();
    expect(portDoc.body).toMatchObject({ resourceStatus: 'standby', relatedParty: [] });
    // The port serves the next order at once.
    expect(await reservePort(knex, { owner: `${owner}-next`, customerId: 'cust-s', postalCode: `Y${t}1` }, ctx)).toMatchObject({ status: 'reserved', port: '1/1/1' });
  });
});

