/**
 * TMF629 Customer Management v4: the customer as clients write it. `name` and `engagedParty` (the
 * individual or organization that is the customer) are the spec's mandatory attributes; the
 * conformance kit's engaged party ("500") need not exist. `status` follows our lifecycle: see
 * domain/crm/customer-lifecycle.ts.
 */
import { z } from 'zod';
import { CUSTOMER_STATUSES } from '../../domain/crm/customer-lifecycle';
import { dateTime, entityRef, timePeriod, tmfBase } from './common';
import { characteristic, contactMedium, relatedParty } from './tmf632';


/** TMF AccountRef: the spec names the account; we accept an id or a name. */
const accountRef = z
  .object({
    id: z.string().min(1).optional(),
    href: z.string().optional(),
    name: z.string().optional(),
    description: z.string().optional(),
    '@referredType': z.string().optional(),
    ...tmfBase,
  })
  .loose()
  .refine((a) => a.id !== undefined || a.name !== undefined, { message: 'an account reference needs an id or a name' });

const creditProfile = z
  .object({
    creditProfileDate: dateTime,
    creditRiskRating: z.number().int().optional(),
    creditScore: z.number().int().optional(),
    validFor: timePeriod,
    ...tmfBase,
  })
  .loose();

export const customerSchema = z.object({
  ...tmfBase,
  name: z.string().min(1),
  status: z.enum(CUSTOMER_STATUSES).optional(),
  statusReason: z.string().optional(),
  engagedParty: relatedParty,
  account: z.array(accountRef).optional(),
  agreement: z.array(entityRef).optional(),
  characteristic: z.array(characteristic).optional(),
  contactMedium: z.array(contactMedium).optional(),
  creditProfile: z.array(creditProfile).optional(),
  paymentMethod: z.array(entityRef).optional(),
  relatedParty: z.array(relatedParty).optional(),
  validFor: timePeriod.optional(),
});
