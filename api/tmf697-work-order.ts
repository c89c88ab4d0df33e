/**
 * TMF697 Work Order Management v4 (`/tmf-api/workOrder/v4/workOrder`). Storage and the state
 * machine are in db/workforce-models.ts; the API adds who may see and change what:
 *
 * - staff (admin, agent) read and write all; a customer reads its own; a technician reads the
 *   work orders assigned to it (`assignedTechnician.id` = its token's `sub`), others answer 404;
 * - a technician may only change `state` (to inProgress, held, completed or failed) and `note`;
 * - only the assigned technician may complete a work order (403 for every other caller);
 *   `onWorkOrderCompleted` is called once, after the commit of the change to `completed`;
 * - `assignedTechnician`, `appointment` and `order` are set by the workforce service (400 on change);
 *   only a work order in a final state may be deleted.
 */
import { appointmentIdOf, assignedTechnicianIdOf, orderIdOf, WORK_ORDER_API, workOrderModel } from '../db/workforce-models';
import { FINAL_WORK_ORDER_STATES, type WorkOrderState } from '../domain/workforce/lifecycle';
import type { Principal, Role } from './auth';
import { workOrderSchema } from './schemas/tmf697';
import { changedAttributes } from './tmf646-appointment';
import { badRequest, TmfError } from './tmf/errors';
import { TmfApi, type TmfApiDeps, type TmfResourceSpec } from './tmf/resource';

export interface WorkOrderCompletedEvent {
  workOrderId: string;
  orderId: string;
  appointmentId: string;
}

export interface WorkOrderApiDeps extends TmfApiDeps {
  /** Called once a work order of an order has been completed (after the commit). */
  onWorkOrderCompleted?(event: WorkOrderCompletedEvent): Promise<void>;
}

const ACCESS: { read: Role[]; write: Role[] } = { read: ['admin', 'agent', 'customer', 'technician'], write: ['admin', 'agent', 'technician'] };
const TECHNICIAN_STATES: WorkOrderState[] = ['inProgress', 'held', 'completed', 'failed'];
const TECHNICIAN_MAY_CHANGE = new Set(['state', 'note']);
const SERVICE_OWNED = ['assignedTechnician', 'appointment', 'order'];

const isTechnicianOnly = (p: Principal) => p.roles.every((r) => r === 'technician');
const forbidden = (message: string) => new TmfError(403, 'Forbidden', message);

/** Builds the TMF697 router. */
export function workOrderApi(deps: WorkOrderApiDeps): TmfApi {
  const spec: TmfResourceSpec = {
    ...workOrderModel(deps.clock),
    schema: workOrderSchema,
    access: ACCESS,
    visibleTo: (principal) => (isTechnicianOnly(principal) ? [{ path: ['assignedTechnician', 'id'], values: [principal.subject] }] : []),
    authorizeWrite: ({ principal, before, after }) => {
      const technician = isTechnicianOnly(principal);
      if (!before) {
        if (technician) throw forbidden('a technician may not create work orders');
        return;
      }
      if (!after) {
        if (technician) throw forbidden('a technician may not delete work orders');
        if (!FINAL_WORK_ORDER_STATES.includes(before.state as WorkOrderState)) {
          throw new TmfError(409, 'Conflict', `a ${String(before.state)} work order cannot be deleted: cancel it first`);
        }
        return;
      }
      const changed = changedAttributes(before, after);
      const owned = changed.filter((k) => SERVICE_OWNED.includes(k));
      if (owned.length) throw badRequest(`${owned.join(', ')}: set by the workforce service (move the appointment instead)`);
      if (technician) {
        const refused = changed.filter((k) => !TECHNICIAN_MAY_CHANGE.has(k));
        if (refused.length) throw forbidden(`a technician may change only state and note, not ${refused.join(', ')}`);
        if (before.state !== after.state && !TECHNICIAN_STATES.includes(after.state as WorkOrderState)) {
          throw forbidden(`a technician may set state to ${TECHNICIAN_STATES.join(', ')}, not ${String(after.state)}`);
        }
      }
      if (after.state === 'completed' && before.state !== 'completed') {
        const assigned = assignedTechnicianIdOf(before);
        if (!principal.roles.includes('technician') || !assigned || principal.subject !== assigned) {
          throw forbidden('only the technician assigned to a work order may complete it');
        }
      }
    },
    afterCommit: async ({ before, after }) => {
      if (!before || before.state === 'completed' || after.state !== 'completed' || !deps.onWorkOrderCompleted) return;
      const orderId = orderIdOf(after);
      const appointmentId = appointmentIdOf(after);
      if (!orderId || !appointmentId) return;
      await deps.onWorkOrderCompleted({ workOrderId: after.id, orderId, appointmentId });
    },
  };
  return new TmfApi(WORK_ORDER_API, deps).resource(spec);
}
