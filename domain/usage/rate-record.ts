/**
 * Offline rating of one usage record of a postpaid subscription: the bill cycle it falls in, the
 * band of its usage price, the part its allowance covers, and the rest priced by domain/rating
 * rateCall (rateUsage, calls split at band boundaries), as the online engine prices it, so a usage
 * costs the same either way. A record keeps the band it started in.
 */
import { cycleContaining } from '../billing/cycle';
import { money } from '../money';
import { rateCall, RatingError, selectBand, type Rating } from '../rating';
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

const MAX_CACHED = 100_000;
const cycleStarts = new Map<number, Map<string, string>>();

/** The start of the cycle a local date is in, remembered (a file has few dates, many records). */
function cycleStartOf(date: string, billCycleDay: number): string {
  let byDate = cycleStarts.get(billCycleDay);
  if (byDate === undefined) {
    byDate = new Map();
    cycleStarts.set(billCycleDay, byDate);
  }
  let start = byDate.get(date);
  if (start === undefined) {
    start = cycleContaining(date, billCycleDay).start;
    if (byDate.size >= MAX_CACHED) byDate.clear();
    byDate.set(date, start);
  }
  return start;
}

const NOTHING_CHARGED = { chargedQuantity: '0', amount: '0.000000' };
const priced = new Map<string, { chargedQuantity: string; amount: string }>();
const windowed = new WeakMap<Rating, boolean>();

/** Whether a band of the tariff depends on the time of day or the weekday (so a call may cross one). */
function hasTimeWindows(rating: Rating): boolean {
  let w = windowed.get(rating);
  if (w === undefined) {
    w = rating.bands.some((b) => b.daysOfWeek !== undefined || b.startTime !== undefined || b.endTime !== undefined);
    windowed.set(rating, w);
  }
  return w;
}

/**
 * The price of the overage by domain/rating rateCall (rateUsage, with calls split where a band's
 * time window ends). The allowance pays for the start of a call, so the overage is its tail: it is
 * rated from the instant the allowance ran out. Where no time window can apply, the price depends
 * only on price, band and quantity, and is remembered: a file repeats quantities (call seconds,
 * SMS) a lot, and sold prices never change under a price id and version.
 */
function ratedOverage(p: Placement, t: SubscriberTariff, u: UsageInput, fromAllowance: string, overage: string): { chargedQuantity: string; amount: string } {
  const rating = p.price.rating;
  if (u.usageType === 'voice' && hasTimeWindows(rating)) {
    const startTime = new Date(u.startTime.getTime() + money(fromAllowance).times(1000).toNumber());
    const { chargedQuantity, amount } = rateCall(rating, { ...eventOf(u, overage), startTime }, t.timeZone);
    return { chargedQuantity, amount };
  }
  const key = `${p.price.priceId}|${p.price.version}|${p.band}|${overage}`;
  let r = priced.get(key);
  if (r === undefined) {
    const { chargedQuantity, amount } = rateCall(rating, eventOf(u, overage), t.timeZone);
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
    const band = selectBand(price.rating, u, t.timeZone).name;
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
  const rated = overage === '0' ? NOTHING_CHARGED : ratedOverage(p, t, u, fromAllowance, overage);
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
