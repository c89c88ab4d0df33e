/**
 * Monthly bill cycles. An account's cycle starts on its bill cycle day (1–28, so every month has
 * it) and runs to the day before the same day next month; dates are calendar dates (YYYY-MM-DD)
 * in the account's time zone. `end` is exclusive: a cycle [2026-11-17, 2026-12-17) bills the
 * 17th of November to the 16th of December.
 */
import { zonedTimeToUtc } from '../workforce/slots';

export interface BillCycle {
  /** First day of the cycle. */
  start: string;
  /** First day of the next cycle (exclusive end). */
  end: string;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function parseDate(date: string): { year: number; month: number; day: number } {
  const m = ISO_DATE.exec(date);
  if (!m || Number.isNaN(Date.parse(`${date}T00:00:00Z`))) throw new RangeError(`not a calendar date (YYYY-MM-DD): ${date}`);
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (new Date(Date.UTC(year, month - 1, day)).getUTCDate() !== day) throw new RangeError(`no such day: ${date}`);
  return { year, month, day };
}

function formatDate(year: number, month: number, day: number): string {
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.toISOString().slice(0, 10);
}

function checkCycleDay(billCycleDay: number): void {
  if (!Number.isInteger(billCycleDay) || billCycleDay < 1 || billCycleDay > 28) throw new RangeError(`bill cycle day must be 1–28, not ${billCycleDay}`);
}

/** The cycle a calendar date falls in. */
export function cycleContaining(date: string, billCycleDay: number): BillCycle {
  checkCycleDay(billCycleDay);
  const { year, month, day } = parseDate(date);
  const startMonth = day >= billCycleDay ? month : month - 1;
  return { start: formatDate(year, startMonth, billCycleDay), end: formatDate(year, startMonth + 1, billCycleDay) };
}

/** The cycle after this one. */
export function nextCycle(cycle: BillCycle, billCycleDay: number): BillCycle {
  return cycleContaining(cycle.end, billCycleDay);
}

/** Whole days from `from` to `to` (exclusive end), e.g. 30 for a November cycle. */
export function daysBetween(from: string, to: string): number {
  const a = parseDate(from);
  const b = parseDate(to);
  return Math.round((Date.UTC(b.year, b.month - 1, b.day) - Date.UTC(a.year, a.month - 1, a.day)) / 86_400_000);
}

/** The date `days` after (or before, when negative) a calendar date. */
export function addDays(date: string, days: number): string {
  const { year, month, day } = parseDate(date);
  return formatDate(year, month, day + days);
}

/** The instant a calendar date begins (local midnight) in a time zone: when a cycle closes. */
export function startOfDateIn(date: string, timeZone: string): Date {
  return zonedTimeToUtc({ ...parseDate(date), hour: 0, minute: 0 }, timeZone);
}
