/**
 * Rating a call that crosses a time-of-day boundary (peak to off-peak at 20:00, a weekday into the
 * weekend): the call is split at the boundary. Each charged increment is priced by the band in
 * force at the instant it begins, at the slot of that band its position in the call falls in; so
 * the first minute paid in full at 19:59:30 is a peak minute, and the seconds after 20:00:30 are
 * off-peak. A call inside one band costs exactly what `rateUsage` says. Online and offline
 * charging both rate calls here, so the same call costs the same.
 */
import type Decimal from 'decimal.js';
import { money, Money, sum } from '../money';
import { fromDecimal, ONE, toDecimal, type Micros } from '../micros';
import { bandTotalMicros, formatRated, priceInBand, RATED_DECIMALS, tariffDecimal, validateOnce, type PricedSlot, type PricedUsage } from './rate';
import { BandTimeline, selectBand } from './select-band';
import { Band, RatedUsage, Rating, RatingError, UsageEvent } from './types';

const round6 = (d: Decimal): Decimal => d.toDecimalPlaces(RATED_DECIMALS, Money.ROUND_HALF_UP);

/** A stretch of the call, from `from` seconds in, during which one band applies. */
type Segment = { from: number; band: Band };

const hasTimeWindows = (rating: Rating): boolean => rating.bands.some((b) => b.daysOfWeek !== undefined || b.startTime !== undefined || b.endTime !== undefined);

/** The bands in force over the call: checked at each instant one may change (a window edge, midnight, an offset change). */
function segmentsOf(rating: Rating, event: { startTime: Date; destination?: string }, timeZone: string, end: number): Segment[] {
  const startMs = event.startTime.getTime();
  const timeline = new BandTimeline(rating, event.destination, timeZone);
  const segments: Segment[] = [{ from: 0, band: timeline.at(startMs) }];
  for (let edge = timeline.nextEdge(startMs); (edge - startMs) / 1000 < end; edge = timeline.nextEdge(edge)) {
    const band = timeline.at(edge);
    if (band !== segments[segments.length - 1].band) segments.push({ from: (edge - startMs) / 1000, band });
  }
  return segments;
}

/**
 * The longest call priced, in seconds (31 days): switches cut long calls into partial records of
 * hours, so a longer one is a bad record or a bad request, and a call is checked at each of its band
 * changes, so a nonsense duration (CC-Time is 32 bits: 136 years) must not hold the rater for seconds.
 */
export const MAX_CALL_SECONDS = 31 * 86_400;
const MAX_CALL_MICROS = BigInt(MAX_CALL_SECONDS) * ONE;

const tooLong = (seconds: string): RatingError => new RatingError('invalid-event', `a call of ${seconds} s is longer than the ${MAX_CALL_SECONDS} s (31 days) rated`);

/** An event to price with its quantity already a decimal. */
export type DecimalUsageEvent = Omit<UsageEvent, 'quantity'> & { quantity: Decimal };

/** Prices a call split at the band boundaries of its segments (two or more). */
function priceSplit(rating: Rating, segments: Segment[], quantity: Decimal): PricedUsage {
  const slots: PricedSlot[] = [];
  let position = new Money(0);
  let s = 0; // the segment `position` lies in: positions only grow, so it is never searched again from the start
  while (position.lt(quantity)) {
    while (s + 1 < segments.length && position.gte(segments[s + 1].from)) s++;
    const band = segments[s].band;
    let i = 0;
    while (i + 1 < band.slots.length && position.gte(band.slots[i + 1].start)) i++;
    const slot = band.slots[i];
    const slotEnd = i + 1 < band.slots.length ? new Money(band.slots[i + 1].start) : null;
    const segmentEnd = s + 1 < segments.length ? new Money(segments[s + 1].from) : null;
    const limit = Money.min(quantity, ...[slotEnd, segmentEnd].filter((d): d is Decimal => d !== null));
    // Increments that begin before the limit, each whole, on the slot's own grid (from its start):
    // a band entered in the middle of one of its increments (the call's first minute began in the
    // band before) charges what is left of that increment, not a whole one more.
    const increment = new Money(slot.increment);
    const onGrid = position.minus(slot.start).dividedBy(increment).floor().times(increment).plus(slot.start);
    const steps = limit.minus(onGrid).dividedBy(increment).toDecimalPlaces(0, Money.ROUND_CEIL);
    const charged = onGrid.plus(steps.times(increment)).minus(position);
    const amount = round6(charged.times(tariffDecimal(slot.rate)).dividedBy(slot.unit));
    slots.push({ start: position.toNumber(), charged, amount, band });
    // A slot that ends first hands over at its own end (as priceInBand does); otherwise the
    // increment that straddles the band boundary has been paid whole and the next one follows it.
    position = slotEnd !== null && limit.eq(slotEnd) ? slotEnd : position.plus(charged);
  }
  return { band: segments[0].band, slots, total: round6(tariffDecimal(rating.connectFee).plus(sum(slots.map((x) => x.amount)))), split: true };
}

