/**
 * Calendar dates without time zones: identity checks compare birthdays, not instants, so a
 * date is a `YYYY-MM-DD` triple and the caller decides which day "today" is.
 */

export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

/** A date as an ISO string `YYYY-MM-DD`, or a `Date` read in UTC (pass a string to pin a local day). */
export type DateInput = string | Date;

/** Days in a month of the proleptic Gregorian calendar (February has 29 in leap years). */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** True when year/month/day name a day that exists (so 2001-02-30 and 2023-02-29 do not). */
export function isCalendarDate(year: number, month: number, day: number): boolean {
  return (
    Number.isInteger(year) && Number.isInteger(month) && Number.isInteger(day) &&
    year >= 1 && year <= 9999 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month)
  );
}

/** Parses a strict `YYYY-MM-DD`; undefined for any other shape or for a day that does not exist. */
export function parseIsoDate(value: string): CalendarDate | undefined {
  // Strict on purpose: `Date.parse` would roll 2001-02-30 over to March 2nd.
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return isCalendarDate(year, month, day) ? { year, month, day } : undefined;
}

/** True for a strict `YYYY-MM-DD` naming a day that exists. */
export function isValidIsoDate(value: string): boolean {
  return parseIsoDate(value) !== undefined;
}

/** Reads a string or Date as a calendar date; throws RangeError for anything that is not one. */
export function toCalendarDate(value: DateInput): CalendarDate {
  if (value instanceof Date) {
    // A Date is an instant; UTC gives the same answer on every server whatever its TZ.
    if (Number.isNaN(value.getTime())) throw new RangeError('invalid Date');
    return { year: value.getUTCFullYear(), month: value.getUTCMonth() + 1, day: value.getUTCDate() };
  }
  const parsed = parseIsoDate(value);
  if (!parsed) throw new RangeError(`not a calendar date (YYYY-MM-DD): ${value}`);
  return parsed;
}

/** Formats as `YYYY-MM-DD`. */
export function formatIsoDate(date: CalendarDate): string {
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  return `${pad(date.year, 4)}-${pad(date.month, 2)}-${pad(date.day, 2)}`;
}

/** Orders two calendar dates: negative, zero or positive like a sort comparator. */
export function compareDates(a: CalendarDate, b: CalendarDate): number {
  return a.year - b.year || a.month - b.month || a.day - b.day;
}

/** Completed years on `today` by calendar; throws RangeError for an impossible date or a birth after today. */
export function ageOn(birthDate: DateInput, today: DateInput): number {
  // Compare month and day instead of counting days, so leap years cannot drift the result: born
  // on 29 February, the birthday is not reached on 28 February of a common year, only on 1 March.
  // A birth after today is an input error for the caller to report, not a negative age.
  const birth = toCalendarDate(birthDate);
  const now = toCalendarDate(today);
  if (compareDates(birth, now) > 0) throw new RangeError('birth date is after today');
  const birthdayNotYetReached = now.month < birth.month || (now.month === birth.month && now.day < birth.day);
  return now.year - birth.year - (birthdayNotYetReached ? 1 : 0);
}

/** True when the person has reached `ageOfMajority` (default 18) on `today`. */
export function isAdult(birthDate: DateInput, today: DateInput, ageOfMajority = 18): boolean {
  return ageOn(birthDate, today) >= ageOfMajority;
}
