/**
 * How the workforce's TMF resources are stored and the rules that hold for every write, whether it
 * comes through the API or from an activity (db/tmf-store):
 *
 * - an appointment (TMF646) holds a technician's time: creating one books it (the named technician,
 *   else the first technician of the area free then), changing its `validFor` moves the booking
 *   (re-checking working hours and availability), and its final statuses release or keep the time;
 * - a time-slot search (TMF646 searchTimeSlot) is answered when it is created;
 * - a work order (TMF697) carries the job; completing or cancelling it closes its appointment.
 *
 * Appointments and work orders name the technician in `relatedParty` (role `technician`); a work
 * order also in `assignedTechnician` (our extension), by which a technician's view is filtered.
 * Both belong to the customer named in `relatedParty` (role `customer`).
 */
import type { Clock } from '../domain/clock';
import { badRequest, TmfError } from '../domain/errors';
import { appointmentStatusChangeProblem, workOrderStateChangeProblem, type AppointmentStatus, type WorkOrderState } from '../domain/workforce/lifecycle';
import { freeSlots, overlaps, withinWorkingHours, type Interval } from '../domain/workforce/slots';
import { relatedCustomerId } from './crm-models';
import type { Db } from './knex';
import type { TmfDocument } from './tmf-resources';
import { patchTmfResource, type TmfModel } from './tmf-store';
import {
  bookingOfAppointment,
  calendarsOf,
  findTechnician,
  insertBooking,
  moveBooking,
  setBookingStatus,
  SlotTakenError,
  techniciansForPostalCode,
  WORKFORCE_TABLES,
  type Booking,
  type Technician,
} from './workforce';
import type { Knex } from 'knex';

export const APPOINTMENT_API = 'appointment';
export const WORK_ORDER_API = 'workOrder';
/** Length of an installation unless asked otherwise. */
export const DEFAULT_DURATION_MINUTES = 120;
/** How far ahead a slot search looks by default. */
export const SEARCH_HORIZON_DAYS = 14;
const MAX_SEARCH_RESULTS = 50;
const DAY = 86_400_000;

/** Why an appointment could not be placed or moved. */
export type BookingRefusal = 'inThePast' | 'noTechnician' | 'outsideWorkingHours' | 'unavailable' | 'notMovable';

/** A refused booking or move: 409, with the reason for callers that act on it. */
export class BookingRefusedError extends TmfError {
  constructor(
    readonly refusal: BookingRefusal,
    message: string,
  ) {
    super(409, 'Conflict', message);
  }
}

type Ref = Record<string, unknown> & { id?: string; role?: string; '@referredType'?: string };

const asRefs = (value: unknown): Ref[] =>
  Array.isArray(value) ? (value.filter((v) => v !== null && typeof v === 'object') as Ref[]) : value && typeof value === 'object' ? [value as Ref] : [];

/** The [start, end) of a TMF validFor, or undefined when it is not a complete, forward period. */
export function periodOf(doc: Record<string, unknown>): Interval | undefined {
  const v = doc.validFor as { startDateTime?: string; endDateTime?: string } | undefined;
  if (!v?.startDateTime || !v.endDateTime) return undefined;
  const start = new Date(v.startDateTime);
  const end = new Date(v.endDateTime);
  if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime()) || !(end > start)) return undefined;
  return { start, end };
}

export const validForOf = (i: Interval) => ({ startDateTime: i.start.toISOString(), endDateTime: i.end.toISOString() });

/** The postal code of the place of an appointment (relatedPlace.postcode, as TMF673 names it). */
export function postcodeOf(doc: Record<string, unknown>): string | undefined {
  const place = asRefs(doc.relatedPlace)[0];
  const code = place?.postcode ?? place?.postalCode;
  return typeof code === 'string' && code.trim() ? code.trim() : undefined;
}

/** The technician a document names in relatedParty (role `technician`). */
export function technicianIdOf(doc: Record<string, unknown>): string | undefined {
  return asRefs(doc.relatedParty).find((p) => String(p.role ?? '').toLowerCase() === 'technician')?.id;
}

