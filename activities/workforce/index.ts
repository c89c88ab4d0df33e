/**
 * Workforce activities for the order workflow: book an installation (a TMF646 appointment with a
 * technician's time and a TMF697 work order), rebook it after a missed visit, move it, and cancel it
 * as a compensation. Each runs in one transaction and is idempotent per order, so a retried
 * activity never books twice.
 */
import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import type { Knex } from 'knex';
import type { Clock } from '../../domain/clock';
import { freeSlots } from '../../domain/workforce/slots';
import { FINAL_WORK_ORDER_STATES, type WorkOrderState } from '../../domain/workforce/lifecycle';
import { findResource, resourceHref, type TmfDocument } from '../../db/tmf-resources';
import { createTmfResourceOnce, patchTmfResource } from '../../db/tmf-store';
import {
  calendarsOf,
  annotateBooking,
  latestBookingOfOrder,
  techniciansForPostalCode,
  WORKFORCE_TABLES,
  type Booking,
  type Technician,
} from '../../db/workforce';
import {
  APPOINTMENT_API,
  appointmentModel,
  assignedTechnician,
  BookingRefusedError,
  postcodeOf,
  SEARCH_HORIZON_DAYS,
  technicianRef,
  validForOf,
  withTechnician,
  WORK_ORDER_API,
  workOrderModel,
  type BookingRefusal,
} from '../../db/workforce-models';

export interface WorkforceActivityDeps {
  knex: Knex;
  clock: Clock;
  publicUrl: string;
}

export interface BookInstallationInput {
  orderId: string;
  customerId: string;
  /** Postal code of the installation address: it selects the technicians of the area. */
  postalCode: string;
  /** The installation address: free text, or TMF673 GeographicAddress attributes. */
  address: string | Record<string, unknown>;
  /** No slot starts before this instant (ISO 8601), nor before now. */
  earliest: string;
  durationMinutes: number;
}

export type InstallationBooked = {
  status: 'booked';
  appointmentId: string;
  workOrderId: string;
  technicianId: string;
  /** ISO instants of the booked [start, end). */
  start: string;
  end: string;
};

export type InstallationBookingResult = InstallationBooked | { status: 'noSlot' };

export interface RebookInstallationInput {
  orderId: string;
  earliest: string;
  /** The appointment that was missed; when given, a retry after it was replaced returns the replacement. */
  missedAppointmentId?: string;
}

export type MoveInstallationResult =
  | InstallationBooked
  | { status: 'refused'; reason: BookingRefusal | 'notFound'; message: string };

/** Where an order's installation stands (the latest booking and its work order). */
export type InstallationState =
  | { status: 'none' }
  | {
      status: 'booked' | 'completed' | 'missed' | 'cancelled';
      appointmentId: string;
      workOrderId: string;
      technicianId: string;
      start: string;
      end: string;
      /** The TMF697 state of the work order, e.g. `acknowledged`, `inProgress`, `completed`. */
      workOrderState?: string;
    };

export type CancelInstallationResult = { status: 'cancelled' | 'nothingToCancel'; appointmentId?: string; workOrderId?: string };

const MINUTE = 60_000;
const DAY = 86_400_000;

const booked = (b: Booking): InstallationBooked => ({
  status: 'booked',
  appointmentId: b.appointmentId,
  workOrderId: b.workOrderId ?? '',
  technicianId: b.technicianId,
  start: b.start.toISOString(),
  end: b.end.toISOString(),
});

function parseInstant(name: string, value: string): Date {
  const date = new Date(value);
  if (typeof value !== 'string' || Number.isNaN(date.getTime())) throw ApplicationFailure.nonRetryable(`${name}: not an ISO 8601 instant: ${value}`, 'InvalidInput');
  return date;
}

