/**
 * TMF646 Appointment Management v4 (`/tmf-api/appointment/v4/appointment` and `searchTimeSlot`).
 * How appointments book and move a technician's time is in db/workforce-models.ts; the API adds
 * schema, access, and who may change what:
 *
 * - staff (admin, agent) read and write all; a customer reads its own and may move one (change
 *   `validFor`, also `note`, `contactMedium`, `description`), nothing else, and search for slots;
 * - moving re-checks working hours and availability (409 with the reason if refused), then
 *   `onAppointmentMoved` is called after the commit;
 * - the place of an appointment never changes (book another); only a final one may be deleted.
 */
import { APPOINTMENT_API, appointmentModel, orderIdOf, periodOf, searchTimeSlotModel, technicianIdOf, workOrderIdOf } from '../db/workforce-models';
import type { Principal, Role } from './auth';
import { appointmentSchema, searchTimeSlotSchema } from './schemas/tmf646';
import { TmfError } from './tmf/errors';
import { TmfApi, type TmfApiDeps, type TmfResourceSpec } from './tmf/resource';

export interface AppointmentMovedEvent {
  appointmentId: string;
  orderId?: string;
  workOrderId?: string;
  technicianId?: string;
  /** The new period, ISO instants. */
  start: string;
  end: string;
  previousStart: string;
  previousEnd: string;
}

export interface AppointmentApiDeps extends TmfApiDeps {
  /** Called after a move of an appointment through the API has committed. */
  onAppointmentMoved?(event: AppointmentMovedEvent): Promise<void>;
}

const ACCESS: { read: Role[]; write: Role[] } = { read: ['admin', 'agent', 'customer'], write: ['admin', 'agent', 'customer'] };
const CUSTOMER_MAY_CHANGE = new Set(['validFor', 'note', 'contactMedium', 'description', 'lastUpdate']);
const FINAL = new Set(['cancelled', 'completed', 'failed']);

const isCustomerOnly = (p: Principal) => p.roles.every((r) => r === 'customer');
/** JSON with object keys sorted: validation may reorder keys without changing anything. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries.sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)).map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}
const same = (a: unknown, b: unknown) => canonical(a) === canonical(b);

/** Top-level attributes whose value differs. */
export function changedAttributes(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  return [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => !same(before[k], after[k]));
}

/** Builds the TMF646 router. */
export function appointmentApi(deps: AppointmentApiDeps): TmfApi {
  const appointmentSpec: TmfResourceSpec = {
    ...appointmentModel(deps.clock),
    schema: appointmentSchema,
    access: ACCESS,
    authorizeWrite: ({ principal, before, after }) => {
      if (!before) {
        // Appointments come from orders (or agents): a customer searches slots and moves its own.
        if (isCustomerOnly(principal)) throw new TmfError(403, 'Forbidden', 'a customer may not create appointments: they are booked with the order');
        return;
      }
      if (!after) {
        if (isCustomerOnly(principal)) throw new TmfError(403, 'Forbidden', 'a customer may not delete an appointment');
        if (!FINAL.has(String(before.status))) throw new TmfError(409, 'Conflict', `a ${String(before.status)} appointment cannot be deleted: cancel it first`);
        return;
      }
      const changed = changedAttributes(before, after);
      if (isCustomerOnly(principal)) {
        const refused = changed.filter((k) => !CUSTOMER_MAY_CHANGE.has(k));
        if (refused.length) throw new TmfError(403, 'Forbidden', `a customer may move an appointment (validFor) but not change ${refused.join(', ')}`);
      }
      if (changed.includes('relatedPlace')) throw new TmfError(409, 'Conflict', 'the place of an appointment cannot change: book another appointment');
    },
    afterCommit: async ({ before, after }) => {
      if (!before || !deps.onAppointmentMoved || before.status !== after.status) return;
      const from = periodOf(before);
      const to = periodOf(after);
      if (!from || !to || (from.start.getTime() === to.start.getTime() && from.end.getTime() === to.end.getTime())) return;
      await deps.onAppointmentMoved({
        appointmentId: after.id,
        orderId: orderIdOf(after),
        workOrderId: workOrderIdOf(after),
        technicianId: technicianIdOf(after),
        start: to.start.toISOString(),
        end: to.end.toISOString(),
        previousStart: from.start.toISOString(),
        previousEnd: from.end.toISOString(),
      });
    },
  };
  const searchSpec: TmfResourceSpec = { ...searchTimeSlotModel(deps.clock), schema: searchTimeSlotSchema, access: ACCESS };
  return new TmfApi(APPOINTMENT_API, deps).resource(appointmentSpec).resource(searchSpec);
}
