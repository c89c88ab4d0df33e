/** TMF638 Service Inventory v4: a service the network runs for a customer. */
import { z } from 'zod';
import { SERVICE_STATES } from '../../domain/ordering/states';
import { dateTime, entityRef, tmfBase } from './common';
import { characteristic, relatedParty } from './tmf632';
import { note, relatedPlace } from './tmf622';

/** TMF RelatedServiceOrderItem: the service order item that made or changed the service. */
export const relatedServiceOrderItem = z
  .object({
    itemId: z.string().min(1),
    serviceOrderId: z.string().min(1),
    serviceOrderHref: z.string().optional(),
    itemAction: z.string().optional(),
    role: z.string().optional(),
    ...tmfBase,
  })
  .loose();

export const serviceSchema = z.object({
  ...tmfBase,
  name: z.string().optional(),
  description: z.string().optional(),
  category: z.string().optional(),
  serviceType: z.string().optional(),
  state: z.enum(SERVICE_STATES),
  serviceSpecification: entityRef,
  hasStarted: z.boolean().optional(),
  isServiceEnabled: z.boolean().optional(),
  isStateful: z.boolean().optional(),
  isBundle: z.boolean().optional(),
  startMode: z.string().optional(),
  serviceDate: z.string().optional(),
  startDate: dateTime.optional(),
  endDate: dateTime.optional(),
  serviceCharacteristic: z.array(characteristic).optional(),
  supportingResource: z.array(entityRef).optional(),
  supportingService: z.array(entityRef).optional(),
  serviceRelationship: z.array(z.object({ relationshipType: z.string().min(1) }).loose()).optional(),
  serviceOrderItem: z.array(relatedServiceOrderItem).optional(),
  feature: z.array(z.object({ name: z.string().min(1) }).loose()).optional(),
  note: z.array(note).optional(),
  place: z.array(relatedPlace).optional(),
  relatedEntity: z.array(z.object({ id: z.string().min(1), role: z.string().optional() }).loose()).optional(),
  relatedParty: z.array(relatedParty).optional(),
});
