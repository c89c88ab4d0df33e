/** The seeded random helpers the money of a history is drawn with (db/seeds/history seeded). */
import { seeded } from '../../db/seeds/history';

export type Random = ReturnType<typeof seeded>;

/** A whole number in [lo, hi]. */
export const whole = (rnd: Random, lo: number, hi: number): number => Math.floor(rnd.between(lo, hi + 1));

/** Instants spread at random over [from, to), in order. */
export function instantsBetween(rnd: Random, count: number, from: number, to: number): number[] {
  return Array.from({ length: count }, () => Math.floor(rnd.between(from, to))).sort((a, b) => a - b);
}

/** A number to call or text: mostly national mobiles and landlines, sometimes abroad. */
export function destination(rnd: Random, abroad: number): string {
  if (rnd.chance(abroad)) return rnd.pick([['+4420', 3], ['+331', 2], ['+4930', 2], ['+1212', 1]]) + String(whole(rnd, 1_000_000, 9_999_999));
  return rnd.pick([['+346', 6], ['+349', 3], ['+347', 1]]) + String(whole(rnd, 10_000_000, 99_999_999));
}