export function createWorkforceActivities(deps: WorkforceActivityDeps) {
  const { knex, clock, publicUrl } = deps;
  const appointments = appointmentModel(clock);
  const workOrders = workOrderModel(clock);

  /** The first free slot from `earliest` among the area's technicians (their rows locked). */
  async function firstFreeSlot(trx: Knex.Transaction, postalCode: string, earliest: Date, durationMinutes: number) {
    const area = await techniciansForPostalCode(trx, postalCode, { lock: true });
    const until = new Date(earliest.getTime() + (SEARCH_HORIZON_DAYS + 1) * DAY);
    const calendars = await calendarsOf(trx, area, earliest, until);
    const [slot] = freeSlots({ technicians: calendars, durationMinutes, earliest, horizonDays: SEARCH_HORIZON_DAYS, limit: 1 });
    return slot && { technician: area.find((t) => t.id === slot.technicianId)!, start: slot.start, end: slot.end };
  }

  /** Creates the appointment (which books the technician's time) for a chosen slot. */
  async function createAppointment(
    trx: Knex.Transaction,
    args: { orderId: string; customerId: string; place: Record<string, unknown>; technician: Technician; start: Date; end: Date; workOrderId: string },
  ): Promise<string> {
    const appointmentId = randomUUID();
    await createTmfResourceOnce(
      trx,
      appointments,
      appointmentId,
      {
        category: 'installation',
        description: `Installation for order ${args.orderId}`,
        status: 'confirmed',
        validFor: validForOf(args),
        relatedParty: [{ id: args.customerId, role: 'customer', '@referredType': 'Customer' }, technicianRef(args.technician)],
        relatedEntity: [
          { id: args.orderId, role: 'productOrder', '@referredType': 'ProductOrder' },
          { id: args.workOrderId, role: 'workOrder', '@referredType': 'WorkOrder', href: resourceHref(publicUrl, WORK_ORDER_API, 'workOrder', args.workOrderId) },
        ],
        relatedPlace: args.place,
      },
      { now: clock.now(), publicUrl },
    );
    return appointmentId;
  }

  /** Creates the work order of an installation (its appointment already made). */
  async function createWorkOrder(
    trx: Knex.Transaction,
    args: { workOrderId: string; appointmentId: string; orderId: string; customerId: string; place: Record<string, unknown>; technician: Technician; start: Date; end: Date },
  ): Promise<void> {
    await createTmfResourceOnce(
      trx,
      workOrders,
      args.workOrderId,
      {
        category: 'installation',
        description: `Installation for order ${args.orderId}`,
        state: 'acknowledged',
        requestedStartDate: args.start.toISOString(),
        requestedCompletionDate: args.end.toISOString(),
        workOrderItem: [{ id: '1', action: 'add', description: 'Install the fibre connection (FTTH)', state: 'acknowledged' }],
        appointment: appointmentRef(args.appointmentId),
        order: [{ id: args.orderId, '@referredType': 'ProductOrder' }],
        place: args.place,
        relatedParty: [{ id: args.customerId, role: 'customer', '@referredType': 'Customer' }, technicianRef(args.technician)],
        assignedTechnician: assignedTechnician(args.technician),
      },
      { now: clock.now(), publicUrl },
    );
  }

  const appointmentRef = (id: string) => ({ id, href: resourceHref(publicUrl, APPOINTMENT_API, 'appointment', id), '@referredType': 'Appointment' });

  const placeOf = (postalCode: string, address: BookInstallationInput['address']) => ({
    role: 'installationAddress',
    '@type': 'GeographicAddress',
    ...(typeof address === 'string' ? { name: address } : address),
    postcode: postalCode,
  });

  return {
    /** Books the first free installation slot in the area and creates its appointment and work order. */
    async bookInstallation(input: BookInstallationInput): Promise<InstallationBookingResult> {
      const asked = parseInstant('earliest', input.earliest);
      if (!Number.isInteger(input.durationMinutes) || input.durationMinutes <= 0 || input.durationMinutes > 24 * 60) {
        throw ApplicationFailure.nonRetryable(`durationMinutes: a whole number of minutes from 1 to 1440, got ${input.durationMinutes}`, 'InvalidInput');
      }
      return knex.transaction(async (trx) => {
        const now = clock.now();
        const earliest = asked > now ? asked : now;
        const slot = await firstFreeSlot(trx, input.postalCode, earliest, input.durationMinutes);
        // After the area's lock: a concurrent booking of this order has committed or not started.
        const existing = await latestBookingOfOrder(trx, input.orderId);
        if (existing && (existing.status === 'booked' || existing.status === 'completed')) return booked(existing);
        if (!slot) return { status: 'noSlot' } as const;
        const workOrderId = randomUUID();
        const appointmentId = await createAppointment(trx, {
          orderId: input.orderId,
          customerId: input.customerId,
          place: placeOf(input.postalCode, input.address),
          technician: slot.technician,
          start: slot.start,
          end: slot.end,
          workOrderId,
        });
        await createWorkOrder(trx, {
          workOrderId,
          appointmentId,
          orderId: input.orderId,
          customerId: input.customerId,
          place: placeOf(input.postalCode, input.address),
          ...slot,
        });
        await annotateBooking(trx, appointmentId, { requestedEarliest: asked });
        return { status: 'booked', appointmentId, workOrderId, technicianId: slot.technician.id, start: slot.start.toISOString(), end: slot.end.toISOString() };
      });
    },

    /**
     * Marks the order's current appointment missed (`failed`) and books the next free slot from
     * `earliest`, keeping the work order (it now names the new appointment) unless that was closed
     * (e.g. reported failed by the technician: then a new one). A retry of the same rebooking
     * returns the replacement instead of missing it too.
     */
    async rebookInstallation(input: RebookInstallationInput): Promise<InstallationBookingResult> {
      const asked = parseInstant('earliest', input.earliest);
      return knex.transaction(async (trx) => {
        const now = clock.now();
        const current = await latestBookingOfOrder(trx, input.orderId);
        if (!current) throw ApplicationFailure.nonRetryable(`order ${input.orderId} has no installation booked`, 'NoInstallation');
        const isReplacement =
          current.status === 'booked' &&
          current.replacesBookingId !== undefined &&
          (input.missedAppointmentId !== undefined ? current.appointmentId !== input.missedAppointmentId : current.requestedEarliest?.getTime() === asked.getTime());
        if (isReplacement) return booked(current);
        if (current.status === 'completed' || current.status === 'cancelled') {
          throw ApplicationFailure.nonRetryable(`the installation of order ${input.orderId} is ${current.status}`, 'InstallationClosed');
        }
        const appointment = await findResource(trx, WORKFORCE_TABLES.appointment, current.appointmentId);
        if (!appointment || !current.workOrderId) throw ApplicationFailure.nonRetryable(`order ${input.orderId}: appointment or work order missing`, 'NoInstallation');
        const postalCode = postcodeOf(appointment);
        if (!postalCode) throw ApplicationFailure.nonRetryable(`appointment ${current.appointmentId} names no postal code`, 'NoInstallation');
        if (current.status === 'booked') {
          const notes = Array.isArray(appointment.note) ? appointment.note : [];
          await patchTmfResource(trx, appointments, current.appointmentId, {
            status: 'failed',
            note: [...notes, { date: now.toISOString(), text: 'Missed: the installation did not take place' }],
          }, now);
        }
        const durationMinutes = Math.round((current.end.getTime() - current.start.getTime()) / MINUTE);
        const earliest = asked > now ? asked : now;
        const slot = await firstFreeSlot(trx, postalCode, earliest, durationMinutes);
        if (!slot) return { status: 'noSlot' } as const;
        const customerId = (appointment.relatedParty as Array<{ id: string; role?: string }>).find((p) => p.role === 'customer')?.id ?? '';
        const place = appointment.relatedPlace as Record<string, unknown>;
        // The work order goes on with the new appointment, unless it was closed (e.g. a technician
        // reported it failed): then the new visit gets a work order of its own.
        const workOrder = await findResource(trx, WORKFORCE_TABLES.workOrder, current.workOrderId, { forUpdate: true });
        const reuse = !!workOrder && !FINAL_WORK_ORDER_STATES.includes(workOrder.state as WorkOrderState);
        const workOrderId = reuse ? current.workOrderId : randomUUID();
        const appointmentId = await createAppointment(trx, { orderId: input.orderId, customerId, place, ...slot, workOrderId });
        await annotateBooking(trx, appointmentId, { requestedEarliest: asked, replacesBookingId: current.id });
        if (reuse) {
          await patchTmfResource(trx, workOrders, workOrderId, {
            appointment: appointmentRef(appointmentId),
            requestedStartDate: slot.start.toISOString(),
            requestedCompletionDate: slot.end.toISOString(),
            relatedParty: withTechnician((workOrder as TmfDocument).relatedParty, slot.technician),
            assignedTechnician: assignedTechnician(slot.technician),
          }, now);
        } else {
          await createWorkOrder(trx, { workOrderId, appointmentId, orderId: input.orderId, customerId, place, ...slot });
        }
        return { status: 'booked', appointmentId, workOrderId, technicianId: slot.technician.id, start: slot.start.toISOString(), end: slot.end.toISOString() };
      });
    },

    /**
     * Moves the order's appointment to start at `start` (same length): the same technician if
     * free, else another of the area; refused (with the reason) when nobody can take it.
     */
    async moveInstallation(input: { orderId: string; start: string }): Promise<MoveInstallationResult> {
      const start = parseInstant('start', input.start);
      try {
        return await knex.transaction(async (trx) => {
          const current = await latestBookingOfOrder(trx, input.orderId);
          if (!current) return { status: 'refused', reason: 'notFound', message: `order ${input.orderId} has no installation booked` } as const;
          if (current.status !== 'booked') {
            return { status: 'refused', reason: 'notMovable', message: `the installation of order ${input.orderId} is ${current.status}` } as const;
          }
          if (current.start.getTime() === start.getTime()) return booked(current);
          const end = new Date(start.getTime() + current.end.getTime() - current.start.getTime());
          await patchTmfResource(trx, appointments, current.appointmentId, { validFor: validForOf({ start, end }) }, clock.now());
          return booked((await latestBookingOfOrder(trx, input.orderId))!);
        });
      } catch (err) {
        if (err instanceof BookingRefusedError) return { status: 'refused', reason: err.refusal, message: err.message };
        throw err;
      }
    },

    /**
     * Where the order's installation stands: what a workflow reads when its wait for the
     * technician's completion times out (in case the completion signal was lost).
     */
    async getInstallation(input: { orderId: string }): Promise<InstallationState> {
      const current = await latestBookingOfOrder(knex, input.orderId);
      if (!current) return { status: 'none' };
      const workOrder = current.workOrderId ? await findResource(knex, WORKFORCE_TABLES.workOrder, current.workOrderId) : undefined;
      return { ...booked(current), status: current.status, workOrderState: workOrder?.state as string | undefined };
    },

    /** Compensation: cancels the order's open work order and appointment (a no-op when none is open). */
    async cancelInstallation(input: { orderId: string }): Promise<CancelInstallationResult> {
      return knex.transaction(async (trx) => {
        const current = await latestBookingOfOrder(trx, input.orderId);
        if (!current) return { status: 'nothingToCancel' };
        const now = clock.now();
        let cancelled = false;
        if (current.workOrderId) {
          const workOrder = await findResource(trx, WORKFORCE_TABLES.workOrder, current.workOrderId, { forUpdate: true });
          const state = workOrder?.state as WorkOrderState | undefined;
          if (workOrder && state && !FINAL_WORK_ORDER_STATES.includes(state)) {
            await patchTmfResource(trx, workOrders, current.workOrderId, { state: 'cancelled', cancellationReason: 'order cancelled' }, now);
            cancelled = true;
          }
        }
        // The work order closes its current appointment; one still open without it is closed here.
        const appointment = await findResource(trx, WORKFORCE_TABLES.appointment, current.appointmentId, { forUpdate: true });
        if (appointment && (appointment.status === 'confirmed' || appointment.status === 'initialized')) {
          await patchTmfResource(trx, appointments, current.appointmentId, { status: 'cancelled' }, now);
          cancelled = true;
        }
        return { status: cancelled ? 'cancelled' : 'nothingToCancel', appointmentId: current.appointmentId, workOrderId: current.workOrderId };
      });
    },
  };
}

export type WorkforceActivities = ReturnType<typeof createWorkforceActivities>;
