/**
 * What the ticket workflow does to a customer query: route it to its queue and assign an expert,
 * keep `expectedResolutionDate` true, remind the assignee, escalate to the queue's supervisor,
 * send the answer to the customer on the channel the query came from (and record the contact),
 * and close it. Each is safe to retry: notices carry idempotency keys, writes check first.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { Knex } from 'knex';
import { findBillDocument, holdBill, releaseHeldBill } from '../../db/bills';
import { customerModel, partyInteractionModel, relatedCustomerId } from '../../db/crm-models';
import { customerPartyRef } from '../../db/order-models';
import { troubleTicketModel } from '../../db/ticket-models';
import { assignTicket, closeTicketAssignment, queueSupervisor, reopenTicketAssignment, ticketAssignee } from '../../db/tickets';
import { findResource, type TmfDocument } from '../../db/tmf-resources';
import { createTmfResourceOnce, patchTmfResource } from '../../db/tmf-store';
import type { Clock } from '../../domain/clock';
import { answerChannel, QUEUE_OF_TYPE, RESOLUTION_TIME_MS, type Severity, type TicketStatus, type TicketType } from '../../domain/tickets/ticket';
import { uuidV5 } from '../../domain/uuid';
import { contactOf } from '../crm/customer-contact';
import type { SendNotificationInput, SendNotificationResult } from '../notifications';

const TICKET_NAMESPACE = '3b8f6d2a-9c41-4e57-a0d3-6f1e2b7c9a05';

/** A bill a billing query holds, with what to restore when the query is answered. */
export interface HeldBill {
  billId: string;
  billingAccountId: string;
  priorState: string;
}

export interface RoutedTicket {
  queue: string;
  assignee: { id: string; name: string };
  customerId: string;
  status: TicketStatus;
  resolutionMs: number;
}

