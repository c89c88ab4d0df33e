/** Requests of the inventory admin API (`/api/inventory`): adding FTTH capacity. */
import { z } from 'zod';

export const accessNodeId = z.string().regex(/^[A-Z0-9][A-Z0-9-]{1,39}$/, 'upper-case letters, digits and dashes, e.g. OLT-MAD-03');

export const addPortsRequestSchema = z.strictObject({
  count: z.number().int().min(1).max(1024),
});

export const addAccessNodeRequestSchema = z.strictObject({
  id: accessNodeId,
  areaId: z.string().min(1).max(40),
  ports: z.number().int().min(0).max(1024).default(0),
});
