/** Seeds the experts who answer customer queries: two per queue and its supervisor; idempotent. */
import type { Knex } from 'knex';
import { upsertTicketExperts, type TicketExpert } from '../tickets';

export const TICKET_EXPERTS: TicketExpert[] = [
  { id: '71c0e000-0000-4000-8000-000000000001', name: 'Elena Castro', email: 'elena.castro@care.bss.local', queue: 'billing', supervisor: false },
  { id: '71c0e000-0000-4000-8000-000000000002', name: 'Pablo Ortega', email: 'pablo.ortega@care.bss.local', queue: 'billing', supervisor: false },
  { id: '71c0e000-0000-4000-8000-000000000003', name: 'Rosa Delgado', email: 'rosa.delgado@care.bss.local', queue: 'billing', supervisor: true },
  { id: '71c0e000-0000-4000-8000-000000000011', name: 'Diego Herrera', email: 'diego.herrera@care.bss.local', queue: 'technical-support', supervisor: false },
  { id: '71c0e000-0000-4000-8000-000000000012', name: 'Nuria Campos', email: 'nuria.campos@care.bss.local', queue: 'technical-support', supervisor: false },
  { id: '71c0e000-0000-4000-8000-000000000013', name: 'Andrés Molina', email: 'andres.molina@care.bss.local', queue: 'technical-support', supervisor: true },
  { id: '71c0e000-0000-4000-8000-000000000021', name: 'Lucía Prieto', email: 'lucia.prieto@care.bss.local', queue: 'sales-marketing', supervisor: false },
  { id: '71c0e000-0000-4000-8000-000000000022', name: 'Marcos Vidal', email: 'marcos.vidal@care.bss.local', queue: 'sales-marketing', supervisor: false },
  { id: '71c0e000-0000-4000-8000-000000000023', name: 'Sofía Romero', email: 'sofia.romero@care.bss.local', queue: 'sales-marketing', supervisor: true },
];

export async function seedTicketExperts(knex: Knex): Promise<void> {
  await upsertTicketExperts(knex, TICKET_EXPERTS);
}
