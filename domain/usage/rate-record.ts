/**
 * Offline rating of one usage record of a postpaid subscription: the bill cycle it falls in, the
 * band of its usage price, the part its allowance covers, and the rest priced by domain/rating
 * rateUsage, the same function the online engine uses, so a usage costs the same either way.
 */
import { cycleContaining } from '../billing/cycle';
import { rateUsage, RatingError, selectBand } from '../rating';
import { Allowance, allowanceCovers, splitByAllowance } from './allowance';
import { localDateOf } from './local-date';
import type { SoldUsagePrice, SubscriberTariff } from './subscriber-tariff';
import type { UsageInput } from './usage-input';

/** Where a record falls: its cycle, price and band, and the allowance that applies (if any). */
export interface Placement {
  cycleStart: string;
  price: SoldUsagePrice;
  band: string;
  allowance?: Allowance;
}

/** The rating of a record. Quantities and the amount (6 decimals) are decimal strings. */
export interface RatedRecord {
  cycleStart: string;
  band: string;
  priceId: string;
  currency: string;
  /** Taken from the allowance (raw units). */
  allowanceQuantity: string;
  /** Beyond the allowance (raw units), the quantity that was priced. */
  overageQuantity: string;
  /** The overage as charged (rounded up to the tariff's increments). */
  chargedQuantity: string;
  amount: string;
}

const eventOf = (u: UsageInput, quantity: string) => ({ usageType: u.usageType, quantity, startTime: u.startTime, destination: u.destination });

const cycleStarts = new Map<string, string>();

/** The start of the cycle a local date is in, remembered (a file has few dates, many records). */
function cycleStartOf(date: string, billCycleDay: number): string {
  const key = `${date}|${billCycleDay}`;
  let start = cycleStarts.get(key);
  if (start === undefined) {
    start = cycleContaining(date, billCycleDay).start;
    if (cycleStarts.size >= MAX_CACHED) cycleStarts.clear();
    cycleStarts.set(key, start);
  }
  return start;
}

const NOTHING_CHARGED = { chargedQuantity: '0', amount: '0.000000' };
const MAX_CACHED = 100_000;
const priced = new Map<string, { chargedQuantity: string; amount: string }>();

/**
 * rateUsage of the overage, remembered per price, band and quantity: within a band the price of
 * a quantity depends on nothing else, and a file repeats quantities (call seconds, SMS) a lot.
 * Sold prices are immutable per price id and version, so the key never goes stale.
 */
function ratedOverage(p: Placement, t: SubscriberTariff, u: UsageInput, overage: string): { chargedQuantity: string; amount: string } {
  const key = `${p.price.priceId}|${p.price.version}|${p.band}|${overage}`;
  let r = priced.get(key);
  if (r === undefined) {
    const { chargedQuantity, amount } = rateUsage(p.price.rating, eventOf(u, overage), t.timeZone);
    r = { chargedQuantity, amount };
    if (priced.size >= MAX_CACHED) priced.clear();
    priced.set(key, r);
  }
  return r;
}

/** Places a record, or says why it cannot be rated (no usage price of its type, a tariff error). */
export function placeUsage(t: SubscriberTariff, u: UsageInput): Placement | { reason: string } {
  const price = t.prices[u.usageType];
  if (!price) return { reason: `no ${u.usageType} usage price on subscription ${t.subscriptionId}` };
  try {
    const cycleStart = cycleStartOf(localDateOf(u.startTime, t.timeZone), t.billCycleDay);
    const band = selectBand(price.rating, eventOf(u, u.quantity), t.timeZone).name;
    const allowance = t.allowances[u.usageType];
    return { cycleStart, price, band, allowance: allowance !== undefined && allowanceCovers(u.usageType, band) ? allowance : undefined };
  } catch (err) {
    if (err instanceof RatingError || err instanceof RangeError) return { reason: err.message };
    throw err;
  }
}

/** Rates a placed record given what its cycle has used of the allowance; the caller adds `allowanceQuantity` to it. */
export function rateWithAllowance(p: Placement, t: SubscriberTariff, u: UsageInput, used: string): RatedRecord {
  const { fromAllowance, overage } = p.allowance === undefined ? { fromAllowance: '0', overage: u.quantity } : splitByAllowance(u.quantity, p.allowance, used);
  const rated = overage === '0' ? NOTHING_CHARGED : ratedOverage(p, t, u, overage);
  return {
    cycleStart: p.cycleStart,
    band: p.band,
    priceId: p.price.priceId,
    currency: p.price.currency,
    allowanceQuantity: fromAllowance,
    overageQuantity: overage,
    chargedQuantity: rated.chargedQuantity,
    amount: rated.amount,
  };
}
