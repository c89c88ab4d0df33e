/**
 * Query functions of the workforce domain: technicians and their bookings (the table whose
 * exclusion constraint keeps a technician from being in two places at once).
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { isTimeZone, type TechnicianCalendar, type WorkingHours } from '../domain/workforce/slots';
import type { Db } from './knex';

export const WORKFORCE_TABLES = {
  technician: 'workforce_technician',
  booking: 'workforce_booking',
  appointment: 'workforce_appointment',
  searchTimeSlot: 'workforce_search_time_slot',
  workOrder: 'workforce_work_order',
} as const;

export interface Technician {
  id: string;
  name: string;
  email: string;
  phone: string;
  /** Postal codes starting with any of these are covered (`28` = the province of Madrid). */
  postalPrefixes: string[];
  timeZone: string;
  /** ISO weekdays: 1 = Monday … 7 = Sunday. */
  workingDays: number[];
  /** `HH:MM`, local time in timeZone. */
  workStart: string;
  workEnd: string;
}

interface TechnicianRow {
  id: string;
  name: string;
  email: string;
  phone: string;
  postal_prefixes: string[];
  time_zone: string;
  working_days: number[];
  work_start: string;
  work_end: string;
}

const toTechnician = (r: TechnicianRow): Technician => ({
  id: r.id,
  name: r.name,
  email: r.email,
  phone: r.phone,
  postalPrefixes: r.postal_prefixes,
  timeZone: r.time_zone,
  workingDays: r.working_days.map(Number),
  workStart: r.work_start,
  workEnd: r.work_end,
});

export const workingHoursOf = (t: Technician): WorkingHours => ({ timeZone: t.timeZone, days: t.workingDays, start: t.workStart, end: t.workEnd });

/** Inserts or updates technicians by id (idempotent). */
export async function upsertTechnicians(db: Db, technicians: Technician[]): Promise<void> {
  if (technicians.length === 0) return;
  for (const t of technicians) {
    if (!isTimeZone(t.timeZone)) throw new RangeError(`technician ${t.id}: unknown time zone ${t.timeZone}`);
    if (t.workingDays.some((d) => !Number.isInteger(d) || d < 1 || d > 7)) throw new RangeError(`technician ${t.id}: working days are ISO weekdays 1–7`);
  }
  await db(WORKFORCE_TABLES.technician)
    .insert(
      technicians.map((t) => ({
        id: t.id,
        name: t.name,
        email: t.email,
        phone: t.phone,
        postal_prefixes: t.postalPrefixes,
        time_zone: t.timeZone,
        working_days: t.workingDays,
        work_start: t.workStart,
        work_end: t.workEnd,
        active: true,
      })),
    )
    .onConflict('id')
    .merge();
}

export async function findTechnician(db: Db, id: string): Promise<Technician | undefined> {
  const row = (await db(WORKFORCE_TABLES.technician).where({ id }).first()) as TechnicianRow | undefined;
  return row && toTechnician(row);
}

/**
 * Active technicians covering a postal code, by id. `lock` takes their rows FOR UPDATE (always in
 * id order, so concurrent bookers never deadlock): bookings in one area are then serialised.
 */
export async function techniciansForPostalCode(db: Db, postalCode: string, opts: { lock?: boolean } = {}): Promise<Technician[]> {
  const query = db(WORKFORCE_TABLES.technician)
    .where({ active: true })
    .whereRaw('EXISTS (SELECT 1 FROM unnest(postal_prefixes) p WHERE starts_with(?, p))', [postalCode])
    .orderBy('id');
  if (opts.lock) void query.forUpdate();
  return ((await query) as TechnicianRow[]).map(toTechnician);
}

export type BookingStatus = 'booked' | 'completed' | 'missed' | 'cancelled';

export interface Booking {
  id: string;
  technicianId: string;
  start: Date;
  end: Date;
  status: BookingStatus;
  appointmentId: string;
  workOrderId?: string;
  orderId?: string;
  requestedEarliest?: Date;
  replacesBookingId?: string;
}

const BOOKING_COLUMNS = [
  'id',
  'technician_id',
  'status',
  'appointment_id',
  'work_order_id',
  'order_id',
  'requested_earliest',
  'replaces_booking_id',
  'created_at',
] as const;

interface BookingRow {
  id: string;
  technician_id: string;
  start: Date;
  end: Date;
  status: BookingStatus;
  appointment_id: string;
  work_order_id: string | null;
  order_id: string | null;
  requested_earliest: Date | null;
  replaces_booking_id: string | null;
}

const toBooking = (r: BookingRow): Booking => ({
  id: r.id,
  technicianId: r.technician_id,
  start: new Date(r.start),
  end: new Date(r.end),
  status: r.status,
  appointmentId: r.appointment_id,
  workOrderId: r.work_order_id ?? undefined,
  orderId: r.order_id ?? undefined,
  requestedEarliest: r.requested_earliest ? new Date(r.requested_earliest) : undefined,
  replacesBookingId: r.replaces_booking_id ?? undefined,
});

function selectBookings(db: Db) {
  return db(WORKFORCE_TABLES.booking).select(
    ...BOOKING_COLUMNS,
    db.raw('lower(during) AS start'),
    db.raw('upper(during) AS "end"'),
  );
}

