/**
 * The calendar date of an instant in a time zone, fast enough to run per usage record: one
 * formatter per zone, and one answer per zone and quarter hour (every UTC offset and every
 * offset change falls on a quarter hour, so all instants of a quarter hour share a date).
 */
const QUARTER_HOUR_MS = 900_000;
const formatters = new Map<string, Intl.DateTimeFormat>();
const dates = new Map<string, Map<number, string>>();
const MAX_CACHED = 200_000;

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The ISO date (YYYY-MM-DD) of `instant` in `timeZone`; throws a RangeError for an unknown zone. */
export function localDateOf(instant: Date, timeZone: string): string {
  // Per zone, then per quarter hour number: no key string is built per record.
  const zone = dates.get(timeZone);
  const quarter = Math.floor(instant.getTime() / QUARTER_HOUR_MS);
  let date = zone?.get(quarter);
  if (date === undefined) {
    const parts = formatterFor(timeZone).formatToParts(instant);
    const get = (type: string) => parts.find((p) => p.type === type)!.value;
    date = `${get('year')}-${get('month')}-${get('day')}`;
    if (zone === undefined) dates.set(timeZone, new Map([[quarter, date]]));
    else {
      if (zone.size >= MAX_CACHED) zone.clear();
      zone.set(quarter, date);
    }
  }
  return date;
}
