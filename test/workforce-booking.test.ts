/**
 * Installation booking activities against PostgreSQL: first free slot, idempotency per order,
 * concurrent bookings that never overlap, rebooking after a miss, moving and cancelling.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { createWorkforceActivities, type InstallationBooked } from '../activities/workforce';
import { createKnex } from '../db/knex';
import { findResource } from '../db/tmf-resources';
import { patchTmfResource } from '../db/tmf-store';
import { insertBooking, SlotTakenError } from '../db/workforce';
import { workOrderModel } from '../db/workforce-models';
import { ManualClock } from '../domain/clock';
import { createTestArea, type TestArea } from './helpers/workforce';

// Monday 30 November 2026, 06:00 in Madrid (UTC+1): the working day starts at 07:00Z.
const MONDAY = '2026-11-30T05:00:00.000Z';

describe('workforce activities', () => {
  let knex: Knex;
  let clock: ManualClock;
  let activities: ReturnType<typeof createWorkforceActivities>;
  const areas: TestArea[] = [];
  const area = async (count = 2) => {
    const a = await createTestArea(knex, count);
    areas.push(a);
    return a;
  };
  const book = (a: TestArea, orderId = randomUUID(), earliest = MONDAY) =>
    activities.bookInstallation({ orderId, customerId: `cust-${orderId}`, postalCode: a.postalCode, address: 'Calle Mayor 1, Madrid', earliest, durationMinutes: 120 });
  const bookingsOf = (orderId: string) => knex('workforce_booking').where({ order_id: orderId }).orderBy('created_at').select('status', 'appointment_id');

  beforeAll(() => {
    knex = createKnex(process.env.DATABASE_URL!, { max: 20 });
    clock = new ManualClock(MONDAY);
    activities = createWorkforceActivities({ knex, clock, publicUrl: 'http://bss.test' });
  });
  afterAll(async () => {
    for (const a of areas) await a.remove();
    await knex.destroy();
  });

  it('books the first free slot, with its appointment and work order, once per order', async () => {
    const a = await area();
    const orderId = randomUUID();
    const result = (await book(a, orderId)) as InstallationBooked;
    expect(result).toEqual({
      status: 'booked',
      appointmentId: expect.any(String),
      workOrderId: expect.any(String),
      technicianId: a.technicians[0].id,
      start: '2026-11-30T07:00:00.000Z',
      end: '2026-11-30T09:00:00.000Z',
    });
    const appointment = await findResource(knex, 'workforce_appointment', result.appointmentId);
    expect(appointment).toMatchObject({
      '@type': 'Appointment',
      href: `http://bss.test/tmf-api/appointment/v4/appointment/${result.appointmentId}`,
      status: 'confirmed',
      validFor: { startDateTime: result.start, endDateTime: result.end },
      relatedPlace: { role: 'installationAddress', postcode: a.postalCode, name: 'Calle Mayor 1, Madrid' },
      relatedParty: [
        { id: `cust-${orderId}`, role: 'customer' },
        { id: a.technicians[0].id, role: 'technician', name: a.technicians[0].name },
      ],
      relatedEntity: [
        { id: orderId, '@referredType': 'ProductOrder' },
        { id: result.workOrderId, '@referredType': 'WorkOrder' },
      ],
    });
    const workOrder = await findResource(knex, 'workforce_work_order', result.workOrderId);
    expect(workOrder).toMatchObject({
      '@type': 'WorkOrder',
      state: 'acknowledged',
      appointment: { id: result.appointmentId },
      order: [{ id: orderId }],
      assignedTechnician: { id: a.technicians[0].id },
      requestedStartDate: result.start,
    });

    expect(await book(a, orderId)).toEqual(result);
    expect(await bookingsOf(orderId)).toEqual([{ status: 'booked', appointment_id: result.appointmentId }]);
    // The next order gets the other technician at the same time.
    expect(await book(a)).toMatchObject({ technicianId: a.technicians[1].id, start: '2026-11-30T07:00:00.000Z' });
  });

  it('never double-books a technician under concurrent bookings', async () => {
    const a = await area();
    const orders = Array.from({ length: 12 }, () => randomUUID());
    const results = (await Promise.all(orders.map((o) => book(a, o)))) as InstallationBooked[];
    expect(results.every((r) => r.status === 'booked')).toBe(true);
    // 2 technicians × 2 slots a day: Monday to Wednesday, each slot once per technician.
    const taken = results.map((r) => `${r.technicianId} ${r.start}`).sort();
    expect(new Set(taken).size).toBe(12);
    expect([...new Set(results.map((r) => r.start))].sort()).toEqual([
      '2026-11-30T07:00:00.000Z',
      '2026-11-30T09:00:00.000Z',
      '2026-12-01T07:00:00.000Z',
      '2026-12-01T09:00:00.000Z',
      '2026-12-02T07:00:00.000Z',
      '2026-12-02T09:00:00.000Z',
    ]);
    const overlapping = await knex.raw(
      `SELECT count(*)::int AS n FROM workforce_booking a JOIN workforce_booking b
         ON a.technician_id = b.technician_id AND a.id < b.id AND a.during && b.during
       WHERE a.technician_id = ANY(?) AND a.status = 'booked' AND b.status = 'booked'`,
      [a.technicians.map((t) => t.id)],
    );
    expect(overlapping.rows[0].n).toBe(0);
    // Concurrent retries of the same orders find their bookings.
    const again = await Promise.all(orders.map((o) => book(a, o)));
    expect(again).toEqual(results);
  });

  it('refuses an overlapping booking in the database itself, even without the area lock', async () => {
    const a = await area(1);
    const tech = a.technicians[0].id;
    const attempt = (start: string, end: string) =>
      knex.transaction((trx) => insertBooking(trx, { technicianId: tech, start: new Date(start), end: new Date(end), appointmentId: randomUUID() }));
    const outcomes = await Promise.allSettled(Array.from({ length: 8 }, () => attempt('2026-12-07T07:00:00Z', '2026-12-07T09:00:00Z')));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const rejected = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(rejected.map((o) => (o.reason instanceof SlotTakenError ? 'slot taken' : String(o.reason)))).toEqual(Array(7).fill('slot taken'));
    await expect(attempt('2026-12-07T08:59:00Z', '2026-12-07T10:00:00Z')).rejects.toBeInstanceOf(SlotTakenError);
    await expect(attempt('2026-12-07T09:00:00Z', '2026-12-07T10:00:00Z')).resolves.toMatchObject({ status: 'booked' });
  });

  it('books local working hours across a daylight-saving change', async () => {
    const a = await area(1);
    // Friday 26 March 2027 after work (CET, UTC+1); clocks go forward on Sunday the 28th.
    const result = await book(a, randomUUID(), '2027-03-26T12:00:00Z');
    expect(result).toMatchObject({ start: '2027-03-29T06:00:00.000Z', end: '2027-03-29T08:00:00.000Z' }); // 08:00 CEST
  });

  it('answers noSlot where no technician works', async () => {
    expect(await activities.bookInstallation({ orderId: randomUUID(), customerId: 'c', postalCode: 'NOWHERE1', address: 'x', earliest: MONDAY, durationMinutes: 120 })).toEqual({ status: 'noSlot' });
    const a = await area(1);
    // Longer than the working day: no slot either.
    expect(await activities.bookInstallation({ orderId: randomUUID(), customerId: 'c', postalCode: a.postalCode, address: 'x', earliest: MONDAY, durationMinutes: 300 })).toEqual({ status: 'noSlot' });
  });

  it('rebooks a missed appointment into the next slot, keeping the work order, once', async () => {
    const a = await area(1);
    const orderId = randomUUID();
    const first = (await book(a, orderId)) as InstallationBooked;
    const rebookAt = '2026-11-30T10:00:00.000Z';
    const second = (await activities.rebookInstallation({ orderId, earliest: rebookAt })) as InstallationBooked;
    expect(second).toEqual({
      status: 'booked',
      appointmentId: expect.any(String),
      workOrderId: first.workOrderId,
      technicianId: a.technicians[0].id,
      start: '2026-12-01T07:00:00.000Z',
      end: '2026-12-01T09:00:00.000Z',
    });
    expect(second.appointmentId).not.toBe(first.appointmentId);
    expect(await findResource(knex, 'workforce_appointment', first.appointmentId)).toMatchObject({ status: 'failed', validFor: { startDateTime: first.start } });
    expect(await findResource(knex, 'workforce_work_order', first.workOrderId)).toMatchObject({
      state: 'acknowledged',
      appointment: { id: second.appointmentId },
      requestedStartDate: second.start,
    });
    // A retry of the same rebooking finds the replacement; so does one naming the missed appointment.
    expect(await activities.rebookInstallation({ orderId, earliest: rebookAt })).toEqual(second);
    expect(await activities.rebookInstallation({ orderId, earliest: '2026-11-30T10:05:00Z', missedAppointmentId: first.appointmentId })).toEqual(second);
    expect(await bookingsOf(orderId)).toEqual([
      { status: 'missed', appointment_id: first.appointmentId },
      { status: 'booked', appointment_id: second.appointmentId },
    ]);
    // The second miss: the workflow escalates; a third booking is still possible if asked.
    const third = (await activities.rebookInstallation({ orderId, earliest: '2026-12-01T10:00:00Z', missedAppointmentId: second.appointmentId })) as InstallationBooked;
    expect(third.start).toBe('2026-12-02T07:00:00.000Z');
    await expect(activities.rebookInstallation({ orderId: randomUUID(), earliest: rebookAt })).rejects.toThrow(/has no installation booked/);
  });

  it('gives the new visit a work order of its own when the technician reported the old one failed', async () => {
    const a = await area(1);
    const orderId = randomUUID();
    const first = (await book(a, orderId)) as InstallationBooked;
    await knex.transaction((trx) => patchTmfResource(trx, workOrderModel(clock), first.workOrderId, { state: 'failed' }, clock.now()));
    const second = (await activities.rebookInstallation({ orderId, earliest: MONDAY, missedAppointmentId: first.appointmentId })) as InstallationBooked;
    expect(second).toMatchObject({ status: 'booked', start: '2026-11-30T09:00:00.000Z' });
    expect(second.workOrderId).not.toBe(first.workOrderId);
    expect(await findResource(knex, 'workforce_work_order', first.workOrderId)).toMatchObject({ state: 'failed', appointment: { id: first.appointmentId } });
    expect(await findResource(knex, 'workforce_work_order', second.workOrderId)).toMatchObject({
      state: 'acknowledged',
      appointment: { id: second.appointmentId },
      order: [{ id: orderId }],
      relatedParty: [{ id: `cust-${orderId}`, role: 'customer' }, { role: 'technician' }],
    });
    expect(await findResource(knex, 'workforce_appointment', first.appointmentId)).toMatchObject({ status: 'failed' });
  });

  it('moves an installation when someone is free then, and says why not otherwise', async () => {
    const a = await area(1);
    const orderId = randomUUID();
    const first = (await book(a, orderId)) as InstallationBooked;
    const other = (await book(a)) as InstallationBooked; // 09:00Z–11:00Z the same day
    expect(other.start).toBe('2026-11-30T09:00:00.000Z');

    const moved = await activities.moveInstallation({ orderId, start: '2026-12-03T08:00:00Z' });
    expect(moved).toEqual({ ...first, start: '2026-12-03T08:00:00.000Z', end: '2026-12-03T10:00:00.000Z' });
    expect(await findResource(knex, 'workforce_appointment', first.appointmentId)).toMatchObject({
      validFor: { startDateTime: '2026-12-03T08:00:00.000Z', endDateTime: '2026-12-03T10:00:00.000Z' },
    });
    expect(await findResource(knex, 'workforce_work_order', first.workOrderId)).toMatchObject({ requestedStartDate: '2026-12-03T08:00:00.000Z' });
    // The same move again is a no-op.
    expect(await activities.moveInstallation({ orderId, start: '2026-12-03T08:00:00.000Z' })).toEqual(moved);

    expect(await activities.moveInstallation({ orderId, start: '2026-11-30T09:00:00Z' })).toMatchObject({ status: 'refused', reason: 'unavailable' });
    expect(await activities.moveInstallation({ orderId, start: '2026-12-05T08:00:00Z' })).toMatchObject({ status: 'refused', reason: 'outsideWorkingHours' }); // Saturday
    expect(await activities.moveInstallation({ orderId, start: '2026-12-03T10:00:00Z' })).toMatchObject({ status: 'refused', reason: 'outsideWorkingHours' }); // past 12:00 local
    expect(await activities.moveInstallation({ orderId, start: '2026-11-27T08:00:00Z' })).toMatchObject({ status: 'refused', reason: 'inThePast' });
    expect(await activities.moveInstallation({ orderId: randomUUID(), start: '2026-12-03T08:00:00Z' })).toMatchObject({ status: 'refused', reason: 'notFound' });
    // Nothing changed by the refusals.
    expect(await findResource(knex, 'workforce_appointment', first.appointmentId)).toMatchObject({ validFor: { startDateTime: '2026-12-03T08:00:00.000Z' } });
    // The freed Monday slot is bookable again.
    expect(await book(a)).toMatchObject({ start: '2026-11-30T07:00:00.000Z' });
  });

  it('cancels an installation as a compensation, idempotently, freeing the time', async () => {
    const a = await area(1);
    const orderId = randomUUID();
    const first = (await book(a, orderId)) as InstallationBooked;
    expect(await activities.getInstallation({ orderId })).toEqual({ ...first, workOrderState: 'acknowledged' });
    expect(await activities.cancelInstallation({ orderId })).toEqual({ status: 'cancelled', appointmentId: first.appointmentId, workOrderId: first.workOrderId });
    expect(await activities.getInstallation({ orderId })).toEqual({ ...first, status: 'cancelled', workOrderState: 'cancelled' });
    expect(await activities.getInstallation({ orderId: randomUUID() })).toEqual({ status: 'none' });
    expect(await findResource(knex, 'workforce_work_order', first.workOrderId)).toMatchObject({ state: 'cancelled', cancellationDate: MONDAY });
    expect(await findResource(knex, 'workforce_appointment', first.appointmentId)).toMatchObject({ status: 'cancelled' });
    expect(await bookingsOf(orderId)).toEqual([{ status: 'cancelled', appointment_id: first.appointmentId }]);
    expect(await activities.cancelInstallation({ orderId })).toEqual({ status: 'nothingToCancel', appointmentId: first.appointmentId, workOrderId: first.workOrderId });
    expect(await activities.cancelInstallation({ orderId: randomUUID() })).toEqual({ status: 'nothingToCancel' });
    expect(await activities.moveInstallation({ orderId, start: '2026-12-03T08:00:00Z' })).toMatchObject({ status: 'refused', reason: 'notMovable' });
    expect(await book(a)).toMatchObject({ start: first.start });
  });
});
