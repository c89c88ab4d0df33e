/** The number pool under concurrency: a number never goes to two owners, and releases return it. */
import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { createKnex } from '../db/knex';
import { addMsisdnRange, findReservation, releaseExpiredReservations, releaseReservation, reserveMsisdn, sampleAvailableMsisdns } from '../db/inventory';

describe('MSISDN inventory', () => {
  let knex: Knex;
  // A range of its own, so other tests' reservations never interfere with what this one counts.
  const prefix = `+3479${String(Math.floor(Math.random() * 1000)).padStart(3, '0')}`;
  const until = new Date('2030-01-01T00:00:00Z');

  beforeAll(async () => {
    knex = createKnex(process.env.DATABASE_URL!, { max: 20 });
    await knex('inventory_msisdn').where('msisdn', 'like', `${prefix}%`).delete();
    await addMsisdnRange(knex, `${prefix}0000`, 60);
  });
  afterAll(async () => {
    await knex('inventory_msisdn').where('msisdn', 'like', `${prefix}%`).delete();
    await knex.destroy();
  });

  it('gives 50 racing owners 50 different numbers, each preferring the same one', async () => {
    const preferred = `${prefix}0007`;
    const owners = Array.from({ length: 50 }, () => randomUUID());
    const got = await Promise.all(owners.map((owner) => reserveMsisdn(knex, { owner, preferred, until })));
    const numbers = got.map((r) => r!.msisdn);
    expect(new Set(numbers).size).toBe(50);
    expect(numbers.filter((n) => n === preferred)).toHaveLength(1);
    const held = await knex('inventory_msisdn').where({ status: 'reserved' }).whereIn('reserved_for', owners).count({ n: '*' });
    expect(Number(held[0].n)).toBe(50);
    await Promise.all(owners.map((o) => releaseReservation(knex, o)));
  });

  it('is idempotent per owner, and release returns the number to the pool', async () => {
    const owner = randomUUID();
    const first = await reserveMsisdn(knex, { owner, until });
    const again = await reserveMsisdn(knex, { owner, preferred: `${prefix}0001`, until });
    expect(again!.msisdn).toBe(first!.msisdn);
    expect(await releaseReservation(knex, owner)).toBe(first!.msisdn);
    expect(await findReservation(knex, owner)).toBeUndefined();
    expect(await releaseReservation(knex, owner)).toBeUndefined();
    const row = await knex('inventory_msisdn').where({ msisdn: first!.msisdn }).first();
    expect(row).toMatchObject({ status: 'available', reserved_for: null });
  });

  it('releases reservations whose deadline passed, and only those', async () => {
    const [expired, live] = [randomUUID(), randomUUID()];
    await reserveMsisdn(knex, { owner: expired, until: new Date('2026-01-01T00:00:00Z') });
    await reserveMsisdn(knex, { owner: live, until });
    await releaseExpiredReservations(knex, new Date('2026-06-01T00:00:00Z'));
    expect(await findReservation(knex, expired)).toBeUndefined();
    expect(await findReservation(knex, live)).toBeDefined();
    await releaseReservation(knex, live);
  });

  it('offers available numbers without holding them', async () => {
    const offered = await sampleAvailableMsisdns(knex, 5);
    expect(offered).toHaveLength(5);
    expect(new Set(offered).size).toBe(5);
    const statuses = await knex('inventory_msisdn').whereIn('msisdn', offered).pluck('status');
    expect(statuses.every((s: string) => s === 'available')).toBe(true);
  });
});
