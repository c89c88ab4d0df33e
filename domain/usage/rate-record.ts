/**
 * Offline rating of one usage record of a postpaid subscription: the bill cycle it falls in, the
 * band of its usage price, the part its allowance covers, and the rest priced by domain/rating
 * rateUsage, the same function the online engine uses, so a usage costs the same either way.
 */
import type Decimal from 'decimal.js';
import { cycleContaining } from '../billing/cycle';
import { money } from '../money';
import { rateUsage, RatingError, selectBand } from '../rating';
import { Allowance, allowanceCovers, takeFromAllowance } from './allowance';
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

/** Places a record, or says why it cannot be rated (no usage price of its type, a tariff error). */
export function placeUsage(t: SubscriberTariff, u: UsageInput): Placement | { reason: string } {
  const price = t.prices[u.usageType];
  if (!price) return { reason: `no ${u.usageType} usage price on subscription ${t.subscriptionId}` };
  try {
    const cycleStart = cycleContaining(localDateOf(u.startTime, t.timeZone), t.billCycleDay).start;
    const band = selectBand(price.rating, eventOf(u, u.quantity), t.timeZone).name;
    const allowance = t.allowances[u.usageType];
    return { cycleStart, price, band, allowance: allowance !== undefined && allowanceCovers(u.usageType, band) ? allowance : undefined };
  } catch (err) {
    if (err instanceof RatingError || err instanceof RangeError) return { reason: err.message };
    throw err;
  }
}

/** Rates a placed record given what its cycle has used of the allowance; the caller adds `allowanceQuantity` to it. */
export function rateWithAllowance(p: Placement, t: SubscriberTariff, u: UsageInput, used: Decimal): RatedRecord {
  const quantity = money(u.quantity);
  const fromAllowance = p.allowance === undefined ? money(0) : takeFromAllowance(quantity, p.allowance, used);
  const overage = quantity.minus(fromAllowance);
  const rated = rateUsage(p.price.rating, eventOf(u, overage.toString()), t.timeZone);
  return {
    cycleStart: p.cycleStart,
    band: p.band,
    priceId: p.price.priceId,
    currency: p.price.currency,
    allowanceQuantity: fromAllowance.toString(),
    overageQuantity: overage.toString(),
    chargedQuantity: rated.chargedQuantity,
    amount: rated.amount,
  };
}