/** The product order an appointment (relatedEntity) or work order (`order`) is for. */
export function orderIdOf(doc: Record<string, unknown>): string | undefined {
  const fromOrder = asRefs(doc.order)[0]?.id;
  if (fromOrder) return fromOrder;
  return asRefs(doc.relatedEntity).find((e) => e['@referredType'] === 'ProductOrder' || e.role === 'productOrder')?.id;
}

/** The work order an appointment names in relatedEntity. */
export function workOrderIdOf(doc: Record<string, unknown>): string | undefined {
  return asRefs(doc.relatedEntity).find((e) => e['@referredType'] === 'WorkOrder' || e.role === 'workOrder')?.id;
}

export const technicianRef = (t: Pick<Technician, 'id' | 'name'>) => ({ id: t.id, name: t.name, role: 'technician', '@referredType': 'Individual' });

/** relatedParty with its technician entry replaced by this one. */
export function withTechnician(parties: unknown, t: Pick<Technician, 'id' | 'name'>): Ref[] {
  return [...asRefs(parties).filter((p) => String(p.role ?? '').toLowerCase() !== 'technician'), technicianRef(t)];
}

const customerOf = (doc: TmfDocument) => relatedCustomerId({ ...doc, relatedParty: asRefs(doc.relatedParty) });

/**
 * Places [start, end) with a technician covering the postal code: the preferred one if free, else
 * the first free by id. Locks the area's technicians first, so bookings in an area are serialised;
 * the booking table's exclusion constraint refuses any overlap that would still slip through.
 * With `booking`, that booking is moved instead of a new one made.
 */
export async function placeTime(
  trx: Knex.Transaction,
  args: { postcode: string; period: Interval; now: Date; preferredTechnicianId?: string; booking?: Booking; newBooking?: Omit<Booking, 'id' | 'status' | 'technicianId' | 'start' | 'end'> },
): Promise<Technician> {
  const { period } = args;
  if (period.start < args.now) throw new BookingRefusedError('inThePast', `the appointment cannot start in the past (${period.start.toISOString()})`);
  const area = await techniciansForPostalCode(trx, args.postcode, { lock: true });
  if (area.length === 0) throw new BookingRefusedError('noTechnician', `no technician covers postal code ${args.postcode}`);
  const preferred = args.preferredTechnicianId;
  const ordered = [...area.filter((t) => t.id === preferred), ...area.filter((t) => t.id !== preferred)];
  const calendars = await calendarsOf(trx, ordered, period.start, period.end, args.booking?.id);
  let working = false;
  for (const [i, tech] of ordered.entries()) {
    const cal = calendars[i];
    if (!withinWorkingHours(cal.hours, period)) continue;
    working = true;
    if (cal.bookings.some((b) => overlaps(b, period))) continue;
    try {
      if (args.booking) await moveBooking(trx, args.booking.id, tech.id, period.start, period.end);
      else await insertBooking(trx, { ...args.newBooking!, technicianId: tech.id, start: period.start, end: period.end });
      return tech;
    } catch (err) {
      if (err instanceof SlotTakenError) continue;
      throw err;
    }
  }
  throw working
    ? new BookingRefusedError('unavailable', `no technician for postal code ${args.postcode} is free from ${period.start.toISOString()} to ${period.end.toISOString()}`)
    : new BookingRefusedError('outsideWorkingHours', `${period.start.toISOString()}–${period.end.toISOString()} is outside the working hours of the technicians of postal code ${args.postcode}`);
}

