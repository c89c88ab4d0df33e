/**
 * TMF639 Resource Inventory v4: a resource as clients write it (Resource_Create: `name` is
 * mandatory). `@type` is `Resource`, `LogicalResource` (MSISDN, FTTH port: `value`) or
 * `PhysicalResource` (SIM card: `serialNumber`) or a subclass of them.
 */
import { z } from 'zod';
import { dateTime, entityRef, timePeriod, tmfBase } from './common';
import { characteristic, relatedParty } from './tmf632';

export const RESOURCE_STATUSES = ['standby', 'alarm', 'available', 'reserved', 'unknown', 'suspended'] as const;
export const OPERATIONAL_STATES = ['enable', 'disable'] as const;
export const ADMINISTRATIVE_STATES = ['locked', 'unlocked', 'shutdown'] as const;
export const USAGE_STATES = ['idle', 'active', 'busy'] as const;

const note = z.object({ id: z.string().optional(), author: z.string().optional(), date: dateTime.optional(), text: z.string().optional(), ...tmfBase }).loose();

const resourceRelationship = z
  .object({
    id: z.string().optional(),
    href: z.string().optional(),
    relationshipType: z.string().min(1),
    resourceRelationshipCharacteristic: z.array(characteristic).optional(),
    resource: entityRef.optional(),
    ...tmfBase,
  })
  .loose();

const relatedPlace = z.object({ id: z.string().optional(), href: z.string().optional(), name: z.string().optional(), role: z.string().optional(), ...tmfBase }).loose();

const attachment = z
  .object({ id: z.string().optional(), href: z.string().optional(), name: z.string().optional(), url: z.string().optional(), mimeType: z.string().optional(), attachmentType: z.string().optional(), validFor: timePeriod.optional(), ...tmfBase })
  .loose();

export const resourceSchema = z.object({
  ...tmfBase,
  name: z.string().min(1),
  category: z.string().optional(),
  description: z.string().optional(),
  value: z.string().optional(),
  serialNumber: z.string().optional(),
  manufactureDate: dateTime.optional(),
  powerState: z.string().optional(),
  versionNumber: z.string().optional(),
  resourceVersion: z.string().optional(),
  startOperatingDate: dateTime.optional(),
  endOperatingDate: dateTime.optional(),
  resourceStatus: z.enum(RESOURCE_STATUSES).optional(),
  operationalState: z.enum(OPERATIONAL_STATES).optional(),
  administrativeState: z.enum(ADMINISTRATIVE_STATES).optional(),
  usageState: z.enum(USAGE_STATES).optional(),
  attachment: z.array(attachment).optional(),
  note: z.array(note).optional(),
  place: relatedPlace.optional(),
  relatedParty: z.array(relatedParty).optional(),
  resourceCharacteristic: z.array(characteristic).optional(),
  resourceRelationship: z.array(resourceRelationship).optional(),
  resourceSpecification: entityRef.optional(),
});
