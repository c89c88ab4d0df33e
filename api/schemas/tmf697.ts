/**
 * TMF697 Work Order Management v4: the work order as clients write it. `assignedTechnician` (our
 * extension, set by the workforce service) names the technician who does the job.
 */
import { z } from 'zod';
import { WORK_ORDER_STATES } from '../../domain/workforce/lifecycle';
import { dateTime, entityRef, tmfBase } from './common';
import { relatedParty } from './tmf632';
import { note } from './tmf646';

const workOrderItem = z
  .object({
    id: z.string().min(1),
    action: z.enum(['add', 'modify', 'delete', 'noChange']),
    description: z.string().optional(),
    state: z.enum(WORK_ORDER_STATES).optional(),
    ...tmfBase,
  })
  .loose();

export const workOrderSchema = z.object({
  ...tmfBase,
  category: z.string().optional(),
  description: z.string().optional(),
  externalId: z.string().optional(),
  priority: z.string().optional(),
  state: z.enum(WORK_ORDER_STATES).optional(),
  requestedStartDate: dateTime.optional(),
  requestedCompletionDate: dateTime.optional(),
  expectedCompletionDate: dateTime.optional(),
  cancellationReason: z.string().optional(),
  workOrderItem: z.array(workOrderItem).min(1),
  appointment: entityRef.optional(),
  order: z.array(entityRef).optional(),
  place: z.object({}).loose().optional(),
  relatedParty: z.array(relatedParty).optional(),
  // One Note in the v4 specification; a list is accepted too.
  note: z.union([note, z.array(note)]).optional(),
  assignedTechnician: entityRef.optional(),
});
