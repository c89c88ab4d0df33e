/**
 * How TMF621 trouble tickets are stored: server defaults, the owner (the customer in
 * `relatedParty`), and the rules every write obeys, from the API or from the ticket workflow's
 * activities: the status lifecycle (409 otherwise), `statusChangeDate` and the `statusChange`
 * history, ids and dates on new notes, and the channel's id.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../domain/clock';
import { TmfError } from '../domain/errors';
import { ticketStatusChangeProblem, type TicketStatus } from '../domain/tickets/ticket';
import { relatedCustomerId } from './crm-models';
import type { TmfDocument } from './tmf-resources';
import type { TmfModel } from './tmf-store';

export const TROUBLE_TICKET_API = 'troubleTicket';

type Note = { id?: string; date?: string; text?: string; author?: string };

/** The trouble ticket resource; `clock` stamps status changes and notes. */
export function troubleTicketModel(clock: Clock): TmfModel {
  return {
    apiName: TROUBLE_TICKET_API,
    name: 'troubleTicket',
    type: 'TroubleTicket',
    table: 'crm_trouble_ticket',
    stateField: 'status',
    creationDateField: 'creationDate',
    lastUpdateField: 'lastUpdate',
    defaults: () => ({ status: 'acknowledged' }),
    ownerCustomerId: relatedCustomerId,
    hooks: {
      beforeWrite: ({ before, after }) => {
        const now = clock.now().toISOString();
        const from = before?.status as TicketStatus | undefined;
        const to = after.status as TicketStatus;
        const doc: TmfDocument = { ...after };
        if (from === undefined || from !== to) {
          const problem = from && ticketStatusChangeProblem(from, to);
          if (problem) throw new TmfError(409, 'Conflict', problem);
          doc.statusChangeDate = now;
          const history = Array.isArray(before?.statusChange) ? (before.statusChange as unknown[]) : [];
          doc.statusChange = [...history, { status: to, changeDate: now, ...(after.statusChangeReason ? { changeReason: after.statusChangeReason } : {}) }];
          if (to === 'resolved') doc.resolutionDate = now;
        } else {
          // The history is the server's: a client cannot rewrite it.
          doc.statusChange = before?.statusChange ?? [];
        }
        if (Array.isArray(doc.note)) doc.note = (doc.note as Note[]).map((n) => ({ ...n, id: n.id ?? randomUUID(), date: n.date ?? now }));
        // TMF621's ChannelRef requires an id; a channel named only (`{name: 'sms'}`) is identified by its name.
        const channel = doc.channel as { id?: string; name?: string } | undefined;
        if (channel && channel.id === undefined && channel.name) doc.channel = { id: channel.name, ...channel };
        return doc;
      },
    },
  };
}
