/** Technicians of an area of a test's own (a postal prefix no seed uses), so tests never share time; a technician's report of a visit. */
import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import type { Knex } from 'knex';
import request from 'supertest';
import { upsertTechnicians, type Technician } from '../../db/workforce';
import { bearer, tokenFor } from './api';

export interface TestArea {
  prefix: string;
  /** A postal code inside the area. */
  postalCode: string;
  /** Sorted by id (the order ties are broken in). */
  technicians: Technician[];
  remove(): Promise<void>;
}

/**
 * Creates `count` technicians covering a fresh prefix, Monday to Friday 08:00–12:00 Europe/Madrid
 * (two 2-hour slots a day) unless told otherwise.
 */
export async function createTestArea(knex: Knex, count = 2, hours: Partial<Pick<Technician, 'workingDays' | 'workStart' | 'workEnd'>> = {}): Promise<TestArea> {
  const prefix = `T${randomUUID().slice(0, 6)}`;
  const technicians: Technician[] = Array.from({ length: count }, (_, i) => ({
    id: randomUUID(),
    name: `Technician ${i + 1} of ${prefix}`,
    email: `tech${i + 1}.${prefix.toLowerCase()}@field.bss.test`,
    phone: `+3460099${String(i).padStart(4, '0')}`,
    postalPrefixes: [prefix],
    timeZone: 'Europe/Madrid',
    workingDays: hours.workingDays ?? [1, 2, 3, 4, 5],
    workStart: hours.workStart ?? '08:00',
    workEnd: hours.workEnd ?? '12:00',
  })).sort((a, b) => (a.id < b.id ? -1 : 1));
  await upsertTechnicians(knex, technicians);
  const ids = technicians.map((t) => t.id);
  return {
    prefix,
    postalCode: `${prefix}01`,
    technicians,
    remove: async () => {
      await knex('workforce_booking').whereIn('technician_id', ids).delete();
      await knex('workforce_technician').whereIn('id', ids).delete();
    },
  };
}

/** The work order's assigned technician reports the visit started and then done, as the field app would. */
export async function technicianCompletes(app: Express, agent: Record<string, string>, workOrderId: string): Promise<void> {
  const url = `/tmf-api/workOrder/v4/workOrder/${workOrderId}`;
  const workOrder = (await request(app).get(url).set(agent).expect(200)).body;
  const technician = bearer(await tokenFor('technician', { subject: workOrder.assignedTechnician.id }));
  await request(app).patch(url).set(technician).send({ state: 'inProgress' }).expect(200);
  await request(app).patch(url).set(technician).send({ state: 'completed' }).expect(200);
}
