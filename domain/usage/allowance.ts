/**
 * Allowances of a plan: how much of a record they cover. The voice and SMS allowances are national
 * (the catalog sells "national minutes"), so they cover the national bands only; the data
 * allowance covers every band. Online charging applies the same rule to a prepaid line's bundles.
 */
import { money, Money } from '../money';
import type { UsageType } from '../rating';

/** An allowance per cycle as the subscription carries it: a whole quantity, or no cap. */
export type Allowance = string | 'unlimited';

/** Whether the allowance of this usage type applies to a record rated in `band`. */
export function allowanceCovers(usageType: UsageType, band: string): boolean {
  if (usageType === 'data') return true;
  return band === 'national' || band.startsWith('national-');
}

const WHOLE = /^\d+$/;

/**
 * Splits `quantity` into the part the allowance still covers (given what the cycle has used of
 * it) and the overage, as normalised decimal strings. Whole numbers (octets, seconds, events:
 * nearly every record) take an exact BigInt path; anything else goes through decimal.js.
 */
export function splitByAllowance(quantity: string, allowance: Allowance, used: string): { fromAllowance: string; overage: string } {
  if (allowance === 'unlimited') return { fromAllowance: money(quantity).toString(), overage: '0' };
  if (WHOLE.test(quantity) && WHOLE.test(allowance) && WHOLE.test(used)) {
    const q = BigInt(quantity);
    const left = BigInt(allowance) - BigInt(used);
    const free = left <= 0n ? 0n : q < left ? q : left;
    return { fromAllowance: free.toString(), overage: (q - free).toString() };
  }
  const q = money(quantity);
  const free = Money.min(q, Money.max(money(allowance).minus(used), 0));
  return { fromAllowance: free.toString(), overage: q.minus(free).toString() };
}

/** Adds two quantities exactly (the allowance used so far and a record's part of it). */
export function addQuantities(a: string, b: string): string {
  return WHOLE.test(a) && WHOLE.test(b) ? (BigInt(a) + BigInt(b)).toString() : money(a).plus(b).toString();
}

/** Subtracts `b` from `a` exactly (what a batch added to a counter: its total less what it had). */
export function subtractQuantities(a: string, b: string): string {
  return WHOLE.test(a) && WHOLE.test(b) ? (BigInt(a) - BigInt(b)).toString() : money(a).minus(b).toString();
}
