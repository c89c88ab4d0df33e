import { ageOn, daysInMonth, formatIsoDate, isAdult, isValidIsoDate, parseIsoDate, toCalendarDate } from './calendar';

describe('parseIsoDate / isValidIsoDate', () => {
  it.each([
    ['2008-02-29', { year: 2008, month: 2, day: 29 }],
    ['2000-02-29', { year: 2000, month: 2, day: 29 }],
    ['1999-12-31', { year: 1999, month: 12, day: 31 }],
    ['2001-02-30', undefined],
    ['2023-02-29', undefined],
    ['1900-02-29', undefined],
    ['2024-04-31', undefined],
    ['2024-13-01', undefined],
    ['2024-00-10', undefined],
    ['2024-01-00', undefined],
    ['2024-1-05', undefined],
    ['05/01/2024', undefined],
    ['2024-01-05T00:00:00Z', undefined],
    ['', undefined],
  ])('%p → %p', (value, expected) => {
    expect(parseIsoDate(value)).toEqual(expected);
    expect(isValidIsoDate(value)).toBe(expected !== undefined);
  });
});

describe('daysInMonth', () => {
  it.each([
    [2024, 2, 29],
    [2023, 2, 28],
    [2000, 2, 29],
    [1900, 2, 28],
    [2023, 4, 30],
    [2023, 12, 31],
  ])('%p-%p has %p days', (year, month, days) => expect(daysInMonth(year, month)).toBe(days));
});

describe('toCalendarDate', () => {
  it('reads a Date in UTC, whatever the server time zone', () => {
    expect(toCalendarDate(new Date('2026-03-01T23:30:00Z'))).toEqual({ year: 2026, month: 3, day: 1 });
    expect(toCalendarDate(new Date('2026-03-01T23:30:00-02:00'))).toEqual({ year: 2026, month: 3, day: 2 });
  });

  it('throws on something that is not a calendar date', () => {
    expect(() => toCalendarDate('2001-02-30')).toThrow(RangeError);
    expect(() => toCalendarDate(new Date('nonsense'))).toThrow('invalid Date');
  });

  it('formats back with zero padding', () => {
    expect(formatIsoDate({ year: 987, month: 3, day: 7 })).toBe('0987-03-07');
  });
});

describe('ageOn', () => {
  it.each([
    ['2008-02-29', '2026-02-28', 17],
    ['2008-02-29', '2026-03-01', 18],
    ['2008-02-29', '2028-02-29', 20],
    ['2008-02-29', '2028-02-28', 19],
    ['2008-03-01', '2026-02-28', 17],
    ['2008-03-01', '2026-03-01', 18],
    ['1990-06-15', '2026-06-14', 35],
    ['1990-06-15', '2026-06-15', 36],
    ['1990-12-31', '2026-01-01', 35],
    ['2026-01-10', '2026-01-10', 0],
    ['1915-01-01', '2026-01-01', 111],
  ])('born %p, on %p, is %p', (birth, today, age) => expect(ageOn(birth, today)).toBe(age));

  it('accepts Dates for either argument', () => {
    expect(ageOn(new Date('2008-02-29T00:00:00Z'), new Date('2026-03-01T08:00:00Z'))).toBe(18);
  });

  it('rejects impossible dates and births after today', () => {
    expect(() => ageOn('2001-02-30', '2026-01-01')).toThrow('not a calendar date (YYYY-MM-DD): 2001-02-30');
    expect(() => ageOn('2000-01-01', '2026-02-29')).toThrow(RangeError);
    expect(() => ageOn('2026-01-02', '2026-01-01')).toThrow('birth date is after today');
  });
});

describe('isAdult', () => {
  it.each([
    ['2008-02-29', '2026-02-28', 18, false],
    ['2008-02-29', '2026-03-01', 18, true],
    ['2008-02-29', '2026-03-01', undefined, true],
    ['2010-05-01', '2026-05-01', 16, true],
    ['2010-05-01', '2026-04-30', 16, false],
  ])('born %p on %p with majority at %p → %p', (birth, today, majority, expected) =>
    expect(isAdult(birth, today, majority)).toBe(expected));
});
