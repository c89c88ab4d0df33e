/**
 * Band selection: the first band, in tariff order, whose destination prefixes and local day/time
 * window both match the event. The tariff puts specific prefixes before general ones (freephone
 * +34900 before premium +3490 before national +34, a catch-all without prefixes last), so first
 * match gives longest-prefix results without the engine re-ordering the author's bands.
 */
import { Band, RatingError, Rating } from './types';

/** The local calendar view of an instant that band windows are written in. */
export type LocalTime = {
  /** ISO weekday: 1 = Monday … 7 = Sunday. */
  dayOfWeek: number;
  /** Seconds since local midnight (0 … 86399). */
  secondOfDay: number;
};

const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };
const formatters = new Map<string, Intl.DateTimeFormat>();

// Formatters are costly to build and the OCS rates on every credit-control request: one per zone.
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone,
        weekday: 'short',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
        hourCycle: 'h23',
      });
    } catch {
      throw new RatingError('invalid-event', `unknown time zone: ${timeZone}`);
    }
    formatters.set(timeZone, f);
  }
  return f;
}

function formatLocalTime(timeZone: string, instant: Date): LocalTime {
  const parts = formatterFor(timeZone).formatToParts(instant);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const dayOfWeek = WEEKDAYS[get('weekday')];
  const secondOfDay = Number(get('hour')) * 3600 + Number(get('minute')) * 60 + Number(get('second'));
  return { dayOfWeek, secondOfDay };
}

const QUARTER_HOUR_MS = 900_000;
const MAX_QUARTERS = 100_000;
const quarterStarts = new Map<string, Map<number, LocalTime>>();

/**
 * The weekday and time of day of `instant` in `timeZone` (IANA name), daylight saving included.
 * Formatting is the costly part (offline rating calls this per record), so it runs once per zone
 * and quarter hour: every UTC offset and every offset change is a whole number of quarter hours,
 * so within one quarter hour local time runs evenly and never passes midnight.
 */
export function localTimeIn(timeZone: string, instant: Date): LocalTime {
  return localTimeAt(timeZone, instant.getTime());
}

/** The same for an instant in epoch milliseconds. */
function localTimeAt(timeZone: string, ms: number): LocalTime {
  if (Number.isNaN(ms)) throw new RatingError('invalid-event', 'event start is not a valid date');
  const quarterStart = Math.floor(ms / QUARTER_HOUR_MS) * QUARTER_HOUR_MS;
  // Per zone, then per quarter: no key string is built per event.
  const zone = quarterStarts.get(timeZone);
  let start = zone?.get(quarterStart);
  if (start === undefined) {
    start = formatLocalTime(timeZone, new Date(quarterStart));
    if (zone === undefined) quarterStarts.set(timeZone, new Map([[quarterStart, start]]));
    else {
      if (zone.size >= MAX_QUARTERS) zone.clear();
      zone.set(quarterStart, start);
    }
  }
  return { dayOfWeek: start.dayOfWeek, secondOfDay: start.secondOfDay + Math.floor((ms - quarterStart) / 1000) };
}

const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** 'HH:MM' as seconds since midnight; '24:00' only where `allowMidnightEnd` (a window's end). */
export function parseTimeOfDay(value: string, allowMidnightEnd = false): number {
  if (allowMidnightEnd && value === '24:00') return 86400;
  const m = HH_MM.exec(value);
  if (m === null) throw new RatingError('invalid-tariff', `not a time of day (HH:MM): ${value}`);
  return Number(m[1]) * 3600 + Number(m[2]) * 60;
}

/** Normal form for prefix comparison: no spaces, dashes, dots or brackets; a leading 00 becomes +. */
export function normaliseNumber(value: string): string {
  const compact = value.replace(/[\s\-.()]/g, '');
  return compact.startsWith('00') ? `+${compact.slice(2)}` : compact;
}

/**
 * What band selection reads from a band, parsed once per band object: a tariff is data, never
 * changed once loaded, and the OCS selects bands several times per credit-control request.
 */
interface ParsedBand {
  /** The window in seconds of the day, or null for a band without one. */
  window: { start: number; end: number } | null;
  prefixes: string[];
}
const parsedBands = new WeakMap<Band, ParsedBand>();

function parsed(band: Band): ParsedBand {
  let p = parsedBands.get(band);
  if (p === undefined) {
    const timed = band.startTime !== undefined || band.endTime !== undefined;
    p = {
      window: timed ? { start: parseTimeOfDay(band.startTime ?? '00:00'), end: parseTimeOfDay(band.endTime ?? '24:00', true) } : null,
      prefixes: (band.destinationPrefixes ?? []).map(normaliseNumber),
    };
    parsedBands.set(band, p);
  }
  return p;
}

/** Whether the band's day and time window contains the local time. */
export function bandWindowContains(band: Band, local: LocalTime): boolean {
  if (band.daysOfWeek !== undefined && !band.daysOfWeek.includes(local.dayOfWeek)) return false;
  const { window } = parsed(band);
  if (window === null) return true;
  const { start, end } = window;
  const t = local.secondOfDay;
  if (start === end) throw new RatingError('invalid-tariff', `band ${band.name}: empty time window ${band.startTime}-${band.endTime}`);
  // A window such as 20:00-08:00 wraps past midnight; its days are those of the event's local date.
  return start < end ? t >= start && t < end : t >= start || t < end;
}

/** Whether the band's destination prefixes match (a band without prefixes matches any destination). */
export function bandPrefixMatches(band: Band, destination: string | undefined): boolean {
  return prefixesMatch(band, destination === undefined ? undefined : normaliseNumber(destination));
}

/** The same for a destination already in normal form. */
function prefixesMatch(band: Band, number: string | undefined): boolean {
  const { prefixes } = parsed(band);
  if (prefixes.length === 0) return true;
  return number !== undefined && prefixes.some((p) => number.startsWith(p));
}

/** The band that rates an event starting at `startTime` towards `destination`; throws when none does. */
export function selectBand(rating: Rating, event: { startTime: Date; destination?: string }, timeZone: string): Band {
  return bandSelector(rating, event.destination, timeZone)(event.startTime.getTime());
}

/**
 * Band selection for one destination at any instant (epoch milliseconds), as selectBand does: the
 * destination's bands are found once, so that a call checked at each minute it lasts (rate-call.ts)
 * tests only their day and time windows.
 */
export function bandSelector(rating: Rating, destination: string | undefined, timeZone: string): (ms: number) => Band {
  const number = destination === undefined ? undefined : normaliseNumber(destination);
  const candidates = rating.bands.filter((b) => prefixesMatch(b, number));
  return (ms) => {
    const local = localTimeAt(timeZone, ms);
    for (const band of candidates) if (bandWindowContains(band, local)) return band;
    throw new RatingError('no-band', `no band of the tariff matches destination ${destination ?? '(none)'} at ${new Date(ms).toISOString()}`);
  };
}
