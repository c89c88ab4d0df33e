/** TMF common data types (TMF630 / SID), as zod schemas shared by every API. */
import { z } from 'zod';

/** An ISO 8601 date-time with an offset or Z, kept as the client wrote it. */
export const dateTime = z.iso.datetime({ offset: true });

export const timePeriod = z.object({ startDateTime: dateTime.optional(), endDateTime: dateTime.optional() });

/** TMF Money: `value` is a JSON number on the wire; inside the system it becomes a decimal. */
export const money = z.object({ unit: z.string().regex(/^[A-Z]{3}$/, 'ISO 4217 currency code'), value: z.number() });

export const quantity = z.object({ amount: z.number().optional(), units: z.string().optional() });

/** A reference to another entity: `id` is enough; the rest is informative. */
export const entityRef = z
  .object({
    id: z.string().min(1),
    href: z.string().optional(),
    name: z.string().optional(),
    version: z.string().optional(),
    '@referredType': z.string().optional(),
    '@type': z.string().optional(),
  })
  .loose();

/** The polymorphism attributes every TMF entity may carry. */
export const tmfBase = {
  '@type': z.string().optional(),
  '@baseType': z.string().optional(),
  '@schemaLocation': z.string().optional(),
};

/** A decimal number written as a string, so that rates stay exact. */
export const decimalString = z.string().regex(/^-?\d+(\.\d+)?$/, 'a decimal number written as a string, e.g. "0.12"');
