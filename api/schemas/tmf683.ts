/**
 * TMF683 Party Interaction v4: every contact with a party, on every channel, in either direction.
 * `direction`, `reason` and `channel` are mandatory (the spec's `status` and `interactionDate` are
 * filled by the server when left out). Our extension: `relatedEntity`, the entities the
 * interaction was about (an order, a trouble ticket, a bill) as plain references, beside the
 * spec's `interactionItem`.
 *
 * A channel is named by its `id`, one of INTERACTION_CHANNELS; its `name` is filled in.
 */
import { z } from 'zod';
import { INTERACTION_CHANNELS, type InteractionChannel } from '../../db/crm-models';
import { dateTime, timePeriod, tmfBase } from './common';
import { attachmentRefOrValue, relatedEntity, relatedParty } from './tmf632';


export const INTERACTION_DIRECTIONS = ['inbound', 'outbound'] as const;
/** The spec's states: opened, inProgress, completed. */
export const INTERACTION_STATUSES = ['opened', 'inProgress', 'completed'] as const;

const channelIds = Object.keys(INTERACTION_CHANNELS) as [InteractionChannel, ...InteractionChannel[]];

/** TMF RelatedChannel. */
export const relatedChannel = z
  .object({
    id: z.enum(channelIds),
    href: z.string().optional(),
    name: z.string().optional(),
    role: z.string().optional(),
    '@referredType': z.string().optional(),
    ...tmfBase,
  })
  .loose();

const note = z.object({ id: z.string().optional(), author: z.string().optional(), date: dateTime.optional(), text: z.string().optional(), ...tmfBase }).loose();

const interactionItem = z
  .object({
    id: z.string().optional(),
    reason: z.string().optional(),
    resolution: z.string().optional(),
    item: relatedEntity.partial({ id: true }).optional(),
    itemDate: timePeriod.optional(),
    channel: z.array(relatedChannel).optional(),
    note: z.array(note).optional(),
    relatedParty: z.array(relatedParty).optional(),
    attachment: z.array(attachmentRefOrValue).optional(),
    ...tmfBase,
  })
  .loose();

export const partyInteractionSchema = z.object({
  ...tmfBase,
  description: z.string().optional(),
  direction: z.enum(INTERACTION_DIRECTIONS),
  reason: z.string().min(1),
  status: z.enum(INTERACTION_STATUSES).optional(),
  statusChangeDate: dateTime.optional(),
  creationDate: dateTime.optional(),
  interactionDate: timePeriod.optional(),
  channel: z.array(relatedChannel).min(1),
  relatedParty: z.array(relatedParty).optional(),
  relatedEntity: z.array(relatedEntity).optional(),
  interactionItem: z.array(interactionItem).optional(),
  interactionRelationship: z.array(z.object({ id: z.string().optional(), href: z.string().optional(), relationshipType: z.string().optional() }).loose()).optional(),
  note: z.array(note).optional(),
  attachment: z.array(attachmentRefOrValue).optional(),
});
