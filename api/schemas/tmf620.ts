/**
 * TMF620 Product Catalog v4 resources as clients write them, plus our documented extensions:
 * `paymentType` on offerings, `serviceType`/`requiresInstallation` on specifications, and
 * `usageType`/`rating` (tariff as data: bands of rate slots) on usage prices.
 */
import { z } from 'zod';
import { dateTime, decimalString, entityRef, money, quantity, timePeriod, tmfBase } from './common';

export const LIFECYCLE_STATUSES = ['In study', 'In design', 'In test', 'Active', 'Launched', 'Retired', 'Obsolete', 'Rejected'] as const;

const catalogItem = {
  ...tmfBase,
  name: z.string().min(1),
  description: z.string().optional(),
  lifecycleStatus: z.enum(LIFECYCLE_STATUSES).optional(),
  version: z.string().optional(),
  validFor: timePeriod.optional(),
  lastUpdate: dateTime.optional(),
};

export const catalogSchema = z.object({
  ...catalogItem,
  catalogType: z.string().optional(),
  category: z.array(entityRef).optional(),
  relatedParty: z.array(entityRef).optional(),
});

export const categorySchema = z.object({
  ...catalogItem,
  isRoot: z.boolean().optional(),
  parentId: z.string().optional(),
  productOffering: z.array(entityRef).optional(),
  subCategory: z.array(entityRef).optional(),
});

const characteristicValue = z
  .object({
    valueType: z.string().optional(),
    value: z.unknown().optional(),
    unitOfMeasure: z.string().optional(),
    isDefault: z.boolean().optional(),
    validFor: timePeriod.optional(),
  })
  .loose();

export const SERVICE_TYPES = ['mobile', 'ftth', 'content', 'equipment', 'fee'] as const;

export const productSpecificationSchema = z.object({
  ...catalogItem,
  brand: z.string().optional(),
  productNumber: z.string().optional(),
  isBundle: z.boolean().optional(),
  bundledProductSpecification: z.array(entityRef).optional(),
  productSpecCharacteristic: z
    .array(
      z
        .object({
          name: z.string().min(1),
          description: z.string().optional(),
          valueType: z.string().optional(),
          configurable: z.boolean().optional(),
          productSpecCharacteristicValue: z.array(characteristicValue).optional(),
        })
        .loose(),
    )
    .optional(),
  relatedParty: z.array(entityRef).optional(),
  serviceSpecification: z.array(entityRef).optional(),
  resourceSpecification: z.array(entityRef).optional(),
  serviceType: z.enum(SERVICE_TYPES).optional(),
  requiresInstallation: z.boolean().optional(),
});

export const PAYMENT_TYPES = ['prepaid', 'postpaid', 'any'] as const;

export const productOfferingSchema = z.object({
  ...catalogItem,
  isBundle: z.boolean().optional(),
  isSellable: z.boolean().optional(),
  statusReason: z.string().optional(),
  productSpecification: entityRef.optional(),
  productOfferingPrice: z.array(entityRef).optional(),
  bundledProductOffering: z.array(entityRef).optional(),
  category: z.array(entityRef).optional(),
  channel: z.array(entityRef).optional(),
  marketSegment: z.array(entityRef).optional(),
  place: z.array(entityRef).optional(),
  prodSpecCharValueUse: z.array(z.object({ name: z.string() }).loose()).optional(),
  productOfferingTerm: z.array(z.object({ name: z.string().optional() }).loose()).optional(),
  paymentType: z.enum(PAYMENT_TYPES).optional(),
});

/** One step of a tariff: from `start` units on, `rate` per `unit`, charged in steps of `increment`. */
const rateSlot = z.object({
  start: z.number().int().nonnegative(),
  rate: decimalString,
  unit: z.number().int().positive(),
  increment: z.number().int().positive(),
});

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'HH:MM');

/** Rate slots that apply on some days, at some times, to some destinations; first match wins. */
const rateBand = z.object({
  name: z.string().min(1),
  daysOfWeek: z.array(z.number().int().min(1).max(7)).optional(),
  startTime: hhmm.optional(),
  endTime: hhmm.optional(),
  destinationPrefixes: z.array(z.string().regex(/^\+?\d+$/)).optional(),
  slots: z.array(rateSlot).min(1),
});

export const ratingSchema = z.object({ connectFee: decimalString.optional(), bands: z.array(rateBand).min(1) });

export const PRICE_TYPES = ['oneTime', 'recurring', 'usage', 'discount'] as const;

export const productOfferingPriceSchema = z
  .object({
    ...catalogItem,
    isBundle: z.boolean().optional(),
    priceType: z.enum(PRICE_TYPES),
    price: money.optional(),
    percentage: z.number().min(0).max(100).optional(),
    recurringChargePeriodType: z.enum(['day', 'week', 'month', 'year']).optional(),
    recurringChargePeriodLength: z.number().int().positive().optional(),
    unitOfMeasure: quantity.optional(),
    tax: z.array(z.object({ taxCategory: z.string().optional(), taxRate: z.number().min(0).max(100).optional(), taxAmount: money.optional() }).loose()).optional(),
    bundledPopRelationship: z.array(entityRef).optional(),
    popRelationship: z.array(entityRef).optional(),
    prodSpecCharValueUse: z.array(z.object({ name: z.string() }).loose()).optional(),
    productOfferingTerm: z.array(z.object({ name: z.string().optional() }).loose()).optional(),
    usageType: z.enum(['voice', 'data', 'sms']).optional(),
    rating: ratingSchema.optional(),
  })
  .superRefine((pop, ctx) => {
    if (pop.rating && pop.priceType !== 'usage') ctx.addIssue({ code: 'custom', path: ['rating'], message: 'only usage prices carry a tariff' });
    if (pop.rating && !pop.usageType) ctx.addIssue({ code: 'custom', path: ['usageType'], message: 'required with a tariff (voice, data or sms)' });
    if (pop.priceType === 'discount' && pop.price === undefined && pop.percentage === undefined) {
      ctx.addIssue({ code: 'custom', path: ['percentage'], message: 'a discount needs a percentage or a price' });
    }
  });
