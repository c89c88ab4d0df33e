/**
 * The state machines of TMF646 appointments and TMF697 work orders: which status changes are
 * allowed. Staying in the same status is always allowed (a change of other attributes).
 */

export const APPOINTMENT_STATUSES = ['initialized', 'confirmed', 'cancelled', 'completed', 'failed'] as const;
export type AppointmentStatus = (typeof APPOINTMENT_STATUSES)[number];

const APPOINTMENT_NEXT: Record<AppointmentStatus, AppointmentStatus[]> = {
  initialized: ['confirmed', 'cancelled'],
  confirmed: ['completed', 'failed', 'cancelled'],
  cancelled: [],
  completed: [],
  // `failed` is a missed appointment: it is replaced by a new one, never reopened.
  failed: [],
};

export const WORK_ORDER_STATES = [
  'acknowledged',
  'rejected',
  'pending',
  'held',
  'inProgress',
  'cancelled',
  'completed',
  'failed',
  'partial',
  'assessingCancellation',
  'pendingCancellation',
] as const;
export type WorkOrderState = (typeof WORK_ORDER_STATES)[number];

const WORK_ORDER_NEXT: Record<WorkOrderState, WorkOrderState[]> = {
  acknowledged: ['pending', 'inProgress', 'held', 'completed', 'failed', 'cancelled', 'rejected', 'assessingCancellation'],
  pending: ['inProgress', 'held', 'completed', 'failed', 'cancelled', 'assessingCancellation'],
  held: ['pending', 'inProgress', 'cancelled', 'assessingCancellation'],
  inProgress: ['held', 'completed', 'failed', 'partial', 'cancelled', 'assessingCancellation'],
  assessingCancellation: ['pendingCancellation', 'acknowledged', 'pending', 'inProgress', 'held'],
  pendingCancellation: ['cancelled'],
  rejected: [],
  cancelled: [],
  completed: [],
  failed: [],
  partial: [],
};

/** Work-order states in which the job is over. */
export const FINAL_WORK_ORDER_STATES: WorkOrderState[] = ['rejected', 'cancelled', 'completed', 'failed', 'partial'];

function problem<S extends string>(next: Record<S, S[]>, kind: string, from: S | undefined, to: S | undefined): string | undefined {
  if (from === undefined || to === undefined || from === to) return undefined;
  if (!(from in next)) return `unknown ${kind} ${from}`;
  if (!(to in next)) return `unknown ${kind} ${to}`;
  return next[from].includes(to) ? undefined : `${kind} cannot change from ${from} to ${to}`;
}

/** Why the appointment may not go from `from` to `to`, or undefined if it may. */
export function appointmentStatusChangeProblem(from: AppointmentStatus | undefined, to: AppointmentStatus | undefined): string | undefined {
  return problem(APPOINTMENT_NEXT, 'appointment status', from, to);
}

/** Why the work order may not go from `from` to `to`, or undefined if it may. */
export function workOrderStateChangeProblem(from: WorkOrderState | undefined, to: WorkOrderState | undefined): string | undefined {
  return problem(WORK_ORDER_NEXT, 'work order state', from, to);
}