/**
 * Prices a usage event as `rateUsage` does, except that a call (voice) crossing a band's time
 * window is split at the boundary; SMS and data volumes happen at one instant and are priced in
 * one band. Exact decimals, nothing written out: the OCS prices with this several times a request.
 */
export function priceEvent(rating: Rating, event: DecimalUsageEvent, timeZone: string): PricedUsage {
  validateOnce(rating);
  const { quantity } = event;
  if (quantity.isNegative()) throw new RatingError('invalid-event', `negative usage quantity: ${quantity.toString()}`);
  if (event.usageType === 'voice' && quantity.gt(MAX_CALL_SECONDS)) throw tooLong(quantity.toString());
  if (event.usageType === 'voice' && quantity.gt(0) && hasTimeWindows(rating)) {
    const segments = segmentsOf(rating, event, timeZone, quantity.toNumber());
    if (segments.length > 1) return priceSplit(rating, segments, quantity);
    return priceInBand(rating, segments[0].band, event.usageType, quantity);
  }
  return priceInBand(rating, selectBand(rating, event, timeZone), event.usageType, quantity);
}

/** Whole quantities below this (in millionths) are counted as numbers. */
const MAX_WHOLE_MICROS = 2n ** 50n * ONE;

/** An event to price with its quantity in millionths. */
export type MicrosUsageEvent = Omit<UsageEvent, 'quantity'> & { quantity: Micros };

/**
 * `priceEvent`'s total in millionths. A whole quantity in one band (a call inside one time window,
 * an SMS, a data volume: nearly every event) is priced in integers (bandTotalMicros) without a
 * decimal made; a split call, a fractional quantity or a tariff the integers cannot hold goes
 * through `priceEvent`. The OCS prices with this several times a request.
 */
export function priceEventMicros(rating: Rating, event: MicrosUsageEvent, timeZone: string): Micros {
  validateOnce(rating);
  const { quantity } = event;
  if (quantity < 0n) throw new RatingError('invalid-event', `negative usage quantity: ${quantity}e-6`);
  if (event.usageType === 'voice' && quantity > MAX_CALL_MICROS) throw tooLong(toDecimal(quantity).toString());
  if (quantity % ONE === 0n && quantity < MAX_WHOLE_MICROS) {
    const whole = Number(quantity / ONE);
    let band: Band | undefined;
    if (event.usageType === 'voice' && whole > 0 && hasTimeWindows(rating)) {
      const segments = segmentsOf(rating, event, timeZone, whole);
      band = segments.length === 1 ? segments[0].band : undefined;
    } else band = selectBand(rating, event, timeZone);
    const total = band && bandTotalMicros(rating, band, event.usageType, whole);
    if (typeof total === 'number') return BigInt(total);
  }
  return fromDecimal(priceEvent(rating, { ...event, quantity: toDecimal(quantity) }, timeZone).total);
}

/** Rates a usage event (see `priceEvent`); each slot of a split call names the band that priced it. */
export function rateCall(rating: Rating, event: UsageEvent, timeZone: string): RatedUsage {
  validateOnce(rating);
  let quantity: Decimal;
  try {
    quantity = money(event.quantity);
  } catch {
    throw new RatingError('invalid-event', `usage quantity is not a decimal: ${event.quantity}`);
  }
  return formatRated(priceEvent(rating, { ...event, quantity }, timeZone));
}
