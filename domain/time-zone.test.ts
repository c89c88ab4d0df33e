import { calendarDateIn } from './time-zone';

describe('calendarDateIn', () => {
  it.each([
    ['2026-03-31T22:30:00Z', 'Europe/Madrid', '2026-04-01'], // CEST, +2
    ['2026-12-31T22:59:59Z', 'Europe/Madrid', '2026-12-31'], // CET, +1
    ['2026-12-31T23:00:00Z', 'Europe/Madrid', '2027-01-01'],
    ['2026-01-01T03:00:00Z', 'America/New_York', '2025-12-31'],
    ['2028-02-29T12:00:00Z', 'UTC', '2028-02-29'],
  ])('%s in %s is %s', (instant, zone, expected) => {
    expect(calendarDateIn(zone, new Date(instant))).toBe(expected);
  });
});