/** Raised when the time is no longer free (the exclusion constraint refused it). */
/**
 * A booking lost to another for overlapping time: the exclusion constraint's violation (23P01),
 * or a deadlock (40P01), which PostgreSQL reports when concurrent inserts into an exclusion index
 * wait on each other's conflicting rows (one of them goes through, the others lose the slot).
 */
function lostTheSlot(err: unknown): boolean {
  return isPgError(err, '23P01') || isPgError(err, '40P01');
}

export class SlotTakenError extends Error {
  constructor(readonly technicianId: string) {
    super(`technician ${technicianId} is already booked at that time`);
  }
}

const isPgError = (err: unknown, code: string, constraint?: string) => {
  const e = err as { code?: string; constraint?: string };
  return e?.code === code && (constraint === undefined || e.constraint === constraint);
};

/**
 * Books time (a savepoint, so a refusal leaves the caller's transaction usable). Throws
 * SlotTakenError when it overlaps the technician's other time.
 */
export async function insertBooking(
  trx: Knex.Transaction,
  b: Omit<Booking, 'id' | 'status'> & { id?: string },
): Promise<Booking> {
  const id = b.id ?? randomUUID();
  try {
    await trx.transaction(async (sp) => {
      await sp(WORKFORCE_TABLES.booking).insert({
        id,
        technician_id: b.technicianId,
        during: sp.raw(`tstzrange(?::timestamptz, ?::timestamptz, '[)')`, [b.start.toISOString(), b.end.toISOString()]),
        status: 'booked',
        appointment_id: b.appointmentId,
        work_order_id: b.workOrderId ?? null,
        order_id: b.orderId ?? null,
        requested_earliest: b.requestedEarliest ?? null,
        replaces_booking_id: b.replacesBookingId ?? null,
      });
    });
  } catch (err) {
    if (lostTheSlot(err)) throw new SlotTakenError(b.technicianId);
    throw err;
  }
  return { ...b, id, status: 'booked' };
}

/** Moves a booking to another technician and time; SlotTakenError if that overlaps. */
export async function moveBooking(trx: Knex.Transaction, id: string, technicianId: string, start: Date, end: Date): Promise<void> {
  try {
    await trx.transaction(async (sp) => {
      await sp(WORKFORCE_TABLES.booking)
        .where({ id })
        .update({
          technician_id: technicianId,
          during: sp.raw(`tstzrange(?::timestamptz, ?::timestamptz, '[)')`, [start.toISOString(), end.toISOString()]),
          updated_at: sp.fn.now(),
        });
    });
  } catch (err) {
    if (lostTheSlot(err)) throw new SlotTakenError(technicianId);
    throw err;
  }
}

export async function setBookingStatus(db: Db, id: string, status: BookingStatus): Promise<void> {
  await db(WORKFORCE_TABLES.booking).where({ id }).update({ status, updated_at: db.fn.now() });
}

/** Records what an appointment's booking was asked for (the earliest start) and which booking it replaces. */
export async function annotateBooking(db: Db, appointmentId: string, fields: { requestedEarliest: Date; replacesBookingId?: string }): Promise<void> {
  await db(WORKFORCE_TABLES.booking)
    .where({ appointment_id: appointmentId })
    .update({ requested_earliest: fields.requestedEarliest, replaces_booking_id: fields.replacesBookingId ?? null, updated_at: db.fn.now() });
}

export async function bookingOfAppointment(db: Db, appointmentId: string, opts: { forUpdate?: boolean } = {}): Promise<Booking | undefined> {
  const query = selectBookings(db).where({ appointment_id: appointmentId }).first();
  if (opts.forUpdate) void query.forUpdate();
  const row = (await query) as BookingRow | undefined;
  return row && toBooking(row);
}

/** The latest booking of an order (whatever its status), or undefined if it never had one. */
export async function latestBookingOfOrder(db: Db, orderId: string, opts: { forUpdate?: boolean } = {}): Promise<Booking | undefined> {
  const query = selectBookings(db).where({ order_id: orderId }).orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id', order: 'desc' }]).first();
  if (opts.forUpdate) void query.forUpdate();
  const row = (await query) as BookingRow | undefined;
  return row && toBooking(row);
}

/** Statuses whose time the technician spent or will spend (a cancelled booking frees its time). */
export const OCCUPYING_STATUSES: BookingStatus[] = ['booked', 'completed', 'missed'];

/** What occupies each technician in [from, to). */
export async function occupiedTime(db: Db, technicianIds: string[], from: Date, to: Date): Promise<Booking[]> {
  if (technicianIds.length === 0) return [];
  const rows = (await selectBookings(db)
    .whereIn('technician_id', technicianIds)
    .whereIn('status', OCCUPYING_STATUSES)
    .whereRaw(`during && tstzrange(?::timestamptz, ?::timestamptz, '[)')`, [from.toISOString(), to.toISOString()])) as BookingRow[];
  return rows.map(toBooking);
}

/** The technicians' calendars for the slot search, over [from, to). */
export async function calendarsOf(db: Db, technicians: Technician[], from: Date, to: Date, ignoreBookingId?: string): Promise<TechnicianCalendar[]> {
  const occupied = await occupiedTime(db, technicians.map((t) => t.id), from, to);
  return technicians.map((t) => ({
    technicianId: t.id,
    hours: workingHoursOf(t),
    bookings: occupied.filter((b) => b.technicianId === t.id && b.id !== ignoreBookingId).map((b) => ({ start: b.start, end: b.end })),
  }));
}
