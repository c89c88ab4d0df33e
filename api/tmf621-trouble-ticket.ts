/**
 * TMF621 Trouble Ticket v4 (`/tmf-api/troubleTicket/v4/troubleTicket`): customer queries.
 *
 * A new ticket starts its workflow (`ticket-<id>`), which routes it to its queue, assigns an
 * expert and keeps its resolution time; every later status change is signalled to it. Customers
 * (self-care token) open queries for themselves, add notes and attachments, and may reopen a
 * resolved query (status `inProgress`) while the workflow keeps the reopening window open; nothing
 * else. Agents and admins open queries for a customer (named in `relatedParty`) and work them;
 * resolving needs `statusChangeReason`: the answer the customer is sent. Only admins delete.
 */
import { Client, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import type { Logger } from 'pino';
import { relatedCustomerId } from '../db/crm-models';
import { TROUBLE_TICKET_API, troubleTicketModel } from '../db/ticket-models';
import type { TmfDocument } from '../db/tmf-resources';
import type { troubleTicket } from '../workflows/trouble-ticket';
import { ticketStatusChangedSignal, ticketWorkflowId } from '../workflows/trouble-ticket';
import type { Principal } from './auth';
import { troubleTicketSchema } from './schemas/tmf621';
import { badRequest, TmfError } from './tmf/errors';
import { TmfApi, type TmfApiDeps } from './tmf/resource';

/** What a customer may change on its own query. */
const CUSTOMER_WRITABLE = new Set(['note', 'attachment', 'status', 'statusChangeReason', 'lastUpdate']);

const isCustomerOnly = (p: Principal): boolean => p.roles.every((r) => r === 'customer');

function changedKeys(before: TmfDocument, after: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
}

/** The rules of who may write what, beyond roles and ownership. */
function authorizeTicketWrite({ principal, before, after }: { principal: Principal; before?: TmfDocument; after?: Record<string, unknown> }): void {
  if (!after) {
    if (!principal.roles.includes('admin')) throw new TmfError(403, 'Forbidden', 'only an admin deletes a trouble ticket');
    return;
  }
  if (!before) {
    if (after.status !== 'acknowledged') throw badRequest('status: a new trouble ticket is acknowledged; its status is set by the server');
    if (!relatedCustomerId(after as TmfDocument)) throw badRequest('relatedParty: name the customer who asks (role customer)');
    return;
  }
  if (isCustomerOnly(principal)) {
    const refused = changedKeys(before, after).filter((k) => !CUSTOMER_WRITABLE.has(k));
    if (refused.length) throw new TmfError(403, 'Forbidden', `a customer may add notes and attachments and reopen a resolved query, not change ${refused.join(', ')}`);
    if (after.status !== before.status && !(before.status === 'resolved' && after.status === 'inProgress')) {
      throw new TmfError(403, 'Forbidden', 'a customer may only reopen a resolved query (status inProgress)');
    }
  }
  if (after.status === 'resolved' && before.status !== 'resolved' && !String(after.statusChangeReason ?? '').trim()) {
    throw badRequest('statusChangeReason: resolving a query needs the answer for the customer');
  }
}

export interface TroubleTicketApiDeps extends TmfApiDeps {
  /** Starts and signals ticket workflows; without it tickets are only stored (no routing). */
  temporal?: Client;
  taskQueue: string;
  logger?: Logger;
}

/** Builds the TMF621 router. */
export function troubleTicketApi(deps: TroubleTicketApiDeps): TmfApi {
  const { temporal, taskQueue, logger } = deps;
  return new TmfApi(TROUBLE_TICKET_API, deps).resource({
    ...troubleTicketModel(deps.clock),
    schema: troubleTicketSchema,
    access: { read: ['admin', 'agent', 'customer'], write: ['admin', 'agent', 'customer'] },
    authorizeWrite: authorizeTicketWrite,
    afterCommit: async ({ before, after }) => {
      if (!temporal) return;
      const id = String(after.id);
      if (!before) {
        try {
          await temporal.workflow.start<typeof troubleTicket>('troubleTicket', { workflowId: ticketWorkflowId(id), taskQueue, args: [{ ticketId: id }] });
        } catch (err) {
          if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        }
      } else if (before.status !== after.status) {
        try {
          await temporal.workflow.getHandle(ticketWorkflowId(id)).signal(ticketStatusChangedSignal, { status: String(after.status) });
        } catch (err) {
          if (!(err instanceof WorkflowNotFoundError)) throw err;
          logger?.warn({ err, ticketId: id }, 'no ticket workflow to signal');
        }
      }
    },
  });
}
