import { cycleAfter, dunningStepTime } from './billing-cycle';

describe('cycleAfter', () => {
  it('is the next monthly cycle while the bill cycle day stays', () => {
    expect(cycleAfter({ start: '2027-01-17', end: '2027-02-17' }, 17)).toEqual({ start: '2027-02-17', end: '2027-03-17' });
    expect(cycleAfter({ start: '2027-12-01', end: '2028-01-01' }, 1)).toEqual({ start: '2028-01-01', end: '2028-02-01' });
  });

  it('bridges to the new bill cycle day with a shorter cycle, no day twice or skipped', () => {
    // Day moved from 17 to 5: 17 Feb to 5 Mar, then monthly from the 5th.
    expect(cycleAfter({ start: '2027-01-17', end: '2027-02-17' }, 5)).toEqual({ start: '2027-02-17', end: '2027-03-05' });
    expect(cycleAfter({ start: '2027-02-17', end: '2027-03-05' }, 5)).toEqual({ start: '2027-03-05', end: '2027-04-05' });
    // Day moved from 5 to 20: 5 Feb to 20 Feb.
    expect(cycleAfter({ start: '2027-01-05', end: '2027-02-05' }, 20)).toEqual({ start: '2027-02-05', end: '2027-02-20' });
  });
});

describe('dunningStepTime', () => {
  it('is 09:00 in the account time zone, summer and winter time alike', () => {
    expect(dunningStepTime('2027-01-18', 'Europe/Madrid').toISOString()).toBe('2027-01-18T08:00:00.000Z');
    expect(dunningStepTime('2027-07-18', 'Europe/Madrid').toISOString()).toBe('2027-07-18T07:00:00.000Z');
    expect(dunningStepTime('2027-03-28', 'Europe/Madrid').toISOString()).toBe('2027-03-28T07:00:00.000Z'); // the day clocks go forward
  });
});
