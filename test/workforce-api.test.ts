/**
 * TMF646 appointments and searchTimeSlot, TMF697 work orders over HTTP: shapes, state machines,
 * who may see and change what, the technician's completion and the hooks it calls.
 */
import { randomUUID } from 'node:crypto';
import { Connection } from '@temporalio/client';
import type { Express } from 'express';
import type { Knex } from 'knex';
import request from 'supertest';
import { createWorkforceActivities, type InstallationBooked } from '../activities/workforce';
import { createApp } from '../api/app';
import type { AppointmentMovedEvent } from '../api/tmf646-appointment';
import type { WorkOrderCompletedEvent } from '../api/tmf697-work-order';
import { loadConfig } from '../config';
import { createKnex } from '../db/knex';
import { findResource } from '../db/tmf-resources';
import { ManualClock } from '../domain/clock';
import { bearer, testAppDeps, tokenFor } from './helpers/api';
import { createTestArea, type TestArea } from './helpers/workforce';

const MONDAY = '2026-11-30T05:00:00.000Z';
const APPOINTMENTS = '/tmf-api/appointment/v4/appointment';
const SEARCH = '/tmf-api/appointment/v4/searchTimeSlot';
const WORK_ORDERS = '/tmf-api/workOrder/v4/workOrder';

describe('TMF646 appointment and TMF697 work order APIs', () => {
  let knex: Knex;
  let temporal: Connection;
  let app: Express;
  let area: TestArea;
  let activities: ReturnType<typeof createWorkforceActivities>;
  const completed: WorkOrderCompletedEvent[] = [];
  const moved: AppointmentMovedEvent[] = [];
  const clock = new ManualClock(MONDAY);

  const book = async (customerId: string, orderId = randomUUID()) =>
    (await activities.bookInstallation({ orderId, customerId, postalCode: area.postalCode, address: { streetName: 'Gran Vía', streetNr: '1', city: 'Madrid' }, earliest: MONDAY, durationMinutes: 120 })) as InstallationBooked;
  const as = async (role: Parameters<typeof tokenFor>[0], extra: Parameters<typeof tokenFor>[1] = {}) => bearer(await tokenFor(role, extra));

  beforeAll(async () => {
    knex = createKnex(process.env.DATABASE_URL!);
    temporal = await Connection.connect({ address: loadConfig().temporalAddress });
    app = createApp({
      ...testAppDeps(),
      knex,
      temporal,
      temporalProbe: temporal,
      clock,
      onWorkOrderCompleted: async (e) => void completed.push(e),
      onAppointmentMoved: async (e) => void moved.push(e),
    });
    area = await createTestArea(knex, 2);
    activities = createWorkforceActivities({ knex, clock, publicUrl: 'http://bss.test' });
  });
  afterAll(async () => {
    await area.remove();
    await knex.destroy();
    await temporal.close();
  });

  it('answers a time-slot search with the free slots of the area, in order', async () => {
    const staff = await as('agent');
    const taken = await book('cust-search');
    const res = await request(app)
      .post(SEARCH)
      .set(staff)
      .send({
        relatedPlace: { role: 'installationAddress', postcode: area.postalCode },
        requestedTimeSlot: [{ validFor: { startDateTime: '2026-11-30T07:00:00Z', endDateTime: '2026-11-30T11:00:00Z' } }],
      })
      .expect(201);
    expect(res.headers.location).toBe(res.body.href);
    const [t1, t2] = area.technicians;
    const other = taken.technicianId === t1.id ? t2 : t1;
    expect(res.body).toMatchObject({ '@type': 'SearchTimeSlot', status: 'done', searchResult: 'success', searchDate: MONDAY, durationMinutes: 120 });
    expect(res.body.availableTimeSlot.map((s: { validFor: { startDateTime: string }; relatedParty: { id: string } }) => [s.validFor.startDateTime, s.relatedParty.id])).toEqual(
      [
        ['2026-11-30T07:00:00.000Z', other.id],
        ['2026-11-30T09:00:00.000Z', t1.id],
        ['2026-11-30T09:00:00.000Z', t2.id],
      ],
    );
    expect(res.body.availableTimeSlot[0]).toEqual({
      '@type': 'TimeSlot',
      validFor: { startDateTime: '2026-11-30T07:00:00.000Z', endDateTime: '2026-11-30T09:00:00.000Z' },
      relatedParty: { id: other.id, name: other.name, role: 'technician', '@referredType': 'Individual' },
    });

    const bad = await request(app).post(SEARCH).set(staff).send({ requestedTimeSlot: [] }).expect(400);
    expect(bad.body).toMatchObject({ code: '400', status: '400', reason: 'Bad Request', message: expect.stringContaining('relatedPlace') });
    const noArea = await request(app).post(SEARCH).set(staff).send({ relatedPlace: { role: 'installationAddress', postcode: 'NOWHERE9' } }).expect(201);
    expect(noArea.body).toMatchObject({ searchResult: 'fail', availableTimeSlot: [] });
  });

  it('creates an appointment through the API only where a technician is free', async () => {
    const staff = await as('agent');
    const body = (start: string, end: string) => ({
      validFor: { startDateTime: start, endDateTime: end },
      relatedPlace: { role: 'installationAddress', postcode: area.postalCode },
      relatedParty: [{ id: 'cust-api', role: 'customer', '@referredType': 'Customer' }],
    });
    const created = await request(app).post(APPOINTMENTS).set(staff).send(body('2026-12-04T10:00:00Z', '2026-12-04T11:00:00Z')).expect(201);
    expect(created.body).toMatchObject({
      '@type': 'Appointment',
      status: 'confirmed',
      creationDate: MONDAY,
      lastUpdate: MONDAY,
      relatedParty: [{ id: 'cust-api' }, { role: 'technician', id: area.technicians[0].id }],
    });
    await request(app).post(APPOINTMENTS).set(staff).send(body('2026-12-04T10:30:00Z', '2026-12-04T11:00:00Z')).expect(201); // the other technician
    const full = await request(app).post(APPOINTMENTS).set(staff).send(body('2026-12-04T10:30:00Z', '2026-12-04T11:00:00Z')).expect(409);
    expect(full.body.message).toMatch(/no technician .* is free/);
    await request(app).post(APPOINTMENTS).set(staff).send(body('2026-12-05T10:00:00Z', '2026-12-05T11:00:00Z')).expect(409); // Saturday
    await request(app).post(APPOINTMENTS).set(staff).send(body('2026-12-04T11:00:00Z', '2026-12-04T10:00:00Z')).expect(400);
    await request(app).post(APPOINTMENTS).set(staff).send({ ...body('2026-12-04T08:00:00Z', '2026-12-04T09:00:00Z'), relatedPlace: undefined }).expect(400);
    await request(app).post(APPOINTMENTS).set(staff).send({ relatedPlace: { role: 'x', postcode: area.postalCode } }).expect(400);
    const count = await knex('workforce_booking').where({ appointment_id: created.body.id }).count({ n: '*' });
    expect(Number(count[0].n)).toBe(1);
  });

  it('gives one time to as many concurrent API bookings as there are technicians', async () => {
    const staff = await as('agent');
    const attempts = await Promise.all(
      Array.from({ length: 6 }, () =>
        request(app)
          .post(APPOINTMENTS)
          .set(staff)
          .send({ validFor: { startDateTime: '2026-12-07T07:00:00Z', endDateTime: '2026-12-07T08:00:00Z' }, relatedPlace: { role: 'installationAddress', postcode: area.postalCode } }),
      ),
    );
    expect(attempts.map((r) => r.status).sort()).toEqual([201, 201, 409, 409, 409, 409]);
    const techs = attempts.filter((r) => r.status === 201).map((r) => r.body.relatedParty.find((p: { role: string }) => p.role === 'technician').id);
    expect(techs.sort()).toEqual(area.technicians.map((t) => t.id));
  });

  it('keeps customers to their own appointments and work orders', async () => {
    const mine = await book('cust-alice');
    const theirs = await book('cust-bob');
    const alice = await as('customer', { customerId: 'cust-alice' });
    const list = await request(app).get(APPOINTMENTS).set(alice).expect(200);
    expect(list.body.map((a: { id: string }) => a.id)).toEqual([mine.appointmentId]);
    expect(list.headers['x-total-count']).toBe('1');
    await request(app).get(`${APPOINTMENTS}/${theirs.appointmentId}`).set(alice).expect(404);
    await request(app).get(`${WORK_ORDERS}/${theirs.workOrderId}`).set(alice).expect(404);
    const orders = await request(app).get(WORK_ORDERS).set(alice).expect(200);
    expect(orders.body.map((w: { id: string }) => w.id)).toEqual([mine.workOrderId]);
    // A customer may not create appointments or write work orders, nor move someone else's appointment.
    await request(app)
      .post(APPOINTMENTS)
      .set(alice)
      .send({ validFor: { startDateTime: '2026-12-03T08:00:00Z', endDateTime: '2026-12-03T10:00:00Z' }, relatedPlace: { role: 'installationAddress', postcode: area.postalCode }, relatedParty: [{ id: 'cust-alice', role: 'customer' }] })
      .expect(403);
    await request(app).patch(`${WORK_ORDERS}/${mine.workOrderId}`).set(alice).send({ state: 'cancelled' }).expect(403);
    await request(app)
      .patch(`${APPOINTMENTS}/${theirs.appointmentId}`)
      .set(alice)
      .send({ validFor: { startDateTime: '2026-12-03T08:00:00Z', endDateTime: '2026-12-03T10:00:00Z' } })
      .expect(404);
    const agent = await as('agent');
    const all = await request(app).get(`${WORK_ORDERS}?state=acknowledged&limit=1000`).set(agent).expect(200);
    expect(all.body.map((w: { id: string }) => w.id)).toEqual(expect.arrayContaining([mine.workOrderId, theirs.workOrderId]));
  });

  it('lets a customer move its appointment when someone is free, and nothing else', async () => {
    const customerId = `cust-${randomUUID()}`;
    const mine = await book(customerId);
    const me = await as('customer', { customerId });
    const url = `${APPOINTMENTS}/${mine.appointmentId}`;
    moved.length = 0;

    const res = await request(app)
      .patch(url)
      .set(me)
      .set('Content-Type', 'application/merge-patch+json')
      .send(JSON.stringify({ validFor: { startDateTime: '2026-12-02T09:00:00Z', endDateTime: '2026-12-02T11:00:00Z' } }))
      .expect(200);
    expect(res.body).toMatchObject({ id: mine.appointmentId, status: 'confirmed', validFor: { startDateTime: '2026-12-02T09:00:00Z', endDateTime: '2026-12-02T11:00:00Z' } });
    expect(moved).toEqual([
      {
        appointmentId: mine.appointmentId,
        orderId: expect.any(String),
        workOrderId: mine.workOrderId,
        technicianId: mine.technicianId,
        start: '2026-12-02T09:00:00.000Z',
        end: '2026-12-02T11:00:00.000Z',
        previousStart: mine.start,
        previousEnd: mine.end,
      },
    ]);
    expect(await findResource(knex, 'workforce_work_order', mine.workOrderId)).toMatchObject({ requestedStartDate: '2026-12-02T09:00:00.000Z' });

    // Outside working hours, into the past, or changing the status: refused, nothing changed.
    const late = await request(app).patch(url).set(me).send({ validFor: { startDateTime: '2026-12-02T16:00:00Z', endDateTime: '2026-12-02T18:00:00Z' } }).expect(409);
    expect(late.body).toMatchObject({ code: '409', reason: 'Conflict', message: expect.stringContaining('outside the working hours') });
    await request(app).patch(url).set(me).send({ validFor: { startDateTime: '2026-11-23T09:00:00Z', endDateTime: '2026-11-23T11:00:00Z' } }).expect(409);
    await request(app).patch(url).set(me).send({ status: 'cancelled' }).expect(403);
    await request(app).patch(url).set(me).send({ relatedParty: [{ id: 'someone-else', role: 'customer' }] }).expect(403);
    await request(app).delete(url).set(me).expect(403);
    const after = await request(app).get(url).set(me).expect(200);
    expect(after.body).toMatchObject({ status: 'confirmed', validFor: { startDateTime: '2026-12-02T09:00:00Z' } });
    expect(moved).toHaveLength(1);

    // Fill both technicians at one time: moving there is refused as unavailable.
    const agent = await as('agent');
    for (let i = 0; i < 2; i++) {
      await request(app)
        .post(APPOINTMENTS)
        .set(agent)
        .send({ validFor: { startDateTime: '2026-12-03T07:00:00Z', endDateTime: '2026-12-03T09:00:00Z' }, relatedPlace: { role: 'installationAddress', postcode: area.postalCode } })
        .expect(201);
    }
    const busy = await request(app).patch(url).set(me).send({ validFor: { startDateTime: '2026-12-03T07:00:00Z', endDateTime: '2026-12-03T09:00:00Z' } }).expect(409);
    expect(busy.body.message).toMatch(/is free/);
  });

  it('refuses status changes the appointment state machine does not allow', async () => {
    const admin = await as('admin');
    const appt = await book(`cust-${randomUUID()}`);
    const url = `${APPOINTMENTS}/${appt.appointmentId}`;
    await request(app).delete(url).set(admin).expect(409);
    await request(app).patch(url).set(admin).send({ status: 'cancelled' }).expect(200);
    const back = await request(app).patch(url).set(admin).send({ status: 'confirmed' }).expect(409);
    expect(back.body.message).toBe('appointment status cannot change from cancelled to confirmed');
    await request(app).patch(url).set(admin).send({ status: 'bogus' }).expect(400);
    await request(app).patch(url).set(admin).send({ validFor: { startDateTime: '2026-12-03T09:00:00Z', endDateTime: '2026-12-03T11:00:00Z' } }).expect(409);
    expect(await knex('workforce_booking').where({ appointment_id: appt.appointmentId }).first('status')).toEqual({ status: 'cancelled' });
    await request(app).delete(url).set(admin).expect(204);
  });

  it('lets only the assigned technician complete a work order, and calls the hook once', async () => {
    const job = await book(`cust-${randomUUID()}`);
    const url = `${WORK_ORDERS}/${job.workOrderId}`;
    const assigned = await as('technician', { subject: job.technicianId });
    const otherTech = area.technicians.find((t) => t.id !== job.technicianId)!;
    const other = await as('technician', { subject: otherTech.id });
    const agent = await as('agent');
    const admin = await as('admin');
    completed.length = 0;

    // A technician sees only its own work orders.
    const own = await request(app).get(WORK_ORDERS).set(assigned).expect(200);
    expect(own.body.length).toBeGreaterThan(0);
    expect(own.body.every((w: { assignedTechnician: { id: string } }) => w.assignedTechnician.id === job.technicianId)).toBe(true);
    await request(app).get(url).set(other).expect(404);
    await request(app).patch(url).set(other).send({ state: 'completed' }).expect(404);

    // Staff may not complete it; the technician may change only state and note.
    const byAgent = await request(app).patch(url).set(agent).send({ state: 'completed' }).expect(403);
    expect(byAgent.body).toMatchObject({ code: '403', reason: 'Forbidden', message: 'only the technician assigned to a work order may complete it' });
    await request(app).patch(url).set(admin).send({ state: 'completed' }).expect(403);
    await request(app).patch(url).set(assigned).send({ description: 'done quickly' }).expect(403);
    await request(app).patch(url).set(assigned).send({ state: 'cancelled' }).expect(403);
    await request(app).patch(url).set(agent).send({ assignedTechnician: { id: otherTech.id } }).expect(400);
    await request(app).post(WORK_ORDERS).set(assigned).send({ workOrderItem: [{ id: '1', action: 'add' }] }).expect(403);
    expect((await request(app).get(url).set(agent).expect(200)).body.state).toBe('acknowledged');
    expect(completed).toEqual([]);

    await request(app).patch(url).set(assigned).send({ state: 'inProgress' }).expect(200);
    const done = await request(app)
      .patch(url)
      .set(assigned)
      .send({ state: 'completed', note: { text: 'ONT installed, 1 Gbps measured' } })
      .expect(200);
    expect(done.body).toMatchObject({ id: job.workOrderId, state: 'completed', completionDate: MONDAY, note: { text: 'ONT installed, 1 Gbps measured' } });
    expect(completed).toEqual([{ workOrderId: job.workOrderId, orderId: expect.any(String), appointmentId: job.appointmentId }]);
    expect(completed[0].orderId).toBe((done.body.order as Array<{ id: string }>)[0].id);
    expect(await findResource(knex, 'workforce_appointment', job.appointmentId)).toMatchObject({ status: 'completed' });
    expect(await activities.getInstallation({ orderId: completed[0].orderId })).toMatchObject({ status: 'completed', workOrderState: 'completed', workOrderId: job.workOrderId });

    // Completing again changes nothing and calls nobody; leaving completed is refused.
    await request(app).patch(url).set(assigned).send({ state: 'completed' }).expect(200);
    const reopen = await request(app).patch(url).set(assigned).send({ state: 'inProgress' }).expect(409);
    expect(reopen.body.message).toBe('work order state cannot change from completed to inProgress');
    expect(completed).toHaveLength(1);
  });

  it('keeps a completion whose hook failed, and answers 500', async () => {
    const failing = createApp({
      ...testAppDeps(),
      knex,
      temporal,
      temporalProbe: temporal,
      clock,
      onWorkOrderCompleted: async () => {
        throw new Error('Temporal unavailable');
      },
    });
    const job = await book(`cust-${randomUUID()}`);
    const tech = await as('technician', { subject: job.technicianId });
    const res = await request(failing).patch(`${WORK_ORDERS}/${job.workOrderId}`).set(tech).send({ state: 'completed' }).expect(500);
    expect(res.body).toMatchObject({ code: '500', message: 'internal error' });
    expect(await findResource(knex, 'workforce_work_order', job.workOrderId)).toMatchObject({ state: 'completed' });
  });

  it('refuses invalid work orders and transitions for staff', async () => {
    const agent = await as('agent');
    const bad = await request(app).post(WORK_ORDERS).set(agent).send({ description: 'no items' }).expect(400);
    expect(bad.body.message).toMatch(/workOrderItem/);
    const made = await request(app)
      .post(WORK_ORDERS)
      .set(agent)
      .send({ workOrderItem: [{ id: '1', action: 'add' }], relatedParty: [{ id: 'cust-x', role: 'customer' }] })
      .expect(201);
    expect(made.body).toMatchObject({ '@type': 'WorkOrder', state: 'acknowledged', orderDate: MONDAY });
    const url = `${WORK_ORDERS}/${made.body.id}`;
    await request(app).delete(url).set(agent).expect(409);
    await request(app).patch(url).set(agent).send({ state: 'held' }).expect(200);
    await request(app).patch(url).set(agent).send({ state: 'completed' }).expect(403);
    const invalid = await request(app).patch(url).set(agent).send({ state: 'partial' }).expect(409);
    expect(invalid.body.message).toBe('work order state cannot change from held to partial');
    await request(app).patch(url).set(agent).send({ state: 'cancelled' }).expect(200);
    await request(app).delete(url).set(agent).expect(204);
    await request(app).get(url).set(agent).expect(404);
  });

  it('describes both APIs in the OpenAPI document', async () => {
    const doc = (await request(app).get('/openapi.json').set(await as('agent')).expect(200)).body;
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining([APPOINTMENTS, `${APPOINTMENTS}/{id}`, SEARCH, WORK_ORDERS, `${WORK_ORDERS}/{id}`]));
  });
});
