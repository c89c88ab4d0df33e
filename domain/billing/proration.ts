/**
 * Proration by day, after Kill Bill's InvoiceDateUtils: a recurring fee is charged for the days a
 * subscription was active in the cycle over the days of the whole cycle (28 to 31, leap years
 * included), in exact decimals; only the resulting line is rounded to the cent, half up.
 *
 * Dates are calendar dates (YYYY-MM-DD); every end is exclusive, as for cycles: a subscription
 * with end date 2026-12-20 is billed up to and including the 19th.
 */
import { roundToCent, type Money } from '../money';
import { daysBetween, type BillCycle } from './cycle';

/** The days of a cycle a subscription was active: [from, to) clipped to the cycle; undefined if none. */
export interface ActiveSpan {
  from: string;
  to: string;
  days: number;
  cycleDays: number;
}

const maxDate = (a: string, b: string): string => (a > b ? a : b);
const minDate = (a: string, b: string): string => (a < b ? a : b);

/** The part of `cycle` within [start, end) (end undefined: still active); undefined when they do not meet. */
export function activeSpan(cycle: BillCycle, start: string, end?: string | null): ActiveSpan | undefined {
  const from = maxDate(cycle.start, start);
  const to = end ? minDate(cycle.end, end) : cycle.end;
  const days = daysBetween(from, to);
  if (days <= 0) return undefined;
  return { from, to, days, cycleDays: daysBetween(cycle.start, cycle.end) };
}

/** A recurring charge's period as sold: `length` months or days. */
export interface ChargePeriod {
  type: 'month' | 'day';
  length: number;
}

/**
 * The fee for the active days, rounded to the cent: a monthly fee × days / days of the cycle
 * (÷ length for fees of several months); a fee per N days × days / N.
 */
export function proratedFee(amount: Money, period: ChargePeriod, span: ActiveSpan): Money {
  if (!Number.isInteger(period.length) || period.length < 1) throw new RangeError(`period length must be a whole number ≥ 1, not ${period.length}`);
  if (period.type === 'month') return roundToCent(amount.times(span.days).dividedBy(span.cycleDays).dividedBy(period.length));
  return roundToCent(amount.times(span.days).dividedBy(period.length));
}
