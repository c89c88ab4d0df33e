/**
 * Money: one Decimal configuration and one rounding rule for the whole system. Amounts cross JSON
 * and workflow payloads as strings ("12.34"); inside rating they keep more decimals, and only a
 * bill or charge line is rounded, half up, to the cent.
 */
import Decimal from 'decimal.js';

/** A Decimal class of its own, so no other configuration of the global one can change ours. */
export const Money = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });
export type Money = Decimal;

/** Parses an amount given as a string or a catalog number; throws on anything that is not finite. */
export function money(value: string | number | Decimal): Decimal {
  const d = new Money(typeof value === 'number' ? String(value) : value);
  if (!d.isFinite()) throw new Error(`not an amount: ${String(value)}`);
  return d;
}

/** Rounds to the cent, half up: the rule at every charge and bill line. */
export function roundToCent(amount: Decimal): Decimal {
  return amount.toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
}

/** The amount as it crosses JSON: two decimals, as a string. */
export function formatAmount(amount: Decimal): string {
  return roundToCent(amount).toFixed(2);
}

/** Tax on a net line amount at `ratePercent`, rounded to the cent per line. */
export function taxOn(net: Decimal, ratePercent: string | number | Decimal): Decimal {
  return roundToCent(net.times(money(ratePercent)).dividedBy(100));
}

/** Sum of amounts (zero for none). */
export function sum(amounts: Decimal[]): Decimal {
  return amounts.reduce((total, a) => total.plus(a), new Money(0));
}
