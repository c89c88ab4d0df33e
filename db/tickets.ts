/** The experts who answer customer queries and the assignment of each query (ticket_expert, ticket_assignment). */
import type { Queue } from '../domain/tickets/ticket';
import type { Db } from './knex';

export interface TicketExpert {
  id: string;
  name: string;
  email: string;
  queue: Queue;
  supervisor: boolean;
}

const toExpert = (r: Record<string, unknown>): TicketExpert => ({ id: r.id as string, name: r.name as string, email: r.email as string, queue: r.queue as Queue, supervisor: r.supervisor as boolean });

/** Adds or updates experts by id (seed data, staff changes). */
export async function upsertTicketExperts(db: Db, experts: TicketExpert[]): Promise<void> {
  if (!experts.length) return;
  await db('ticket_expert')
    .insert(experts.map((e) => ({ ...e, active: true })))
    .onConflict('id')
    .merge(['name', 'email', 'queue', 'supervisor', 'active']);
}

/** The supervisor of a queue, if it has one. */
export async function queueSupervisor(db: Db, queue: Queue): Promise<TicketExpert | undefined> {
  const row = await db('ticket_expert').where({ queue, supervisor: true, active: true }).first();
  return row ? toExpert(row) : undefined;
}

/** The expert a query was given to, if it was. */
export async function ticketAssignee(db: Db, ticketId: string): Promise<TicketExpert | undefined> {
  const row = await db('ticket_assignment').join('ticket_expert', 'ticket_expert.id', 'ticket_assignment.expert_id').where({ ticket_id: ticketId }).first('ticket_expert.*');
  return row ? toExpert(row) : undefined;
}

/**
 * Gives a query to the active expert of its queue with the fewest open queries (then by name), the
 * supervisor only when nobody else is there. Once per query: a second call returns the first
 * assignee. The queue's experts are locked so two queries at once are not both given to the same
 * expert on a stale count. Call inside a transaction.
 */
export async function assignTicket(db: Db, ticketId: string, queue: Queue, now: Date): Promise<TicketExpert> {
  const existing = await ticketAssignee(db, ticketId);
  if (existing) return existing;
  const experts = await db('ticket_expert').where({ queue, active: true }).orderBy('id').forUpdate();
  if (!experts.length) throw new Error(`queue ${queue} has no active experts`);
  const open = await db('ticket_assignment')
    .whereIn('expert_id', experts.map((e) => e.id))
    .whereNull('closed_at')
    .groupBy('expert_id')
    .select('expert_id', db.raw('count(*)::int as n'));
  const load = new Map(open.map((r) => [r.expert_id as string, Number(r.n)]));
  const chosen = experts
    .map(toExpert)
    .sort((a, b) => Number(a.supervisor) - Number(b.supervisor) || (load.get(a.id) ?? 0) - (load.get(b.id) ?? 0) || a.name.localeCompare(b.name))[0];
  await db('ticket_assignment').insert({ ticket_id: ticketId, queue, expert_id: chosen.id, assigned_at: now }).onConflict('ticket_id').ignore();
  return (await ticketAssignee(db, ticketId))!;
}

/** The query no longer counts in its expert's load (resolved, rejected, closed). */
export async function closeTicketAssignment(db: Db, ticketId: string, now: Date): Promise<void> {
  await db('ticket_assignment').where({ ticket_id: ticketId }).whereNull('closed_at').update({ closed_at: now });
}

/** A reopened query counts again. */
export async function reopenTicketAssignment(db: Db, ticketId: string): Promise<void> {
  await db('ticket_assignment').where({ ticket_id: ticketId }).update({ closed_at: null });
}
