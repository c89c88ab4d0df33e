import { addDays, cycleContaining, daysBetween, nextCycle, startOfDateIn } from './cycle';

describe('bill cycles', () => {
  it.each([
    ['2026-11-17', 1, '2026-11-01', '2026-12-01'],
    ['2026-11-17', 17, '2026-11-17', '2026-12-17'],
    ['2026-11-16', 17, '2026-10-17', '2026-11-17'],
    ['2026-01-05', 15, '2025-12-15', '2026-01-15'],
    ['2026-12-31', 28, '2026-12-28', '2027-01-28'],
    ['2028-02-29', 1, '2028-02-01', '2028-03-01'],
  ])('%s with cycle day %i falls in [%s, %s)', (date, day, start, end) => {
    expect(cycleContaining(date, day)).toEqual({ start, end });
  });

  it('steps month by month, through February of a leap year', () => {
    let cycle = cycleContaining('2027-12-10', 10);
    const lengths: number[] = [];
    for (let i = 0; i < 4; i++) {
      lengths.push(daysBetween(cycle.start, cycle.end));
      cycle = nextCycle(cycle, 10);
    }
    expect(lengths).toEqual([31, 31, 29, 31]);
    expect(cycle).toEqual({ start: '2028-04-10', end: '2028-05-10' });
  });

  it('adds days across month and year ends', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-03-01', -1)).toBe('2028-02-29');
  });

  it('closes a cycle at local midnight of its end date', () => {
    expect(startOfDateIn('2026-12-01', 'Europe/Madrid').toISOString()).toBe('2026-11-30T23:00:00.000Z');
    expect(startOfDateIn('2026-07-01', 'Europe/Madrid').toISOString()).toBe('2026-06-30T22:00:00.000Z');
  });

  it('refuses a cycle day some month lacks, and dates that do not exist', () => {
    expect(() => cycleContaining('2026-11-17', 29)).toThrow(RangeError);
    expect(() => cycleContaining('2026-02-30', 1)).toThrow(RangeError);
    expect(() => cycleContaining('17/11/2026', 1)).toThrow(RangeError);
  });
});
