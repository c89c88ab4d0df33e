import { money } from '../money';
import { activeSpan, proratedFee } from './proration';

const monthly = { type: 'month', length: 1 } as const;

describe('activeSpan', () => {
  it.each([
    // cycle start, cycle end, subscription start, end, → from, to, days, cycle days
    ['2026-11-01', '2026-12-01', '2026-11-17', null, '2026-11-17', '2026-12-01', 14, 30],
    ['2026-11-01', '2026-12-01', '2026-10-03', null, '2026-11-01', '2026-12-01', 30, 30],
    ['2026-12-01', '2027-01-01', '2026-06-01', '2026-12-20', '2026-12-01', '2026-12-20', 19, 31],
    ['2028-02-01', '2028-03-01', '2028-02-15', null, '2028-02-15', '2028-03-01', 15, 29],
    ['2027-02-01', '2027-03-01', '2027-02-15', null, '2027-02-15', '2027-03-01', 14, 28],
    ['2028-02-15', '2028-03-15', '2028-02-15', '2028-03-01', '2028-02-15', '2028-03-01', 15, 29],
    ['2026-11-17', '2026-12-17', '2026-11-17', '2026-11-18', '2026-11-17', '2026-11-18', 1, 30],
  ])('cycle [%s, %s) sub [%s, %s) → [%s, %s) %i of %i days', (start, end, from, to, spanFrom, spanTo, days, cycleDays) => {
    expect(activeSpan({ start, end }, from, to)).toEqual({ from: spanFrom, to: spanTo, days, cycleDays });
  });

  it.each([
    ['started after the cycle', '2026-12-01', null],
    ['ended before the cycle', '2026-01-01', '2026-11-01'],
    ['ended the day it started', '2026-11-05', '2026-11-05'],
  ])('nothing when %s', (_why, from, to) => {
    expect(activeSpan({ start: '2026-11-01', end: '2026-12-01' }, from, to)).toBeUndefined();
  });
});

describe('proratedFee', () => {
  const span = (days: number, cycleDays: number) => ({ from: 'x', to: 'y', days, cycleDays });
  it.each([
    ['25.00', monthly, 14, 30, '11.67'], // 11.6666…
    ['35.00', monthly, 14, 30, '16.33'], // 16.3333…
    ['25.00', monthly, 9, 30, '7.50'],
    ['45.00', monthly, 21, 30, '31.50'],
    ['35.00', monthly, 19, 31, '21.45'], // 21.4516…
    ['25.00', monthly, 15, 29, '12.93'], // 12.9310…
    ['25.00', monthly, 14, 28, '12.50'],
    ['7.99', monthly, 31, 31, '7.99'],
    ['7.99', monthly, 1, 31, '0.26'], // 0.25774…
    ['0.30', monthly, 5, 30, '0.05'], // 0.05 exactly
    ['0.09', monthly, 5, 30, '0.02'], // 0.015 → half up
    ['60.00', { type: 'month', length: 3 } as const, 30, 30, '20.00'],
    ['15.00', { type: 'day', length: 30 } as const, 14, 30, '7.00'],
  ])('%s per %o for %i of %i days = %s', (amount, period, days, cycleDays, expected) => {
    expect(proratedFee(money(amount), period, span(days, cycleDays)).toFixed(2)).toBe(expected);
  });

  it('refuses a period that is not a whole number of months or days', () => {
    expect(() => proratedFee(money('10'), { type: 'month', length: 0 }, span(1, 30))).toThrow(RangeError);
  });
});
