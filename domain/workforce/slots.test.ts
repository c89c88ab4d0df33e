import { freeSlots, isFree, isoWeekday, overlaps, withinWorkingHours, workingWindow, zonedTimeToUtc, type WorkingHours } from './slots';

const madrid: WorkingHours = { timeZone: 'Europe/Madrid', days: [1, 2, 3, 4, 5], start: '08:00', end: '18:00' };
const everyDay: WorkingHours = { ...madrid, days: [1, 2, 3, 4, 5, 6, 7] };
const iso = (slots: Array<{ technicianId: string; start: Date; end: Date }>) =>
  slots.map((s) => `${s.technicianId} ${s.start.toISOString()}–${s.end.toISOString()}`);
const d = (s: string) => new Date(s);

describe('time zones', () => {
  it('maps Madrid wall-clock times to UTC in winter and summer', () => {
    expect(zonedTimeToUtc({ year: 2026, month: 1, day: 15, hour: 8, minute: 0 }, 'Europe/Madrid').toISOString()).toBe('2026-01-15T07:00:00.000Z');
    expect(zonedTimeToUtc({ year: 2026, month: 7, day: 15, hour: 8, minute: 0 }, 'Europe/Madrid').toISOString()).toBe('2026-07-15T06:00:00.000Z');
    expect(zonedTimeToUtc({ year: 2026, month: 7, day: 15, hour: 8, minute: 0 }, 'Atlantic/Canary').toISOString()).toBe('2026-07-15T07:00:00.000Z');
  });

  it('reads a skipped time with the offset before the change and a repeated time as its first occurrence', () => {
    // 2026-03-29 02:00 CET jumps to 03:00 CEST; 2026-10-25 03:00 CEST falls back to 02:00 CET.
    expect(zonedTimeToUtc({ year: 2026, month: 3, day: 29, hour: 2, minute: 30 }, 'Europe/Madrid').toISOString()).toBe('2026-03-29T01:30:00.000Z');
    expect(zonedTimeToUtc({ year: 2026, month: 10, day: 25, hour: 2, minute: 30 }, 'Europe/Madrid').toISOString()).toBe('2026-10-25T00:30:00.000Z');
    expect(zonedTimeToUtc({ year: 2026, month: 10, day: 25, hour: 3, minute: 30 }, 'Europe/Madrid').toISOString()).toBe('2026-10-25T02:30:00.000Z');
  });

  it('knows ISO weekdays', () => {
    expect(isoWeekday(2026, 11, 26)).toBe(4); // Thursday
    expect(isoWeekday(2026, 11, 29)).toBe(7); // Sunday
  });

  it('gives the working window of a local day across both DST changes', () => {
    const window = (y: number, m: number, day: number) => {
      const w = workingWindow(everyDay, { year: y, month: m, day });
      return w && [w.start.toISOString(), w.end.toISOString()];
    };
    expect(window(2026, 3, 28)).toEqual(['2026-03-28T07:00:00.000Z', '2026-03-28T17:00:00.000Z']);
    expect(window(2026, 3, 29)).toEqual(['2026-03-29T06:00:00.000Z', '2026-03-29T16:00:00.000Z']);
    expect(window(2026, 10, 24)).toEqual(['2026-10-24T06:00:00.000Z', '2026-10-24T16:00:00.000Z']);
    expect(window(2026, 10, 25)).toEqual(['2026-10-25T07:00:00.000Z', '2026-10-25T17:00:00.000Z']);
    expect(workingWindow(madrid, { year: 2026, month: 11, day: 28 })).toBeUndefined(); // Saturday
  });
});

