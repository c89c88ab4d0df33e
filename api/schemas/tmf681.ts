/**
 * TMF681 Communication Management v4: the communicationMessage as clients write it
 * (CommunicationMessage_Create of the v4.0.0 swagger: `content`, `receiver` (at least one),
 * `sender` and `messageType` required). Our documented extension: `relatedEntity`, the business
 * entity the message is about (e.g. a registration), as EntityRefs.
 *
 * Ownership: a message sent to a customer names it in `receiver[].party` with
 * `@referredType: 'Customer'` (role 'customer'); that party's id is the message's owner, so a
 * customer token sees only the messages sent to it.
 */
import { z } from 'zod';
import { dateTime, entityRef, quantity, timePeriod, tmfBase } from './common';

export const COMMUNICATION_MESSAGE_STATES = ['initial', 'inProgress', 'completed', 'cancelled', 'failed'] as const;
export type CommunicationMessageState = (typeof COMMUNICATION_MESSAGE_STATES)[number];

export const relatedParty = z
  .object({
    ...tmfBase,
    id: z.string().min(1),
    href: z.string().optional(),
    name: z.string().optional(),
    role: z.string().optional(),
    '@referredType': z.string().min(1),
  })
  .loose();

const addressee = {
  ...tmfBase,
  id: z.string().optional(),
  email: z.string().optional(),
  name: z.string().optional(),
  phoneNumber: z.string().optional(),
  party: relatedParty.optional(),
};

export const receiverSchema = z.object({ ...addressee, appUserId: z.string().optional(), ip: z.string().optional() }).loose();

export const senderSchema = z.object(addressee).loose();

export const attachmentSchema = z
  .object({
    ...tmfBase,
    id: z.string().optional(),
    href: z.string().optional(),
    attachmentType: z.string().optional(),
    content: z.string().optional(),
    description: z.string().optional(),
    mimeType: z.string().optional(),
    name: z.string().optional(),
    url: z.string().optional(),
    size: quantity.optional(),
    validFor: timePeriod.optional(),
  })
  .loose();

export const characteristicSchema = z
  .object({
    ...tmfBase,
    id: z.string().optional(),
    name: z.string().min(1),
    valueType: z.string().optional(),
    characteristicRelationship: z
      .array(z.object({ ...tmfBase, id: z.string().optional(), relationshipType: z.string().optional() }).loose())
      .optional(),
    // `Any` in the spec: required, but any JSON value.
    value: z.unknown().refine((v) => v !== undefined, 'is required'),
  })
  .loose();

export const communicationMessageSchema = z.object({
  ...tmfBase,
  content: z.string(),
  description: z.string().optional(),
  logFlag: z.boolean().optional(),
  /** e.g. `email`, `sms` (the values the notification activity writes). */
  messageType: z.string().min(1),
  priority: z.string().optional(),
  scheduledSendTime: dateTime.optional(),
  sendTime: dateTime.optional(),
  sendTimeComplete: dateTime.optional(),
  subject: z.string().optional(),
  tryTimes: z.number().int().optional(),
  attachment: z.array(attachmentSchema).optional(),
  characteristic: z.array(characteristicSchema).optional(),
  receiver: z.array(receiverSchema).min(1),
  sender: senderSchema,
  state: z.enum(COMMUNICATION_MESSAGE_STATES).optional(),
  relatedEntity: z.array(entityRef).optional(),
});
