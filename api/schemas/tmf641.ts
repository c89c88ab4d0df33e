/**
 * TMF641 Service Ordering v4: the service order as clients (and the order decomposition) write it.
 * Its product order is named by an `externalReference` `{externalReferenceType: 'ProductOrder',
 * name: <product order id>, href}`.
 */
import { z } from 'zod';
import { ORDER_ITEM_ACTIONS, SERVICE_ORDER_ITEM_STATES, SERVICE_ORDER_STATES, SERVICE_STATES } from '../../domain/ordering/states';
import { dateTime, entityRef, tmfBase } from './common';
import { characteristic, relatedParty } from './tmf632';
import { note, relatedPlace } from './tmf622';

/** TMF ExternalReference: a reference to something outside this API, such as the product order. */
export const externalReference = z
  .object({ id: z.string().optional(), href: z.string().optional(), externalReferenceType: z.string().optional(), name: z.string().min(1), ...tmfBase })
  .loose();

/** TMF641 ServiceRefOrValue: the service an item creates (by value) or changes (by reference). */
export const serviceRefOrValue = z
  .object({
    id: z.string().min(1).optional(),
    href: z.string().optional(),
    name: z.string().optional(),
    serviceType: z.string().optional(),
    state: z.enum(SERVICE_STATES).optional(),
    serviceSpecification: entityRef.optional(),
    serviceCharacteristic: z.array(characteristic).optional(),
    supportingResource: z.array(entityRef).optional(),
    supportingService: z.array(entityRef).optional(),
    place: z.array(relatedPlace).optional(),
    relatedParty: z.array(relatedParty).optional(),
    '@referredType': z.string().optional(),
    ...tmfBase,
  })
  .loose();

export const serviceOrderItem = z
  .object({
    id: z.string().min(1),
    action: z.enum(ORDER_ITEM_ACTIONS),
    quantity: z.number().int().positive().optional(),
    service: serviceRefOrValue,
    appointment: entityRef.optional(),
    serviceOrderItemRelationship: z.array(z.object({ relationshipType: z.string().min(1) }).loose()).optional(),
    state: z.enum(SERVICE_ORDER_ITEM_STATES).optional(),
    errorMessage: z.array(z.object({}).loose()).optional(),
    ...tmfBase,
  })
  .loose();

export const serviceOrderSchema = z.object({
  ...tmfBase,
  externalId: z.string().optional(),
  description: z.string().optional(),
  category: z.string().optional(),
  priority: z.string().optional(),
  notificationContact: z.string().optional(),
  externalReference: z.array(externalReference).optional(),
  relatedParty: z.array(relatedParty).optional(),
  serviceOrderItem: z.array(serviceOrderItem).min(1),
  note: z.array(note).optional(),
  orderRelationship: z.array(entityRef).optional(),
  state: z.enum(SERVICE_ORDER_STATES).optional(),
  orderDate: dateTime.optional(),
  requestedStartDate: dateTime.optional(),
  requestedCompletionDate: dateTime.optional(),
  expectedCompletionDate: dateTime.optional(),
  startDate: dateTime.optional(),
  completionDate: dateTime.optional(),
  cancellationDate: dateTime.optional(),
  cancellationReason: z.string().optional(),
});
