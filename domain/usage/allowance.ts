/**
 * Allowances of a postpaid plan: how much of a record they cover. The voice and SMS allowances are
 * national (the catalog sells "national minutes"), so they cover the national bands only; the data
 * allowance covers every band.
 */
import Decimal from 'decimal.js';
import { money, Money } from '../money';
import type { UsageType } from '../rating';

/** An allowance per cycle as the subscription carries it: a whole quantity, or no cap. */
export type Allowance = string | 'unlimited';

/** Whether the allowance of this usage type applies to a record rated in `band`. */
export function allowanceCovers(usageType: UsageType, band: string): boolean {
  if (usageType === 'data') return true;
  return band === 'national' || band.startsWith('national-');
}

/** The part of `quantity` the allowance still covers, given what the cycle has used of it. */
export function takeFromAllowance(quantity: Decimal, allowance: Allowance, used: Decimal): Decimal {
  if (allowance === 'unlimited') return quantity;
  const left = Money.max(money(allowance).minus(used), 0);
  return Money.min(quantity, left);
}