/** Free slots of the technicians of a postal code (read-only: a booking re-checks). */
export async function searchFreeSlots(
  db: Db,
  args: { postcode: string; durationMinutes: number; windows: Interval[]; limit?: number },
): Promise<Array<{ technician: Technician; start: Date; end: Date }>> {
  const area = await techniciansForPostalCode(db, args.postcode);
  if (area.length === 0 || args.windows.length === 0) return [];
  const from = new Date(Math.min(...args.windows.map((w) => w.start.getTime())));
  const to = new Date(Math.max(...args.windows.map((w) => w.end.getTime())));
  const calendars = await calendarsOf(db, area, from, to);
  const horizonDays = Math.ceil((to.getTime() - from.getTime()) / DAY) + 1;
  const byId = new Map(area.map((t) => [t.id, t]));
  const seen = new Set<string>();
  const found = args.windows.flatMap((w) =>
    freeSlots({ technicians: calendars, durationMinutes: args.durationMinutes, earliest: w.start, latest: w.end, horizonDays }),
  );
  return found
    .filter((s) => {
      const key = `${s.technicianId}@${s.start.getTime()}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => a.start.getTime() - b.start.getTime() || (a.technicianId < b.technicianId ? -1 : 1))
    .slice(0, args.limit ?? MAX_SEARCH_RESULTS)
    .map((s) => ({ technician: byId.get(s.technicianId)!, start: s.start, end: s.end }));
}

const BOOKING_STATUS_OF: Partial<Record<AppointmentStatus, Booking['status']>> = { cancelled: 'cancelled', failed: 'missed', completed: 'completed' };

/** TMF646 appointments: each holds a booking of a technician's time. */
export function appointmentModel(clock: Clock): TmfModel {
  return {
    apiName: APPOINTMENT_API,
    name: 'appointment',
    type: 'Appointment',
    table: WORKFORCE_TABLES.appointment,
    stateField: 'status',
    lastUpdateField: 'lastUpdate',
    creationDateField: 'creationDate',
    defaults: () => ({ status: 'confirmed', category: 'installation' }),
    ownerCustomerId: customerOf,
    hooks: {
      beforeWrite: async ({ db, before, after }) => {
        const from = before?.status as AppointmentStatus | undefined;
        const to = after.status as AppointmentStatus;
        const problem = appointmentStatusChangeProblem(from, to);
        if (problem) throw new TmfError(409, 'Conflict', problem);
        const period = periodOf(after);
        if (!period) throw badRequest('validFor: startDateTime and endDateTime are required, the end after the start');
        const now = clock.now();

        if (!before) {
          if (to !== 'confirmed' && to !== 'initialized') throw badRequest(`status: a new appointment is initialized or confirmed, not ${to}`);
          const postcode = postcodeOf(after);
          if (!postcode) throw badRequest('relatedPlace.postcode: the postal code of the place is required');
          const tech = await placeTime(db, {
            postcode,
            period,
            now,
            preferredTechnicianId: technicianIdOf(after),
            newBooking: { appointmentId: after.id, orderId: orderIdOf(after), workOrderId: workOrderIdOf(after) },
          });
          return { ...after, relatedParty: withTechnician(after.relatedParty, tech) };
        }

        const booking = await bookingOfAppointment(db, after.id, { forUpdate: true });
        if (!booking) return after;
        const keepTechnician = async (doc: TmfDocument) => {
          const tech = await findTechnician(db, booking.technicianId);
          return tech ? { ...doc, relatedParty: withTechnician(doc.relatedParty, tech) } : doc;
        };
        if (from !== to) {
          const status = BOOKING_STATUS_OF[to];
          if (status) await setBookingStatus(db, booking.id, status);
          // A final status keeps the time it had: the period is not moved with it.
          return keepTechnician({ ...after, validFor: before.validFor });
        }
        const moved = booking.start.getTime() !== period.start.getTime() || booking.end.getTime() !== period.end.getTime();
        if (!moved) return keepTechnician(after);
        if (booking.status !== 'booked') throw new BookingRefusedError('notMovable', `a ${to} appointment cannot be moved`);
        const postcode = postcodeOf(after) ?? postcodeOf(before);
        if (!postcode) throw badRequest('relatedPlace.postcode: the postal code of the place is required');
        const tech = await placeTime(db, { postcode, period, now, preferredTechnicianId: booking.technicianId, booking });
        if (booking.workOrderId) {
          await patchTmfResource(
            db,
            workOrderModel(clock),
            booking.workOrderId,
            { requestedStartDate: period.start.toISOString(), requestedCompletionDate: period.end.toISOString(), assignedTechnician: assignedTechnician(tech) },
            now,
          );
        }
        return { ...after, relatedParty: withTechnician(after.relatedParty, tech) };
      },
    },
  };
}

/** The `assignedTechnician` extension of a work order. */
export const assignedTechnician = (t: Pick<Technician, 'id' | 'name'>) => ({ id: t.id, name: t.name, '@referredType': 'Individual' });

/** The technician a work order is assigned to. */
export const assignedTechnicianIdOf = (doc: Record<string, unknown>): string | undefined =>
  (doc.assignedTechnician as { id?: string } | undefined)?.id ?? technicianIdOf(doc);

/** The appointment a work order names. */
export const appointmentIdOf = (doc: Record<string, unknown>): string | undefined => asRefs(doc.appointment)[0]?.id;

/** TMF697 work orders; completing or cancelling one closes its appointment. */
export function workOrderModel(clock: Clock): TmfModel {
  return {
    apiName: WORK_ORDER_API,
    name: 'workOrder',
    type: 'WorkOrder',
    table: WORKFORCE_TABLES.workOrder,
    stateField: 'state',
    defaults: (now) => ({ state: 'acknowledged', orderDate: now.toISOString(), category: 'installation' }),
    ownerCustomerId: customerOf,
    hooks: {
      beforeWrite: async ({ db, before, after }) => {
        const from = before?.state as WorkOrderState | undefined;
        const to = after.state as WorkOrderState;
        const problem = workOrderStateChangeProblem(from, to);
        if (problem) throw new TmfError(409, 'Conflict', problem);
        if (!before || from === to) return after;
        const now = clock.now();
        const doc: TmfDocument = { ...after, stateChangeDate: now.toISOString() };
        const appointmentId = appointmentIdOf(after);
        if (to === 'completed' || to === 'cancelled') {
          if (to === 'completed') doc.completionDate = now.toISOString();
          if (to === 'cancelled') doc.cancellationDate = now.toISOString();
          if (appointmentId) {
            const appointment = await bookingOfAppointment(db, appointmentId);
            if (appointment?.status === 'booked') {
              await patchTmfResource(db, appointmentModel(clock), appointmentId, { status: to }, now);
            }
          }
        }
        return doc;
      },
    },
  };
}

/** TMF646 searchTimeSlot: a task answered when created (the free slots of the place's technicians). */
export function searchTimeSlotModel(clock: Clock): TmfModel {
  return {
    apiName: APPOINTMENT_API,
    name: 'searchTimeSlot',
    type: 'SearchTimeSlot',
    table: WORKFORCE_TABLES.searchTimeSlot,
    stateField: 'status',
    ownerCustomerId: customerOf,
    hooks: {
      beforeWrite: async ({ db, before, after }) => {
        if (before) return { ...after, status: before.status, availableTimeSlot: before.availableTimeSlot, searchDate: before.searchDate, searchResult: before.searchResult };
        const now = clock.now();
        const postcode = postcodeOf(after);
        if (!postcode) throw badRequest('relatedPlace.postcode: the postal code of the place is required');
        const duration = after.durationMinutes ?? DEFAULT_DURATION_MINUTES;
        if (typeof duration !== 'number' || !Number.isInteger(duration) || duration <= 0 || duration > 24 * 60) {
          throw badRequest('durationMinutes: a whole number of minutes from 1 to 1440');
        }
        const requested = asRefs(after.requestedTimeSlot);
        const windows: Interval[] = [];
        for (const [i, slot] of requested.entries()) {
          const p = periodOf(slot);
          if (!p) throw badRequest(`requestedTimeSlot.${i}.validFor: startDateTime and endDateTime are required, the end after the start`);
          if (p.end.getTime() - p.start.getTime() > 62 * DAY) throw badRequest(`requestedTimeSlot.${i}.validFor: at most 62 days`);
          if (p.end > now) windows.push({ start: p.start < now ? now : p.start, end: p.end });
        }
        if (requested.length === 0) windows.push({ start: now, end: new Date(now.getTime() + SEARCH_HORIZON_DAYS * DAY) });
        const slots = await searchFreeSlots(db, { postcode, durationMinutes: duration, windows });
        return {
          ...after,
          durationMinutes: duration,
          searchDate: now.toISOString(),
          status: 'done',
          searchResult: slots.length > 0 ? 'success' : 'fail',
          availableTimeSlot: slots.map((s) => ({
            validFor: validForOf(s),
            relatedParty: technicianRef(s.technician),
            '@type': 'TimeSlot',
          })),
        };
      },
    },
  };
}
