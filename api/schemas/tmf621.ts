/**
 * TMF621 Trouble Ticket v4: a customer query. `description`, `severity` and `ticketType` are
 * required. Our values: `ticketType` billing, technical, sales or marketing (it picks the queue of
 * experts); `severity` critical, major, minor or low (it sets the resolution time). `channel`
 * names where the query came from (email, sms, phone, web, selfcare, shop); the answer goes back
 * by SMS to sms and phone, by email otherwise.
 */
import { z } from 'zod';
import { SEVERITIES, TICKET_STATUSES, TICKET_TYPES } from '../../domain/tickets/ticket';
import { dateTime, tmfBase } from './common';
import { attachmentRefOrValue, relatedEntity, relatedParty } from './tmf632';

const note = z.object({ id: z.string().optional(), author: z.string().optional(), date: dateTime.optional(), text: z.string().min(1), ...tmfBase }).loose();

const channel = z.object({ id: z.string().optional(), name: z.string().min(1), href: z.string().optional(), '@referredType': z.string().optional(), ...tmfBase }).loose();

const relationship = z.object({ id: z.string().min(1), href: z.string().optional(), name: z.string().optional(), relationshipType: z.string().min(1), ...tmfBase }).loose();

export const troubleTicketSchema = z.object({
  ...tmfBase,
  description: z.string().trim().min(1),
  severity: z.enum(SEVERITIES),
  ticketType: z.enum(TICKET_TYPES),
  name: z.string().optional(),
  externalId: z.string().optional(),
  priority: z.string().optional(),
  status: z.enum(TICKET_STATUSES).optional(),
  statusChangeReason: z.string().optional(),
  statusChangeDate: dateTime.optional(),
  creationDate: dateTime.optional(),
  lastUpdate: dateTime.optional(),
  expectedResolutionDate: dateTime.optional(),
  requestedResolutionDate: dateTime.optional(),
  resolutionDate: dateTime.optional(),
  channel: channel.optional(),
  note: z.array(note).optional(),
  attachment: z.array(attachmentRefOrValue).optional(),
  relatedEntity: z.array(relatedEntity.extend({ role: z.string().min(1), '@referredType': z.string().min(1) })).optional(),
  relatedParty: z.array(relatedParty).optional(),
  statusChange: z.array(z.object({ status: z.string(), changeDate: dateTime.optional(), changeReason: z.string().optional() }).loose()).optional(),
  troubleTicketRelationship: z.array(relationship).optional(),
});
