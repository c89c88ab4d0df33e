/**
 * Free installation slots of technicians: working hours are wall-clock times in the area's time
 * zone (e.g. 08:00–18:00 Europe/Madrid), so the same local hours are different UTC instants on
 * either side of a daylight-saving change. Intervals are half-open: [start, end).
 *
 * Pure: time zones come from the platform's Intl data, never from the server's own zone.
 */

/** Working hours of a technician, in the time zone of the area it covers. */
export interface WorkingHours {
  /** IANA time zone, e.g. `Europe/Madrid`. */
  timeZone: string;
  /** ISO weekdays worked: 1 = Monday … 7 = Sunday. */
  days: number[];
  /** Local start of the working day, `HH:MM`. */
  start: string;
  /** Local end of the working day, `HH:MM` (after start, same day). */
  end: string;
}

export interface Interval {
  start: Date;
  end: Date;
}

export interface TechnicianCalendar {
  technicianId: string;
  hours: WorkingHours;
  /** The time the technician already has taken, in any order. */
  bookings: Interval[];
}

export interface Slot {
  technicianId: string;
  start: Date;
  end: Date;
}

export interface FreeSlotQuery {
  technicians: TechnicianCalendar[];
  durationMinutes: number;
  /** No slot starts before this instant. */
  earliest: Date;
  /** No slot ends after this instant (default: `horizonDays` local days from earliest). */
  latest?: Date;
  /** Local days searched from the day of `earliest` (default 14). */
  horizonDays?: number;
  /** Slots start on this grid from the start of the working day (default: the duration). */
  stepMinutes?: number;
  /** At most this many slots (default: all). */
  limit?: number;
}

const MINUTE = 60_000;
const DAY = 86_400_000;
const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when the platform knows the IANA time zone. */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock fields of an instant in a time zone. */
export function localParts(instant: Date, timeZone: string) {
  const parts = Object.fromEntries(formatter(timeZone).formatToParts(instant).map((p) => [p.type, p.value]));
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
  };
}

/** Offset of the zone from UTC at an instant, in milliseconds (Madrid in summer: +7 200 000). */
export function zoneOffsetMs(instant: Date, timeZone: string): number {
  const p = localParts(instant, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

/**
 * The instant a wall-clock time happens in a zone. A time skipped by a spring-forward change
 * (02:30 in Madrid on the last Sunday of March) is read with the offset from before the change,
 * i.e. it lands an hour later (03:30 local); a repeated time at fall-back is its first occurrence.
 */
export function zonedTimeToUtc(
  local: { year: number; month: number; day: number; hour: number; minute: number },
  timeZone: string,
): Date {
  const wall = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute);
  // The offset a few hours before and after brackets the instant (zone changes are ≥ a day apart).
  const before = zoneOffsetMs(new Date(wall - DAY / 4), timeZone);
  const after = zoneOffsetMs(new Date(wall + DAY / 4), timeZone);
  const withBefore = wall - before;
  if (before === after) return new Date(withBefore);
  const withAfter = wall - after;
  // Ambiguous (both readings show this wall time): the first occurrence; skipped: the earlier offset.
  const shows = (t: number) => zoneOffsetMs(new Date(t), timeZone) === wall - t;
  if (shows(withBefore) && shows(withAfter)) return new Date(Math.min(withBefore, withAfter));
  if (shows(withAfter)) return new Date(withAfter);
  return new Date(withBefore);
}

function parseHhMm(value: string): { hour: number; minute: number } {
  const m = HH_MM.exec(value);
  if (!m) throw new RangeError(`not a time of day (HH:MM): ${value}`);
  return { hour: Number(m[1]), minute: Number(m[2]) };
}

/** ISO weekday (1 = Monday … 7 = Sunday) of a calendar date. */
export function isoWeekday(year: number, month: number, day: number): number {
  const d = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  return d === 0 ? 7 : d;
}

/** The working window of one local calendar day, or undefined if the day is not worked. */
export function workingWindow(hours: WorkingHours, date: { year: number; month: number; day: number }): Interval | undefined {
  if (!hours.days.includes(isoWeekday(date.year, date.month, date.day))) return undefined;
  const start = zonedTimeToUtc({ ...date, ...parseHhMm(hours.start) }, hours.timeZone);
  const end = zonedTimeToUtc({ ...date, ...parseHhMm(hours.end) }, hours.timeZone);
  return end > start ? { start, end } : undefined;
}

/** Local calendar days from the day of `from`, `count` of them. */
function localDays(from: Date, timeZone: string, count: number) {
  const first = localParts(from, timeZone);
  const base = Date.UTC(first.year, first.month - 1, first.day);
  return Array.from({ length: count }, (_, i) => {
    const d = new Date(base + i * DAY);
    return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
  });
}

/** Half-open intervals overlap when each starts before the other ends. */
export function overlaps(a: Interval, b: Interval): boolean {
  return a.start.getTime() < b.end.getTime() && b.start.getTime() < a.end.getTime();
}

/** True when [start, end) lies inside one working window of the hours. */
export function withinWorkingHours(hours: WorkingHours, interval: Interval): boolean {
  if (!(interval.end > interval.start)) return false;
  // The window of the local day of the start, and of the day before (a window never crosses midnight).
  return localDays(new Date(interval.start.getTime() - DAY), hours.timeZone, 3).some((date) => {
    const w = workingWindow(hours, date);
    return !!w && w.start <= interval.start && interval.end <= w.end;
  });
}

/** True when the technician works over the whole interval and has nothing booked in it. */
export function isFree(calendar: TechnicianCalendar, interval: Interval): boolean {
  return withinWorkingHours(calendar.hours, interval) && !calendar.bookings.some((b) => overlaps(b, interval));
}

/**
 * Every free slot of `durationMinutes` on each technician's grid, ordered by start time and then
 * technician id (so the first slot is the earliest, and ties always go the same way).
 */
export function freeSlots(query: FreeSlotQuery): Slot[] {
  const { durationMinutes, earliest } = query;
  if (!Number.isInteger(durationMinutes) || durationMinutes <= 0) throw new RangeError('durationMinutes must be a positive integer');
  const step = (query.stepMinutes ?? durationMinutes) * MINUTE;
  if (!(step > 0)) throw new RangeError('stepMinutes must be positive');
  const length = durationMinutes * MINUTE;
  const horizonDays = query.horizonDays ?? 14;
  const slots: Slot[] = [];
  for (const tech of query.technicians) {
    const bookings = [...tech.bookings].sort((a, b) => a.start.getTime() - b.start.getTime());
    for (const date of localDays(earliest, tech.hours.timeZone, horizonDays)) {
      const window = workingWindow(tech.hours, date);
      if (!window) continue;
      for (let t = window.start.getTime(); t + length <= window.end.getTime(); t += step) {
        const slot = { technicianId: tech.technicianId, start: new Date(t), end: new Date(t + length) };
        if (t < earliest.getTime()) continue;
        if (query.latest && slot.end > query.latest) continue;
        if (bookings.some((b) => overlaps(b, slot))) continue;
        slots.push(slot);
      }
    }
  }
  slots.sort((a, b) => a.start.getTime() - b.start.getTime() || (a.technicianId < b.technicianId ? -1 : a.technicianId > b.technicianId ? 1 : 0));
  return query.limit !== undefined ? slots.slice(0, query.limit) : slots;
}
