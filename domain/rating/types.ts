/**
 * Tariffs as data (the `rating` of a usage ProductOfferingPrice in the catalog) and the shapes of a
 * usage event and of its rated result. Quantities and amounts are decimal strings, never floats.
 */

/** What a usage price rates; the usage unit is seconds for voice, messages for SMS, octets for data. */
export type UsageType = 'voice' | 'sms' | 'data';

/**
 * A rate slot: from `start` (seconds, events or octets into the event) until the next slot's start,
 * the quantity is counted in steps of `increment` (rounded up) and priced at `rate` per `unit`.
 */
export type Slot = { start: number; rate: string; unit: number; increment: number };

/**
 * A band: when and where its slots apply. `daysOfWeek` are ISO weekdays (1 = Monday … 7 = Sunday),
 * `startTime`/`endTime` local 'HH:MM' (start inclusive, end exclusive, '24:00' allowed as an end;
 * a start after the end wraps past midnight). Absent fields match everything.
 */
export type Band = {
  name: string;
  daysOfWeek?: number[];
  startTime?: string;
  endTime?: string;
  destinationPrefixes?: string[];
  slots: Slot[];
};

/** A tariff: a connect fee (voice only) and bands tried in order, the first match wins. */
export type Rating = { connectFee: string; bands: Band[] };

/** One event to rate: a call, a message or a volume of data, at the instant it started. */
export type UsageEvent = {
  usageType: UsageType;
  /** Seconds, events or octets, as a decimal string. */
  quantity: string;
  startTime: Date;
  /** E.164 (e.g. +34600123456); needed for voice and SMS bands with prefixes. */
  destination?: string;
};

/** What one slot of a band contributed to a rated event (`band` named when a call was split across bands). */
export type RatedSlot = { start: number; quantity: string; amount: string; band?: string };

/** The price of one event, before rounding to the cent (6 decimals, half up). */
export type RatedUsage = {
  band: string;
  /** The quantity charged, after each slot's rounding up to its increment. */
  chargedQuantity: string;
  /** Connect fee plus every slot's amount, with 6 decimals. */
  amount: string;
  slots: RatedSlot[];
};

/** A tariff that cannot be applied, or an event it cannot rate. */
export class RatingError extends Error {
  constructor(
    readonly code: 'invalid-tariff' | 'invalid-event' | 'no-band',
    message: string,
  ) {
    super(message);
    this.name = 'RatingError';
  }
}
