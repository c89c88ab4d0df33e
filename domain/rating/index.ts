/** Rating of usage under catalog tariffs: one entry point for online and offline charging. */
export { rateUsage, RATED_DECIMALS, validateRating } from './rate';
export type { PricedSlot, PricedUsage } from './rate';
export { priceEvent, priceEventMicros, rateCall } from './rate-call';
export { localTimeIn, selectBand } from './select-band';
export type { LocalTime } from './select-band';
export { RatingError } from './types';
export type { Band, RatedSlot, RatedUsage, Rating, Slot, UsageEvent, UsageType } from './types';
