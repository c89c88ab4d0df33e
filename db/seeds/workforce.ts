/** Seeds the field technicians of Madrid (28xxx), Barcelona (08xxx) and Valencia (46xxx); idempotent. */
import type { Knex } from 'knex';
import { upsertTechnicians, type Technician } from '../workforce';

const WEEKDAYS = [1, 2, 3, 4, 5];

export const SEED_TECHNICIANS: Technician[] = [
  { id: '7ec4a000-0000-4000-8000-000000000001', name: 'Lucía Fernández', email: 'lucia.fernandez@field.bss.local', phone: '+34600100001', postalPrefixes: ['280', '281'], timeZone: 'Europe/Madrid', workingDays: WEEKDAYS, workStart: '08:00', workEnd: '18:00' },
  { id: '7ec4a000-0000-4000-8000-000000000002', name: 'Javier Moreno', email: 'javier.moreno@field.bss.local', phone: '+34600100002', postalPrefixes: ['28'], timeZone: 'Europe/Madrid', workingDays: WEEKDAYS, workStart: '08:00', workEnd: '18:00' },
  { id: '7ec4a000-0000-4000-8000-000000000003', name: 'Carmen Ruiz', email: 'carmen.ruiz@field.bss.local', phone: '+34600100003', postalPrefixes: ['28'], timeZone: 'Europe/Madrid', workingDays: [2, 3, 4, 5, 6], workStart: '09:00', workEnd: '17:00' },
  { id: '7ec4a000-0000-4000-8000-000000000011', name: 'Jordi Puig', email: 'jordi.puig@field.bss.local', phone: '+34600100011', postalPrefixes: ['08'], timeZone: 'Europe/Madrid', workingDays: WEEKDAYS, workStart: '08:00', workEnd: '18:00' },
  { id: '7ec4a000-0000-4000-8000-000000000012', name: 'Montserrat Vila', email: 'montserrat.vila@field.bss.local', phone: '+34600100012', postalPrefixes: ['080', '081', '082'], timeZone: 'Europe/Madrid', workingDays: WEEKDAYS, workStart: '09:00', workEnd: '19:00' },
  { id: '7ec4a000-0000-4000-8000-000000000021', name: 'Vicente Soler', email: 'vicente.soler@field.bss.local', phone: '+34600100021', postalPrefixes: ['46'], timeZone: 'Europe/Madrid', workingDays: WEEKDAYS, workStart: '08:00', workEnd: '16:00' },
  { id: '7ec4a000-0000-4000-8000-000000000022', name: 'Amparo Navarro', email: 'amparo.navarro@field.bss.local', phone: '+34600100022', postalPrefixes: ['46'], timeZone: 'Europe/Madrid', workingDays: [1, 2, 3, 4, 5, 6], workStart: '10:00', workEnd: '18:00' },
];

export async function seedWorkforce(knex: Knex): Promise<void> {
  await upsertTechnicians(knex, SEED_TECHNICIANS);
}
