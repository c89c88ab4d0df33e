/**
 * Rating: the price of one usage event under a tariff, in exact decimals (`priceInBand`; calls
 * split across bands in rate-call.ts) and written out as a rating result (`rateUsage`,
 * `formatRated`). Amounts keep 6 decimals (half up, per slot) and are rounded to the cent only at
 * the bill line or the balance debit (domain/money roundToCent).
 */
import type Decimal from 'decimal.js';
import { money, Money, sum } from '../money';
import { parseTimeOfDay, selectBand } from './select-band';
import { Band, RatedSlot, RatedUsage, Rating, RatingError, Slot, UsageEvent, UsageType } from './types';

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

/**
 * Tariffs already found valid. A tariff is data, never changed once loaded (the OCS caches it and
 * rates it several times per credit-control request), so it is checked once, not on every rating.
 */
const validTariffs = new WeakSet<Rating>();

/** Checks the tariff unless this very object has passed before. */
export function validateOnce(rating: Rating): void {
  if (validTariffs.has(rating)) return;
  validateRating(rating);
  validTariffs.add(rating);
}

/** Tariff decimals (rates, fees) parsed once: a tariff has few and every rating reads them. */
const tariffDecimals = new Map<string, Decimal>();
const MAX_TARIFF_DECIMALS = 10_000;

/** A tariff's decimal string as a Decimal (immutable, so one instance serves every rating). */
export function tariffDecimal(value: string): Decimal {
  let d = tariffDecimals.get(value);
  if (d === undefined) {
    d = money(value);
    if (tariffDecimals.size >= MAX_TARIFF_DECIMALS) tariffDecimals.clear();
    tariffDecimals.set(value, d);
  }
  return d;
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
  const fee = tariffDecimal(rating.connectFee);
  if (usageType === 'voice') return fee;
  if (!fee.isZero()) throw new RatingError('invalid-tariff', `a connect fee applies to voice only, not to ${usageType}`);
  return new Money(0);
}

/** The end of slot `i` (the next slot's start), or null for the last, open-ended slot. */
const slotEnd = (slots: Slot[], i: number): number | null => (i + 1 < slots.length ? slots[i + 1].start : null);

/** The slot's charged quantity for a raw quantity inside it: rounded up to whole increments. */
const roundUpToIncrement = (quantity: Decimal, slot: Slot): Decimal =>
  quantity.dividedBy(slot.increment).toDecimalPlaces(0, Money.ROUND_CEIL).times(slot.increment);

/** Below this, whole quantities and the sums of slot bounds and increments stay exact as numbers. */
const MAX_WHOLE = 2 ** 50;

/**
 * The quantity as a number when it is whole (seconds, events and octets nearly always are) and it
 * and the band's increments are small enough; else undefined.
 */
const wholeQuantity = (quantity: Decimal, band: Band): number | undefined =>
  quantity.isInteger() && quantity.lt(MAX_WHOLE) && band.slots.every((s) => s.increment < MAX_WHOLE) ? quantity.toNumber() : undefined;

/**
 * What slot `i` charges of a whole quantity: the part in [start, next start) rounded up to whole
 * increments, in integers (slot bounds and increments are safe integers); 0 when none falls in it.
 * The same as the decimal path, without a decimal made per step: the OCS prices twice a request.
 */
function chargedInSlot(quantity: number, slots: Slot[], i: number): number {
  const slot = slots[i];
  const end = slotEnd(slots, i);
  const inSlot = (end === null ? quantity : Math.min(quantity, end)) - slot.start;
  if (inSlot <= 0) return 0;
  const rest = inSlot % slot.increment;
  return rest === 0 ? inSlot : inSlot + slot.increment - rest;
}

/** The price, 6 decimals, of a charged quantity in a slot. */
const slotAmount = (charged: Decimal, slot: Slot): Decimal => round6(charged.times(tariffDecimal(slot.rate)).dividedBy(slot.unit));

/** Tariff decimals in millionths (null: more than 6 decimals, or too large to multiply as a number). */
const tariffMicros = new Map<string, number | null>();

function microsOf(value: string): number | null {
  let micros = tariffMicros.get(value);
  if (micros === undefined) {
    const scaled = tariffDecimal(value).times(1_000_000);
    micros = scaled.isInteger() && scaled.abs().lt(MAX_WHOLE) ? scaled.toNumber() : null;
    if (tariffMicros.size >= MAX_TARIFF_DECIMALS) tariffMicros.clear();
    tariffMicros.set(value, micros);
  }
  return micros;
}

/**
 * slotAmount of a whole charged quantity in millionths, in integers: charged × rate / unit rounded
 * half up is floor((2 × charged × rate + unit) / (2 × unit)), every term exact below 2^53. Null
 * when the rate has more than 6 decimals or the product is too large (the decimal path prices it).
 */
function slotMicros(charged: number, slot: Slot): number | null {
  const rate = microsOf(slot.rate);
  if (rate === null || slot.unit >= MAX_WHOLE) return null;
  const product = charged * rate;
  if (product > MAX_WHOLE) return null;
  const dividend = 2 * product + slot.unit;
  const divisor = 2 * slot.unit;
  return (dividend - (dividend % divisor)) / divisor;
}

