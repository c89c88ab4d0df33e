/**
 * Resources of orders under concurrency: ports, SIM cards and numbers never go to two owners;
 * every call is idempotent per owner; confirm and release move resources and their TMF639
 * documents; capacity added to an area is used by the next order.
 */
import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { createKnex } from '../db/knex';
import { findReservation, reserveMsisdn } from '../db/inventory';
import { resourceDocumentId, TMF_RESOURCE_TABLE } from '../db/resource-models';
import {
  addAccessNode,
  addPorts,
  addSimCards,
  confirmOwnerResources,
  ensureServiceArea,
  findServiceArea,
  releaseExpiredNumberReservations,
  releaseOwnerResources,
  reserveOrderMsisdn,
  reservePort,
  reserveSim,
  serviceAreaCapacity,
} from '../db/resource-inventory';
import { isValidIccid } from '../domain/inventory/sim';

const ctx = () => ({ now: new Date(), publicUrl: 'http://bss.test' });
const tag = () => randomUUID().slice(0, 6).toUpperCase().replace(/[^0-9A-Z]/g, '0');

describe('resource inventory', () => {
  let knex: Knex;

  beforeAll(() => {
    knex = createKnex(process.env.DATABASE_URL!, { max: 20 });
  });
  afterAll(async () => {
    await knex.destroy();
  });

  /** A service area of its own (postal prefix `Z<tag>`), with one node of `ports` ports. */
  async function newArea(ports: number) {
    const t = tag();
    const areaId = `T-${t}`;
    const prefix = `Z${t}`;
    await ensureServiceArea(knex, { id: areaId, name: `Test ${t}`, postalCodes: [prefix] });
    const node = `OLT-T${t}-01`;
    await addAccessNode(knex, { areaId, id: node, ports });
    return { areaId, node, postalCode: `${prefix}1` };
  }

  const doc = async (id: string) => (await knex(TMF_RESOURCE_TABLE).where({ id }).first()) as { body: Record<string, unknown>; customer_id: string | null } | undefined;

  describe('FTTH ports', () => {
    it('gives 100 racing owners exactly the 7 last ports, each once; the rest hear noCapacity', async () => {
      const { areaId, node, postalCode } = await newArea(7);
      const owners = Array.from({ length: 100 }, () => randomUUID());
      const results = await Promise.all(owners.map((owner) => reservePort(knex, { owner, customerId: `c-${owner}`, postalCode }, ctx())));
      const reserved = results.filter((r) => r.status === 'reserved');
      expect(reserved).toHaveLength(7);
      expect(results.filter((r) => r.status === 'noCapacity')).toEqual(Array.from({ length: 93 }, () => ({ status: 'noCapacity', areaId })));
      const ports = reserved.map((r) => (r.status === 'reserved' ? `${r.accessNode} ${r.port}` : ''));
      expect(new Set(ports).size).toBe(7);
      expect(ports.sort()).toEqual(['1/1/1', '1/1/2', '1/1/3', '1/1/4', '1/1/5', '1/1/6', '1/1/7'].map((p) => `${node} ${p}`));
      const rows = await knex('inventory_port').where({ access_node_id: node });
      expect(rows.every((r: { status: string }) => r.status === 'reserved')).toBe(true);
      expect(new Set(rows.map((r: { owner: string }) => r.owner)).size).toBe(7);
      // Each reserved port has its TMF639 document, owned by its customer.
      const owner = rows[0].owner as string;
      const d = await doc(resourceDocumentId({ kind: 'port', areaId, accessNode: node, port: rows[0].name }));
      expect(d?.customer_id).toBe(`c-${owner}`);
      expect(d?.body).toMatchObject({ '@type': 'LogicalResource', name: `${node} ${rows[0].name}`, resourceStatus: 'reserved', operationalState: 'disable' });
    });

    it('is idempotent per owner, also when the same owner races itself', async () => {
      const { postalCode } = await newArea(5);
      const owner = randomUUID();
      const results = await Promise.all(Array.from({ length: 5 }, () => reservePort(knex, { owner, customerId: 'c1', postalCode }, ctx())));
      expect(new Set(results.map((r) => JSON.stringify(r))).size).toBe(1);
      expect(results[0].status).toBe('reserved');
      expect(await knex('inventory_port').where({ owner }).count({ n: '*' })).toEqual([{ n: '1' }]);
    });

    it('answers unknownArea for a postal code no area covers, and finds areas by the longest prefix', async () => {
      expect(await reservePort(knex, { owner: randomUUID(), customerId: 'c1', postalCode: '99999' }, ctx())).toEqual({ status: 'unknownArea' });
      expect(await findServiceArea(knex, '28013')).toEqual({ id: 'MAD', name: 'Madrid' });
      expect(await findServiceArea(knex, ' 08 001 ')).toEqual({ id: 'BCN', name: 'Barcelona' });
      expect(await findServiceArea(knex, '99999')).toBeUndefined();
      const t = tag();
      await ensureServiceArea(knex, { id: `T-${t}-CENTRE`, name: 'Centre', postalCodes: [`Y${t}0`] });
      await ensureServiceArea(knex, { id: `T-${t}`, name: 'Wide', postalCodes: [`Y${t}`] });
      expect((await findServiceArea(knex, `Y${t}01`))?.id).toBe(`T-${t}-CENTRE`);
      expect((await findServiceArea(knex, `Y${t}11`))?.id).toBe(`T-${t}`);
    });

    it('uses capacity added to a full area: more ports on a node, and a new node', async () => {
      const { areaId, node, postalCode } = await newArea(1);
      expect((await reservePort(knex, { owner: randomUUID(), customerId: 'c1', postalCode }, ctx())).status).toBe('reserved');
      const waiting = randomUUID();
      expect(await reservePort(knex, { owner: waiting, customerId: 'c2', postalCode }, ctx())).toEqual({ status: 'noCapacity', areaId });

      expect(await addPorts(knex, { accessNode: node, count: 17 })).toEqual({
        areaId,
        accessNode: node,
        ports: ['1/1/2', '1/1/3', '1/1/4', '1/1/5', '1/1/6', '1/1/7', '1/1/8', '1/1/9', '1/1/10', '1/1/11', '1/1/12', '1/1/13', '1/1/14', '1/1/15', '1/1/16', '1/2/1', '1/2/2'],
      });
      expect(await reservePort(knex, { owner: waiting, customerId: 'c2', postalCode }, ctx())).toEqual({ status: 'reserved', areaId, accessNode: node, port: '1/1/2' });

      const second = node.replace(/-01$/, '-02');
      expect(await addAccessNode(knex, { areaId, id: second, ports: 2 })).toEqual({ areaId, accessNode: second, ports: ['1/1/1', '1/1/2'] });
      const [capacity] = await serviceAreaCapacity(knex, areaId);
      expect(capacity).toMatchObject({ areaId, total: 20, reserved: 2, inUse: 0, available: 18 });
      expect(capacity.accessNodes).toEqual([
        { id: node, total: 18, available: 16, reserved: 2, inUse: 0 },
        { id: second, total: 2, available: 2, reserved: 0, inUse: 0 },
      ]);
    });

    it('refuses capacity for an unknown node or area, an existing node and a bad count', async () => {
      const { areaId, node } = await newArea(0);
      await expect(addPorts(knex, { accessNode: 'OLT-NOPE-99', count: 1 })).rejects.toMatchObject({ status: 404 });
      await expect(addAccessNode(knex, { areaId: 'NOPE', id: 'OLT-NOPE-98', ports: 1 })).rejects.toMatchObject({ status: 404 });
      await expect(addAccessNode(knex, { areaId, id: node, ports: 1 })).rejects.toMatchObject({ status: 409 });
      await expect(addPorts(knex, { accessNode: node, count: 0 })).rejects.toMatchObject({ status: 400 });
      expect(await knex('inventory_port').where({ access_node_id: node }).count({ n: '*' })).toEqual([{ n: '0' }]);
    });
  });

  describe('SIM cards', () => {
    it('gives 60 racing owners 60 different cards, idempotent per owner', async () => {
      const owners = Array.from({ length: 60 }, () => randomUUID());
      const cards = await Promise.all(owners.map((owner) => reserveSim(knex, { owner, customerId: `c-${owner}` }, ctx())));
      const again = await Promise.all(owners.map((owner) => reserveSim(knex, { owner, customerId: `c-${owner}` }, ctx())));
      expect(again).toEqual(cards);
      expect(new Set(cards.map((c) => c!.iccid)).size).toBe(60);
      expect(new Set(cards.map((c) => c!.imsi)).size).toBe(60);
      expect(cards.every((c) => isValidIccid(c!.iccid))).toBe(true);
      const rows = await knex('inventory_sim').whereIn('owner', owners);
      expect(rows).toHaveLength(60);
      expect(rows.every((r: { status: string }) => r.status === 'reserved')).toBe(true);
      await Promise.all(owners.map((o) => releaseOwnerResources(knex, o, ctx())));
      expect(await knex('inventory_sim').whereIn('owner', owners).count({ n: '*' })).toEqual([{ n: '0' }]);
    });

    it('takes only valid ICCIDs and IMSIs into stock, in code and in the table', async () => {
      await expect(addSimCards(knex, [{ iccid: '8934019999999999991', imsi: '214019999999999' }])).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/^iccid: /) });
      await expect(addSimCards(knex, [{ iccid: '8934019999999999992', imsi: '2140199' }])).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/^imsi: /) });
      await expect(knex('inventory_sim').insert({ iccid: '8934019999999999991', imsi: '214019999999999' })).rejects.toMatchObject({ constraint: 'inventory_sim_iccid_format' });
      expect(await knex('inventory_sim').where('iccid', 'like', '89340199999%').count({ n: '*' })).toEqual([{ n: '0' }]);
      expect(await knex.raw(`SELECT inventory_luhn_valid('79927398713') AS ok, inventory_luhn_valid('79927398710') AS bad`)).toMatchObject({ rows: [{ ok: true, bad: false }] });
    });

    it('answers undefined when the stock is empty', async () => {
      await knex
        .transaction(async (trx) => {
          await trx.raw(`UPDATE inventory_sim SET status = 'reserved', owner = 'hold-' || iccid WHERE status = 'available'`);
          expect(await reserveSim(trx, { owner: randomUUID(), customerId: 'c1' }, ctx())).toBeUndefined();
          throw new Error('rollback');
        })
        .catch((err: Error) => expect(err.message).toBe('rollback'));
    });
  });

  describe('the order number', () => {
    const until = new Date('2030-01-01T00:00:00Z');

    it("takes over the customer's registration reservation; release gives it back to the registration", async () => {
      const [registration, order, customer] = [randomUUID(), randomUUID(), `cust-${randomUUID()}`];
      const held = await reserveMsisdn(knex, { owner: registration, customerId: customer, until });
      const got = await reserveOrderMsisdn(knex, { owner: order, customerId: customer }, ctx());
      expect(got).toEqual({ msisdn: held!.msisdn, source: 'registration' });
      expect(await findReservation(knex, registration)).toBeUndefined();
      expect(await reserveOrderMsisdn(knex, { owner: order, customerId: customer }, ctx())).toEqual({ msisdn: held!.msisdn, source: 'existing' });
      // A second order of the same customer does not take the first order's number.
      const other = await reserveOrderMsisdn(knex, { owner: randomUUID(), customerId: customer }, ctx());
      expect(other).toMatchObject({ source: 'pool' });
      expect((other as { msisdn: string }).msisdn).not.toBe(held!.msisdn);

      const d = await doc(resourceDocumentId({ kind: 'msisdn', msisdn: held!.msisdn }));
      expect(d?.customer_id).toBe(customer);
      expect(d?.body).toMatchObject({ '@type': 'LogicalResource', name: held!.msisdn, value: held!.msisdn, resourceStatus: 'reserved' });

      expect((await releaseOwnerResources(knex, order, ctx())).msisdns).toEqual([held!.msisdn]);
      expect(await findReservation(knex, registration)).toEqual({ msisdn: held!.msisdn, reservedUntil: until });
      expect(await releaseOwnerResources(knex, order, ctx())).toEqual({ msisdns: [], sims: [], ports: [] });
    });

    it('expires a registration reservation given back by an order, showing its document released', async () => {
      const [registration, order, customer] = [randomUUID(), randomUUID(), `cust-${randomUUID()}`];
      const deadline = new Date('2026-02-01T00:00:00Z');
      const held = await reserveMsisdn(knex, { owner: registration, customerId: customer, until: deadline });
      await reserveOrderMsisdn(knex, { owner: order, customerId: customer }, ctx());
      await releaseOwnerResources(knex, order, ctx());
      const id = resourceDocumentId({ kind: 'msisdn', msisdn: held!.msisdn });
      expect((await doc(id))?.body).toMatchObject({ resourceStatus: 'reserved', relatedParty: [{ id: customer }] });
      expect(await releaseExpiredNumberReservations(knex, { now: new Date('2026-01-15T00:00:00Z'), publicUrl: 'http://bss.test' })).toBe(0);
      expect(await releaseExpiredNumberReservations(knex, { now: new Date('2026-02-02T00:00:00Z'), publicUrl: 'http://bss.test' })).toBeGreaterThanOrEqual(1);
      expect(await knex('inventory_msisdn').where({ msisdn: held!.msisdn }).first()).toMatchObject({ status: 'available', reserved_for: null, customer_id: null });
      expect(await doc(id)).toMatchObject({ customer_id: null, body: expect.objectContaining({ resourceStatus: 'standby', relatedParty: [] }) });
    });

    it('reserves the number asked for, or says it is unavailable; a registration number asked for is taken over', async () => {
      const [registration, customer] = [randomUUID(), `cust-${randomUUID()}`];
      const held = await reserveMsisdn(knex, { owner: registration, customerId: customer, until });
      // Someone else's registration number is not available to this customer.
      const stranger = await reserveOrderMsisdn(knex, { owner: randomUUID(), customerId: 'someone-else', msisdn: held!.msisdn }, ctx());
      expect(stranger).toEqual({ reason: 'numberUnavailable', msisdn: held!.msisdn });
      expect(await reserveOrderMsisdn(knex, { owner: randomUUID(), customerId: customer, msisdn: held!.msisdn }, ctx())).toEqual({ msisdn: held!.msisdn, source: 'registration' });

      const [wanted] = (await knex('inventory_msisdn').where({ status: 'available' }).orderBy('msisdn', 'desc').limit(1)).map((r: { msisdn: string }) => r.msisdn);
      const order = randomUUID();
      expect(await reserveOrderMsisdn(knex, { owner: order, customerId: customer, msisdn: wanted }, ctx())).toEqual({ msisdn: wanted, source: 'requested' });
      expect(await reserveOrderMsisdn(knex, { owner: randomUUID(), customerId: customer, msisdn: wanted }, ctx())).toEqual({ reason: 'numberUnavailable', msisdn: wanted });
      await releaseOwnerResources(knex, order, ctx());
      expect(await knex('inventory_msisdn').where({ msisdn: wanted }).first()).toMatchObject({ status: 'available', reserved_for: null, customer_id: null, order_owned: false });
    });

    it('gives 40 racing orders of one customer the registration number once', async () => {
      const [registration, customer] = [randomUUID(), `cust-${randomUUID()}`];
      const held = await reserveMsisdn(knex, { owner: registration, customerId: customer, until });
      const owners = Array.from({ length: 40 }, () => randomUUID());
      const got = await Promise.all(owners.map((owner) => reserveOrderMsisdn(knex, { owner, customerId: customer }, ctx())));
      const numbers = got.map((r) => (r as { msisdn: string }).msisdn);
      expect(new Set(numbers).size).toBe(40);
      expect(got.filter((r) => 'source' in r && r.source === 'registration')).toEqual([{ msisdn: held!.msisdn, source: 'registration' }]);
      await Promise.all(owners.map((o) => releaseOwnerResources(knex, o, ctx())));
    });
  });

  describe('confirm and release', () => {
    it('moves every resource of the owner reserved → inUse → available, with its TMF639 document', async () => {
      const { areaId, node, postalCode } = await newArea(2);
      const [order, customer] = [randomUUID(), `cust-${randomUUID()}`];
      const number = (await reserveOrderMsisdn(knex, { owner: order, customerId: customer }, ctx())) as { msisdn: string };
      const sim = (await reserveSim(knex, { owner: order, customerId: customer }, ctx()))!;
      const port = await reservePort(knex, { owner: order, customerId: customer, postalCode }, ctx());
      expect(port).toEqual({ status: 'reserved', areaId, accessNode: node, port: '1/1/1' });
      const ids = [
        resourceDocumentId({ kind: 'msisdn', msisdn: number.msisdn }),
        resourceDocumentId({ kind: 'sim', ...sim }),
        resourceDocumentId({ kind: 'port', areaId, accessNode: node, port: '1/1/1' }),
      ];

      const confirmed = await confirmOwnerResources(knex, order, ctx());
      expect(confirmed).toEqual({ msisdns: [number.msisdn], sims: [sim], ports: [{ accessNode: node, port: '1/1/1' }] });
      expect(await confirmOwnerResources(knex, order, ctx())).toEqual({ msisdns: [], sims: [], ports: [] });
      expect(await knex('inventory_msisdn').where({ msisdn: number.msisdn }).first()).toMatchObject({ status: 'inUse', reserved_for: order, customer_id: customer });
      expect(await knex('inventory_sim').where({ iccid: sim.iccid }).first()).toMatchObject({ status: 'inUse', owner: order, customer_id: customer });
      expect(await knex('inventory_port').where({ access_node_id: node, name: '1/1/1' }).first()).toMatchObject({ status: 'inUse', owner: order });
      for (const id of ids) {
        const d = await doc(id);
        expect(d?.customer_id).toBe(customer);
        expect(d?.body).toMatchObject({
          resourceStatus: 'available',
          operationalState: 'enable',
          usageState: 'busy',
          relatedParty: [{ id: customer, role: 'customer', '@referredType': 'Customer' }],
        });
      }
      expect((await doc(ids[1]))?.body).toMatchObject({
        '@type': 'PhysicalResource',
        serialNumber: sim.iccid,
        resourceCharacteristic: expect.arrayContaining([expect.objectContaining({ name: 'ICCID', value: sim.iccid }), expect.objectContaining({ name: 'IMSI', value: sim.imsi })]),
      });
      // Idempotent retries after confirmation return what the owner holds.
      expect(await reserveSim(knex, { owner: order, customerId: customer }, ctx())).toEqual(sim);

      const released = await releaseOwnerResources(knex, order, ctx());
      expect(released).toEqual(confirmed);
      expect(await releaseOwnerResources(knex, order, ctx())).toEqual({ msisdns: [], sims: [], ports: [] });
      expect(await knex('inventory_msisdn').where({ msisdn: number.msisdn }).first()).toMatchObject({ status: 'available', reserved_for: null, customer_id: null });
      expect(await knex('inventory_sim').where({ iccid: sim.iccid }).first()).toMatchObject({ status: 'available', owner: null, customer_id: null });
      expect(await knex('inventory_port').where({ access_node_id: node, name: '1/1/1' }).first()).toMatchObject({ status: 'available', owner: null });
      for (const id of ids) {
        const d = await doc(id);
        expect(d?.customer_id).toBeNull();
        expect(d?.body).toMatchObject({ resourceStatus: 'standby', operationalState: 'disable', usageState: 'idle', relatedParty: [] });
      }
      // The events of each change went to the outbox with the change.
      const events = await knex('event_outbox').whereRaw(`payload::text LIKE ?`, [`%${ids[2]}%`]).pluck('event_type');
      expect(events).toEqual(expect.arrayContaining(['ResourceCreateEvent', 'ResourceStateChangeEvent', 'ResourceAttributeValueChangeEvent']));
    });
  });
});
