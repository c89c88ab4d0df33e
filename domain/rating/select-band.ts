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
  return new BandTimeline(rating, event.destination, timeZone).at(event.startTime.getTime());
}

const DAY_SECONDS = 86_400;
const WEEK_SECONDS = 7 * DAY_SECONDS;
const mod = (a: number, n: number): number => ((a % n) + n) % n;

/** The zone's offset from UTC at an instant whose local time is `local`, in seconds modulo a week (1970-01-01 was a Thursday). */
const offsetOf = (local: LocalTime, ms: number): number =>
  mod((local.dayOfWeek - 1) * DAY_SECONDS + local.secondOfDay - (Math.floor(ms / 1000) + 3 * DAY_SECONDS), WEEK_SECONDS);

const edgesOfRating = new WeakMap<Rating, number[]>();

/**
 * The seconds of the day at which a window of the tariff's bands opens or closes, and midnight
 * (86400), found once per tariff (a tariff is data, never changed once loaded). All bands' edges,
 * not only a destination's: an edge too many only adds a check.
 */
function windowEdges(rating: Rating): number[] {
  let edges = edgesOfRating.get(rating);
  if (edges === undefined) {
    const found = new Set<number>();
    for (const band of rating.bands) {
      const { window } = parsed(band);
      if (window !== null) for (const s of [window.start, window.end]) if (s > 0 && s < DAY_SECONDS) found.add(s);
    }
    edges = [...found].sort((a, b) => a - b).concat(DAY_SECONDS);
    edgesOfRating.set(rating, edges);
  }
  return edges;
}

/**
 * Band selection for one destination over time, as selectBand chooses: the destination's bands are
 * found once, so that a call's band at each of its possible changes tests only their day and time
 * windows, and a call of weeks is split at its few window edges rather than checked minute by
 * minute. (A class rather than closures: the OCS makes one several times a request.)
 */
export class BandTimeline {
  private readonly candidates: Band[] = [];

  constructor(
    private readonly rating: Rating,
    private readonly destination: string | undefined,
    private readonly timeZone: string,
  ) {
    const number = destination === undefined ? undefined : normaliseNumber(destination);
    for (const band of rating.bands) if (prefixesMatch(band, number)) this.candidates.push(band);
  }

  /** The band in force at an instant (epoch milliseconds). */
  at(ms: number): Band {
    const local = localTimeAt(this.timeZone, ms);
    for (const band of this.candidates) if (bandWindowContains(band, local)) return band;
    throw new RatingError('no-band', `no band of the tariff matches destination ${this.destination ?? '(none)'} at ${new Date(ms).toISOString()}`);
  }

  /**
   * The first instant after `ms` at which the band may differ from the one at `ms`: the next start
   * or end of a window, the next local midnight (days of the week), or the instant the zone's
   * offset changes, whichever comes first.
   */
  nextEdge(ms: number): number {
    const local = localTimeAt(this.timeZone, ms);
    const edges = windowEdges(this.rating);
    let i = 0;
    while (edges[i] <= local.secondOfDay) i++; // the last edge, 86400, is past every second of the day
    const atEdge = ms - mod(ms, 1000) + (edges[i] - local.secondOfDay) * 1000;
    // Offsets change only at a quarter hour: within one, nothing to check.
    if (Math.floor(atEdge / QUARTER_HOUR_MS) === Math.floor(ms / QUARTER_HOUR_MS)) return atEdge;
    const offset = offsetOf(local, ms);
    if (this.offsetAt(atEdge) === offset) return atEdge;
    // The offset changes before the edge (daylight saving): at a quarter hour, the first one at
    // which it differs; the band may change there. (Two changes within a day do not occur.)
    let low = Math.floor(ms / QUARTER_HOUR_MS) + 1;
    let high = Math.floor(atEdge / QUARTER_HOUR_MS);
    while (low < high) {
      const middle = Math.floor((low + high) / 2);
      if (this.offsetAt(middle * QUARTER_HOUR_MS) === offset) low = middle + 1;
      else high = middle;
    }
    return low * QUARTER_HOUR_MS;
  }

  private offsetAt(ms: number): number {
    return offsetOf(localTimeAt(this.timeZone, ms), ms);
  }
}
