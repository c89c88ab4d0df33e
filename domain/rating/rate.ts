/**
 * Rating: the price of one usage event under a tariff (`rateUsage`), and its inverse, the quantity
 * an amount of money buys (`rateForBalance`, for the OCS to grant units on a low balance). Exact
 * decimals throughout; amounts keep 6 decimals (half up, per slot) and are rounded to the cent only
 * at the bill line or the balance debit (domain/money roundToCent).
 */
import type Decimal from 'decimal.js';
import { money, Money, sum } from '../money';
import { parseTimeOfDay, selectBand } from './select-band';
import { BalanceGrant, Band, RatedSlot, RatedUsage, Rating, RatingError, Slot, UsageEvent, UsageType } from './types';

/** Decimals kept in a rated amount. */
export const RATED_DECIMALS = 6;

const round6 = (d: Decimal): Decimal => d.toDecimalPlaces(RATED_DECIMALS, Money.ROUND_HALF_UP);
const fixed6 = (d: Decimal): string => round6(d).toFixed(RATED_DECIMALS);

function decimalOf(value: string, what: string, code: RatingError['code']): Decimal {
  try {
    return money(value);
  } catch {
    throw new RatingError(code, `${what} is not a decimal: ${value}`);
  }
}

function throwIfBadSlots(band: Band): void {
  const { name, slots } = band;
  if (slots.length === 0) throw new RatingError('invalid-tariff', `band ${name} has no slots`);
  if (slots[0].start !== 0) throw new RatingError('invalid-tariff', `band ${name}: the first slot must start at 0`);
  slots.forEach((s, i) => {
    if (!Number.isSafeInteger(s.start) || s.start < 0) throw new RatingError('invalid-tariff', `band ${name}: bad slot start ${s.start}`);
    if (i > 0 && s.start <= slots[i - 1].start) throw new RatingError('invalid-tariff', `band ${name}: slot starts must increase`);
    if (!Number.isSafeInteger(s.unit) || s.unit <= 0) throw new RatingError('invalid-tariff', `band ${name}: bad slot unit ${s.unit}`);
    if (!Number.isSafeInteger(s.increment) || s.increment <= 0) throw new RatingError('invalid-tariff', `band ${name}: bad slot increment ${s.increment}`);
    if (decimalOf(s.rate, `band ${name} rate`, 'invalid-tariff').isNegative()) throw new RatingError('invalid-tariff', `band ${name}: negative rate`);
  });
}

/** Throws a RatingError('invalid-tariff') unless every band and slot of the tariff can be applied. */
export function validateRating(rating: Rating): void {
  if (decimalOf(rating.connectFee, 'connect fee', 'invalid-tariff').isNegative()) throw new RatingError('invalid-tariff', 'negative connect fee');
  if (rating.bands.length === 0) throw new RatingError('invalid-tariff', 'a tariff needs at least one band');
  for (const band of rating.bands) {
    throwIfBadSlots(band);
    if (band.daysOfWeek?.some((d) => !Number.isInteger(d) || d < 1 || d > 7)) {
      throw new RatingError('invalid-tariff', `band ${band.name}: days of week are 1 (Monday) to 7 (Sunday)`);
    }
    if (band.startTime !== undefined) parseTimeOfDay(band.startTime);
    if (band.endTime !== undefined) parseTimeOfDay(band.endTime, true);
  }
}

/** The connect fee this event type pays: voice only; a non-zero fee on SMS or data is a tariff error. */
function connectFeeFor(rating: Rating, usageType: UsageType): Decimal {
  const fee = money(rating.connectFee);
  if (usageType === 'voice') return fee;
  if (!fee.isZero()) throw new RatingError('invalid-tariff', `a connect fee applies to voice only, not to ${usageType}`);
  return new Money(0);
}

/** The end of slot `i` (the next slot's start), or null for the last, open-ended slot. */
const slotEnd = (slots: Slot[], i: number): number | null => (i + 1 < slots.length ? slots[i + 1].start : null);

/** The slot's charged quantity for a raw quantity inside it: rounded up to whole increments. */
const roundUpToIncrement = (quantity: Decimal, slot: Slot): Decimal =>
  quantity.dividedBy(slot.increment).toDecimalPlaces(0, Money.ROUND_CEIL).times(slot.increment);

/** The price, 6 decimals, of a charged quantity in a slot. */
const slotAmount = (charged: Decimal, slot: Slot): Decimal => round6(charged.times(money(slot.rate)).dividedBy(slot.unit));

/**
 * Rates one event: connect fee once (voice), then each slot in turn prices the part of the quantity
 * in [slot.start, next slot's start), rounded up to the slot's increment, at rate per unit.
 * A zero quantity (an unanswered call, an empty data report) is not charged, not even the connect fee.
 */
