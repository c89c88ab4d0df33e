/** Calendar dates as a customer's time zone sees an instant (billing dates are such dates). */

/** The ISO date (YYYY-MM-DD) of `instant` in `timeZone` (an IANA name such as Europe/Madrid). */
export function calendarDateIn(timeZone: string, instant: Date): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(instant);
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${get('year')}-${get('month')}-${get('day')}`;
}