/**
 * The total of a whole quantity in one band in millionths, priced in integers (connect fee and
 * each slot's chargedInSlot and slotMicros), without a decimal made; null when the decimal path
 * must price it (rates past 6 decimals, sums past 2^50). `priceInBand` takes its total from here;
 * the OCS prices several times a request and needs only this.
 */
export function bandTotalMicros(rating: Rating, band: Band, usageType: UsageType, quantity: number): number | null {
  if (quantity === 0) return 0;
  // Refuses a connect fee on SMS or data, as the decimal path does.
  connectFeeFor(rating, usageType);
  if (!Number.isSafeInteger(quantity) || quantity >= MAX_WHOLE || !band.slots.every((s) => s.increment < MAX_WHOLE)) return null;
  let total = usageType === 'voice' ? microsOf(rating.connectFee) : 0;
  for (let i = 0; i < band.slots.length && total !== null; i++) {
    const inSlot = chargedInSlot(quantity, band.slots, i);
    if (inSlot === 0) continue;
    const micros = slotMicros(inSlot, band.slots[i]);
    total = micros === null || total + micros > MAX_WHOLE ? null : total + micros;
  }
  return total;
}

/** Millionths as a decimal (parsed, not divided). */
const fromMicros = (micros: number): Decimal => new Money(`${micros}e-6`);

/** One slot's share of a priced event, exact: the quantity it charged and its amount (6 decimals). */
export interface PricedSlot {
  /** Where the slot's share starts (seconds, events or octets into the event). */
  start: number;
  charged: Decimal;
  amount: Decimal;
  /** The band that priced it. */
  band: Band;
}

/** An event priced in exact decimals: what `rateUsage` and `rateCall` write out, and what the OCS debits. */
export interface PricedUsage {
  /** The band in force when the event began. */
  band: Band;
  slots: PricedSlot[];
  /** Connect fee plus every slot's amount, 6 decimals. */
  total: Decimal;
  /** Whether the event was split across bands (a call crossing a band's time window). */
  split: boolean;
}

/**
 * Prices a quantity in one band: connect fee once (voice), then each slot in turn prices the part
 * of the quantity in [slot.start, next slot's start), rounded up to the slot's increment, at rate
 * per unit. A zero quantity (an unanswered call, an empty data report) is not charged, not even the
 * connect fee.
 */
export function priceInBand(rating: Rating, band: Band, usageType: UsageType, quantity: Decimal): PricedUsage {
  if (quantity.isZero()) return { band, slots: [], total: new Money(0), split: false };
  const connectFee = connectFeeFor(rating, usageType);
  const slots: PricedSlot[] = [];
  const whole = wholeQuantity(quantity, band);
  // The total in millionths when every part can be priced in them (whole quantities, rates of up to 6 decimals).
  const totalMicros = whole === undefined ? null : bandTotalMicros(rating, band, usageType, whole);
  band.slots.forEach((slot, i) => {
    if (whole !== undefined) {
      const inSlot = chargedInSlot(whole, band.slots, i);
      if (inSlot === 0) return;
      const charged = new Money(inSlot);
      const micros = slotMicros(inSlot, slot);
      slots.push({ start: slot.start, charged, amount: micros === null ? slotAmount(charged, slot) : fromMicros(micros), band });
      return;
    }
    const end = slotEnd(band.slots, i);
    const upper = end === null ? quantity : Money.min(quantity, end);
    const inSlot = upper.minus(slot.start);
    if (inSlot.lte(0)) return;
    const charged = roundUpToIncrement(inSlot, slot);
    slots.push({ start: slot.start, charged, amount: slotAmount(charged, slot), band });
  });
  const total = totalMicros === null ? round6(connectFee.plus(sum(slots.map((s) => s.amount)))) : fromMicros(totalMicros);
  return { band, slots, total, split: false };
}

/** The priced event as rating results are written: decimal strings, slots named by band when split. */
export function formatRated(priced: PricedUsage): RatedUsage {
  return {
    band: priced.band.name,
    chargedQuantity: sum(priced.slots.map((s) => s.charged)).toString(),
    amount: fixed6(priced.total),
    slots: priced.slots.map((s): RatedSlot => ({ start: s.start, quantity: s.charged.toString(), amount: fixed6(s.amount), ...(priced.split ? { band: s.band.name } : {}) })),
  };
}

/** Rates one event in the band its start and destination select (see `priceInBand`). */
export function rateUsage(rating: Rating, event: UsageEvent, timeZone: string): RatedUsage {
  validateOnce(rating);
  const quantity = decimalOf(event.quantity, 'usage quantity', 'invalid-event');
  if (quantity.isNegative()) throw new RatingError('invalid-event', `negative usage quantity: ${event.quantity}`);
  return formatRated(priceInBand(rating, selectBand(rating, event, timeZone), event.usageType, quantity));
}