export function rateUsage(rating: Rating, event: UsageEvent, timeZone: string): RatedUsage {
  validateRating(rating);
  const quantity = decimalOf(event.quantity, 'usage quantity', 'invalid-event');
  if (quantity.isNegative()) throw new RatingError('invalid-event', `negative usage quantity: ${event.quantity}`);
  const band = selectBand(rating, event, timeZone);
  if (quantity.isZero()) return { band: band.name, chargedQuantity: '0', amount: fixed6(new Money(0)), slots: [] };

  const connectFee = connectFeeFor(rating, event.usageType);
  const slots: RatedSlot[] = [];
  const charged: Decimal[] = [];
  const amounts: Decimal[] = [];
  band.slots.forEach((slot, i) => {
    const end = slotEnd(band.slots, i);
    const upper = end === null ? quantity : Money.min(quantity, end);
    const inSlot = upper.minus(slot.start);
    if (inSlot.lte(0)) return;
    const chargedInSlot = roundUpToIncrement(inSlot, slot);
    const amount = slotAmount(chargedInSlot, slot);
    charged.push(chargedInSlot);
    amounts.push(amount);
    slots.push({ start: slot.start, quantity: chargedInSlot.toString(), amount: fixed6(amount) });
  });
  return {
    band: band.name,
    chargedQuantity: sum(charged).toString(),
    amount: fixed6(connectFee.plus(sum(amounts))),
    slots,
  };
}

/** The most whole increments of `slot` whose 6-decimal price stays within `budget` (no cap). */
function incrementsWithin(budget: Decimal, slot: Slot): Decimal {
  const perIncrement = money(slot.rate).times(slot.increment).dividedBy(slot.unit);
  const priceOf = (k: Decimal) => slotAmount(k.times(slot.increment), slot);
  // A first guess from the exact division, then corrected against the real (rounded) price.
  let k = budget.dividedBy(perIncrement).toDecimalPlaces(0, Money.ROUND_FLOOR);
  while (k.gt(0) && priceOf(k).gt(budget)) k = k.minus(1);
  while (priceOf(k.plus(1)).lte(budget)) k = k.plus(1);
  return k;
}

/**
 * The largest quantity, in whole increments of each slot, whose price under `rateUsage` does not
 * exceed `available`, for an event of this type, start and destination (its quantity is ignored).
 * `alreadyUsed` (whole units) is what the same event has already been rated for, e.g. the seconds
 * of a call granted so far: the grant continues from there (no second connect fee, a first minute
 * already paid in full is not paid again) and its `amount` is the extra price only.
 * `quantity` is null when the band is free from some point on, so money sets no limit.
 */
export function rateForBalance(
  rating: Rating,
  event: Omit<UsageEvent, 'quantity'>,
  timeZone: string,
  available: string,
  alreadyUsed = '0',
): BalanceGrant {
  validateRating(rating);
  const budget = decimalOf(available, 'available amount', 'invalid-event');
  const used = decimalOf(alreadyUsed, 'quantity already used', 'invalid-event');
  if (used.isNegative() || !used.isInteger()) throw new RatingError('invalid-event', `quantity already used must be a whole number: ${alreadyUsed}`);
  const band = selectBand(rating, event, timeZone);
  const connectFee = used.isZero() ? connectFeeFor(rating, event.usageType) : new Money(0);
  const nothing: BalanceGrant = { band: band.name, quantity: '0', amount: fixed6(new Money(0)) };
  if (budget.isNegative() || connectFee.gt(budget)) return nothing;

  let remaining = budget.minus(connectFee);
  let spent = connectFee;
  for (let i = 0; i < band.slots.length; i++) {
    const slot = band.slots[i];
    const end = slotEnd(band.slots, i);
    if (end !== null && used.gte(end)) continue;
    // What this slot has already charged for the used part (rounded up, so partly prepaid).
    const alreadyCharged = used.gt(slot.start) ? roundUpToIncrement(used.minus(slot.start), slot) : new Money(0);
    const alreadyAmount = slotAmount(alreadyCharged, slot);
    if (end === null && money(slot.rate).isZero()) return { band: band.name, quantity: null, amount: fixed6(spent) };
    if (end !== null) {
      const wholeSlot = slotAmount(roundUpToIncrement(new Money(end - slot.start), slot), slot).minus(alreadyAmount);
      if (wholeSlot.lte(remaining)) {
        remaining = remaining.minus(wholeSlot);
        spent = spent.plus(wholeSlot);
        continue;
      }
    }
    const k = incrementsWithin(remaining.plus(alreadyAmount), slot);
    const reached = new Money(slot.start).plus(k.times(slot.increment));
    const quantity = reached.minus(used);
    // Nothing bought at all (not even the first increment) buys no connect fee either.
    if (quantity.isZero()) return nothing;
    const amount = slotAmount(k.times(slot.increment), slot).minus(alreadyAmount);
    return { band: band.name, quantity: quantity.toString(), amount: fixed6(spent.plus(amount)) };
  }
  throw new Error('unreachable: the last slot is open-ended');
}