export function createTicketActivities(deps: {
  knex: Knex;
  clock: Clock;
  publicUrl: string;
  sendNotification(input: SendNotificationInput): Promise<SendNotificationResult>;
}) {
  const { knex, clock } = deps;
  const model = troubleTicketModel(clock);
  const ctx = () => ({ now: clock.now(), publicUrl: deps.publicUrl });

  async function loadTicket(ticketId: string): Promise<TmfDocument> {
    const ticket = await findResource(knex, model.table, ticketId);
    if (!ticket) throw ApplicationFailure.nonRetryable(`trouble ticket ${ticketId} does not exist`, 'TicketNotFound');
    return ticket;
  }

  const ticketRef = (ticketId: string) => ({ id: ticketId, '@referredType': 'TroubleTicket' });

  return {
    /** Gives the query to an expert of its queue (once), names them on the ticket and tells them. */
    async routeTicket(input: { ticketId: string }): Promise<RoutedTicket> {
      const ticket = await loadTicket(input.ticketId);
      const queue = QUEUE_OF_TYPE[ticket.ticketType as TicketType];
      const expert = await knex.transaction(async (trx) => {
        const chosen = await assignTicket(trx, input.ticketId, queue, clock.now());
        const current = (await findResource(trx, model.table, input.ticketId, { forUpdate: true }))!;
        const parties = (current.relatedParty as Array<Record<string, unknown>> | undefined) ?? [];
        if (!parties.some((p) => p.role === 'assignee')) {
          await patchTmfResource(trx, model, input.ticketId, { relatedParty: [...parties, { id: chosen.id, name: chosen.name, role: 'assignee', '@referredType': 'Individual' }] }, clock.now());
        }
        return chosen;
      });
      await deps.sendNotification({
        event: 'ticketAssigned',
        language: 'en',
        params: { ticketId: input.ticketId, ticketType: String(ticket.ticketType), severity: String(ticket.severity), description: String(ticket.description), assigneeName: expert.name },
        to: { email: expert.email, name: expert.name },
        relatedEntity: ticketRef(input.ticketId),
        idempotencyKey: `ticket-${input.ticketId}:assigned`,
      });
      return {
        queue,
        assignee: { id: expert.id, name: expert.name },
        customerId: relatedCustomerId(ticket) ?? '',
        status: ticket.status as TicketStatus,
        resolutionMs: RESOLUTION_TIME_MS[ticket.severity as Severity],
      };
    },

    /** Shows when the query should be resolved, as the running clock says. */
    async setExpectedResolution(input: { ticketId: string; expectedResolutionDate: string }): Promise<void> {
      await knex.transaction((trx) => patchTmfResource(trx, model, input.ticketId, { expectedResolutionDate: input.expectedResolutionDate }, clock.now()));
    },

    /** Reminds the assignee that the resolution time is running out. */
    async remindTicketAssignee(input: { ticketId: string; round: number; deadline: string }): Promise<void> {
      const expert = await ticketAssignee(knex, input.ticketId);
      if (!expert) return;
      await deps.sendNotification({
        event: 'ticketReminder',
        language: 'en',
        params: { ticketId: input.ticketId, deadline: input.deadline, assigneeName: expert.name },
        to: { email: expert.email, name: expert.name },
        relatedEntity: ticketRef(input.ticketId),
        idempotencyKey: `ticket-${input.ticketId}:reminder:${input.round}`,
      });
    },

    /** Tells the queue's supervisor that the query is past its resolution time. */
    async escalateTicket(input: { ticketId: string; round: number; deadline: string }): Promise<void> {
      const ticket = await loadTicket(input.ticketId);
      const queue = QUEUE_OF_TYPE[ticket.ticketType as TicketType];
      const [supervisor, expert] = await Promise.all([queueSupervisor(knex, queue), ticketAssignee(knex, input.ticketId)]);
      if (!supervisor) throw ApplicationFailure.nonRetryable(`queue ${queue} has no supervisor to escalate to`, 'NoSupervisor');
      await deps.sendNotification({
        event: 'ticketEscalation',
        language: 'en',
        params: { ticketId: input.ticketId, queue, deadline: input.deadline, assigneeName: expert?.name, supervisorName: supervisor.name, severity: String(ticket.severity) },
        to: { email: supervisor.email, name: supervisor.name },
        relatedEntity: ticketRef(input.ticketId),
        idempotencyKey: `ticket-${input.ticketId}:escalation:${input.round}`,
      });
    },

    /**
     * Sends the expert's answer (the resolution's or rejection's `statusChangeReason`) to the
     * customer on the channel the query came from, records the contact as a party interaction,
     * and takes the query off the expert's load.
     */
    async answerTicketCustomer(input: { ticketId: string; round: number; reopenUntil?: string }): Promise<void> {
      const ticket = await loadTicket(input.ticketId);
      const customerId = relatedCustomerId(ticket);
      const customer = customerId ? await findResource(knex, customerModel.table, customerId) : undefined;
      if (!customer) throw ApplicationFailure.nonRetryable(`trouble ticket ${input.ticketId} names no customer to answer`, 'NoCustomer');
      const contact = contactOf(customer);
      const preferred = answerChannel((ticket.channel as { name?: string } | undefined)?.name);
      const useSms = preferred === 'sms' ? !!contact.msisdn : !contact.email;
      const key = `ticket-${input.ticketId}:answer:${input.round}`;
      await deps.sendNotification({
        event: 'ticketAnswered',
        language: contact.language,
        params: { givenName: contact.name || undefined, ticketId: input.ticketId, answer: String(ticket.statusChangeReason ?? ''), status: String(ticket.status), reopenUntil: input.reopenUntil },
        to: useSms ? { msisdn: contact.msisdn, name: contact.name } : { email: contact.email, name: contact.name },
        customerId,
        relatedEntity: ticketRef(input.ticketId),
        idempotencyKey: key,
      });
      await knex.transaction(async (trx) => {
        await createTmfResourceOnce(
          trx,
          partyInteractionModel(clock),
          uuidV5(key, TICKET_NAMESPACE),
          {
            description: `Answer to query ${input.ticketId}`,
            reason: 'troubleTicket',
            direction: 'outbound',
            channel: [{ id: useSms ? 'sms' : 'email', role: 'interaction channel' }],
            status: 'completed',
            relatedParty: [customerPartyRef(String(customerId))],
            relatedEntity: [{ id: input.ticketId, role: 'troubleTicket', '@referredType': 'TroubleTicket' }],
          },
          ctx(),
        );
        await closeTicketAssignment(trx, input.ticketId, clock.now());
      });
    },

    /**
     * A billing query about bills of its customer (relatedEntity CustomerBill) puts them on hold
     * for dunning; returns the bills it holds and their states before. Bills of another customer,
     * unknown or settled ones are left alone.
     */
    async holdQueriedBills(input: { ticketId: string }): Promise<HeldBill[]> {
      const ticket = await loadTicket(input.ticketId);
      if (ticket.ticketType !== 'billing') return [];
      const customerId = relatedCustomerId(ticket);
      const refs = ((ticket.relatedEntity as Array<{ id: string; '@referredType'?: string }> | undefined) ?? []).filter((e) => e['@referredType'] === 'CustomerBill');
      const held: HeldBill[] = [];
      for (const { id } of refs) {
        await knex.transaction(async (trx) => {
          const bill = await findBillDocument(trx, id);
          const owner = (bill?.relatedParty as Array<{ id: string; role?: string }> | undefined)?.find((p) => p.role === 'customer')?.id;
          if (!bill || owner !== customerId) return;
          const hold = await holdBill(trx, id, clock.now());
          if (hold) held.push({ billId: id, billingAccountId: String((bill.billingAccount as { id: string }).id), priorState: hold.priorState });
        });
      }
      return held;
    },

    /** The query is answered: its bills go back to the state they were in, unless something else moved them meanwhile. */
    async releaseQueriedBills(input: { bills: HeldBill[] }): Promise<void> {
      for (const bill of input.bills) {
        await knex.transaction(async (trx) => {
          await releaseHeldBill(trx, bill.billId, clock.now(), bill.priorState);
        });
      }
    },

    /** A reopened query counts in its expert's load again. */
    async reopenTicket(input: { ticketId: string }): Promise<void> {
      await reopenTicketAssignment(knex, input.ticketId);
    },

    /** Closes a resolved query whose reopening window has passed. */
    async closeTicket(input: { ticketId: string }): Promise<void> {
      await knex.transaction(async (trx) => {
        const ticket = await findResource(trx, model.table, input.ticketId, { forUpdate: true });
        if (ticket?.status === 'resolved') await patchTmfResource(trx, model, input.ticketId, { status: 'closed', statusChangeReason: 'the reopening window has ended' }, clock.now());
        await closeTicketAssignment(trx, input.ticketId, clock.now());
      });
    },
  };
}
