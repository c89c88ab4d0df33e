/**
 * TMF654 quantities and usage types. The spec writes Quantity.amount as a JSON number; inside the
 * system it is a decimal, and on the way out it is written as the number of that decimal (exact up
 * to 15 significant digits, far beyond any balance or allowance we hold).
 */
import { money, type Money } from '../money';

export const USAGE_TYPES = ['monetary', 'voice', 'data', 'sms', 'other'] as const;
export type UsageType = (typeof USAGE_TYPES)[number];

type BucketType = 'money' | 'data' | 'voice' | 'sms';

/** The TMF654 usage type of a charging bucket type. */
export const usageTypeOf = (type: BucketType): UsageType => (type === 'money' ? 'monetary' : type);

/** The charging bucket type of a TMF654 usage type (`other` has none). */
export function bucketTypeOf(usageType: UsageType): BucketType | undefined {
  if (usageType === 'other') return undefined;
  return usageType === 'monetary' ? 'money' : usageType;
}

/** A Quantity amount as a client wrote it (number or decimal string) → decimal. */
export function parseQuantityAmount(amount: number | string): Money {
  return money(typeof amount === 'number' ? String(amount) : amount);
}

/** A decimal as a TMF Quantity: `{ amount: <number>, units }`. */
export function toQuantity(amount: string | Money, units: string): { amount: number; units: string } {
  return { amount: Number(money(amount).toFixed()), units };
}

/** Units match when they name the same thing: currencies and unit names compare case-blind. */
export const sameUnits = (a: string, b: string): boolean => a.trim().toLowerCase() === b.trim().toLowerCase();

/** A balance as people read it: `9.50 EUR`, `1.5 GB`, `600 seconds`. */
export function describeRemaining(amount: string, unit: string, type: BucketType): string {
  const value = money(amount);
  if (type === 'money') return `${value.toFixed(2)} ${unit}`;
  if (type === 'data') {
    const gib = value.dividedBy(2 ** 30);
    return gib.gte(1) ? `${gib.toDecimalPlaces(2).toFixed()} GB` : `${value.dividedBy(2 ** 20).toDecimalPlaces(2).toFixed()} MB`;
  }
  return `${value.toFixed()} ${unit}`;
}

/** A bucket's TMF654 status: expired after its validity, suspended with its account, else active. */
export function bucketStatusOf(b: { validUntil: Date | null; accountStatus: string }, now: Date): 'active' | 'suspended' | 'expired' {
  if (b.validUntil && b.validUntil <= now) return 'expired';
  return b.accountStatus === 'active' ? 'active' : 'suspended';
}

/**
 * What is wrong with an amount of money paid in (a top-up, a voucher's value), if anything: it is
 * paid in cents, and no more than a card charge holds (`payment_charge.amount`, numeric(14,2)).
 */
export function paidAmountProblem(amount: Money): string | undefined {
  if (amount.decimalPlaces() > 2) return 'money is paid in cents: at most 2 decimals';
  if (amount.gte('1e12')) return 'must be below 1000000000000';
  return undefined;
}