describe('freeSlots', () => {
  it('lists the grid of each working day from the earliest start, in order', () => {
    const slots = freeSlots({
      technicians: [{ technicianId: 't1', hours: madrid, bookings: [] }],
      durationMinutes: 120,
      earliest: d('2026-11-26T10:30:00Z'), // Thursday 11:30 in Madrid
      horizonDays: 2,
    });
    expect(iso(slots)).toEqual([
      't1 2026-11-26T11:00:00.000Z–2026-11-26T13:00:00.000Z',
      't1 2026-11-26T13:00:00.000Z–2026-11-26T15:00:00.000Z',
      't1 2026-11-26T15:00:00.000Z–2026-11-26T17:00:00.000Z',
      't1 2026-11-27T07:00:00.000Z–2026-11-27T09:00:00.000Z',
      't1 2026-11-27T09:00:00.000Z–2026-11-27T11:00:00.000Z',
      't1 2026-11-27T11:00:00.000Z–2026-11-27T13:00:00.000Z',
      't1 2026-11-27T13:00:00.000Z–2026-11-27T15:00:00.000Z',
      't1 2026-11-27T15:00:00.000Z–2026-11-27T17:00:00.000Z',
    ]);
  });

  it('skips booked time and weekends, and orders ties by technician id', () => {
    const slots = freeSlots({
      technicians: [
        { technicianId: 'tB', hours: madrid, bookings: [{ start: d('2026-11-27T08:00:00Z'), end: d('2026-11-27T16:00:00Z') }] },
        { technicianId: 'tA', hours: madrid, bookings: [{ start: d('2026-11-27T07:00:00Z'), end: d('2026-11-27T09:00:00Z') }] },
      ],
      durationMinutes: 180,
      earliest: d('2026-11-27T06:00:00Z'), // Friday
      horizonDays: 4, // Fri, Sat, Sun, Mon
      limit: 6,
    });
    expect(iso(slots)).toEqual([
      'tA 2026-11-27T10:00:00.000Z–2026-11-27T13:00:00.000Z',
      'tA 2026-11-27T13:00:00.000Z–2026-11-27T16:00:00.000Z',
      'tA 2026-11-30T07:00:00.000Z–2026-11-30T10:00:00.000Z',
      'tB 2026-11-30T07:00:00.000Z–2026-11-30T10:00:00.000Z',
      'tA 2026-11-30T10:00:00.000Z–2026-11-30T13:00:00.000Z',
      'tB 2026-11-30T10:00:00.000Z–2026-11-30T13:00:00.000Z',
    ]);
  });

  it('keeps local hours across the spring-forward weekend', () => {
    const slots = freeSlots({
      technicians: [{ technicianId: 't1', hours: { ...everyDay, start: '09:00', end: '13:00' }, bookings: [] }],
      durationMinutes: 240,
      earliest: d('2026-03-28T00:00:00Z'),
      horizonDays: 3,
    });
    expect(iso(slots)).toEqual([
      't1 2026-03-28T08:00:00.000Z–2026-03-28T12:00:00.000Z',
      't1 2026-03-29T07:00:00.000Z–2026-03-29T11:00:00.000Z',
      't1 2026-03-30T07:00:00.000Z–2026-03-30T11:00:00.000Z',
    ]);
  });

  it('honours a finer step, a latest end and a slot that touches a booking', () => {
    const slots = freeSlots({
      technicians: [{ technicianId: 't1', hours: madrid, bookings: [{ start: d('2026-11-26T09:00:00Z'), end: d('2026-11-26T10:00:00Z') }] }],
      durationMinutes: 60,
      stepMinutes: 30,
      earliest: d('2026-11-26T07:00:00Z'),
      latest: d('2026-11-26T11:30:00Z'),
    });
    expect(iso(slots)).toEqual([
      't1 2026-11-26T07:00:00.000Z–2026-11-26T08:00:00.000Z',
      't1 2026-11-26T07:30:00.000Z–2026-11-26T08:30:00.000Z',
      't1 2026-11-26T08:00:00.000Z–2026-11-26T09:00:00.000Z',
      't1 2026-11-26T10:00:00.000Z–2026-11-26T11:00:00.000Z',
      't1 2026-11-26T10:30:00.000Z–2026-11-26T11:30:00.000Z',
    ]);
  });

  it('refuses a duration that is not a positive whole number of minutes', () => {
    const base = { technicians: [], earliest: d('2026-11-26T07:00:00Z') };
    expect(() => freeSlots({ ...base, durationMinutes: 0 })).toThrow(RangeError);
    expect(() => freeSlots({ ...base, durationMinutes: 1.5 })).toThrow(RangeError);
  });
});

describe('interval checks', () => {
  it('treats intervals as half-open', () => {
    const a = { start: d('2026-11-26T08:00:00Z'), end: d('2026-11-26T10:00:00Z') };
    expect(overlaps(a, { start: d('2026-11-26T10:00:00Z'), end: d('2026-11-26T11:00:00Z') })).toBe(false);
    expect(overlaps(a, { start: d('2026-11-26T09:59:00Z'), end: d('2026-11-26T11:00:00Z') })).toBe(true);
  });

  it('checks that an interval fits one working window and no booking', () => {
    expect(withinWorkingHours(madrid, { start: d('2026-11-26T07:00:00Z'), end: d('2026-11-26T17:00:00Z') })).toBe(true);
    expect(withinWorkingHours(madrid, { start: d('2026-11-26T06:59:00Z'), end: d('2026-11-26T08:00:00Z') })).toBe(false);
    expect(withinWorkingHours(madrid, { start: d('2026-11-26T16:00:00Z'), end: d('2026-11-27T08:00:00Z') })).toBe(false);
    expect(withinWorkingHours(madrid, { start: d('2026-11-28T09:00:00Z'), end: d('2026-11-28T10:00:00Z') })).toBe(false);
    const cal = { technicianId: 't1', hours: madrid, bookings: [{ start: d('2026-11-26T09:00:00Z'), end: d('2026-11-26T10:00:00Z') }] };
    expect(isFree(cal, { start: d('2026-11-26T08:00:00Z'), end: d('2026-11-26T09:00:00Z') })).toBe(true);
    expect(isFree(cal, { start: d('2026-11-26T08:30:00Z'), end: d('2026-11-26T09:30:00Z') })).toBe(false);
  });
});
