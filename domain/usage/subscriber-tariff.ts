/**
 * What offline rating needs of a postpaid subscription: its account's cycle day and time zone, the
 * usage prices it was sold (tariffs as data) and its allowances per cycle.
 */
import type { Rating, UsageType } from '../rating';
import type { Allowance } from './allowance';

/** A usage price as sold: the catalog price id and its tariff. */
export interface SoldUsagePrice {
  priceId: string;
  version: string;
  rating: Rating;
  currency: string;
}

/** The rating context of one number. */
export interface SubscriberTariff {
  subscriptionId: string;
  billingAccountId: string;
  msisdn: string;
  timeZone: string;
  billCycleDay: number;
  prices: Partial<Record<UsageType, SoldUsagePrice>>;
  allowances: Partial<Record<UsageType, Allowance>>;
}

type PriceLike = { id?: unknown; version?: unknown; priceType?: unknown; usageType?: unknown; rating?: unknown; currency?: unknown };
type AllowancesLike = { dataOctets?: string; voiceSeconds?: string; smsEvents?: string };

/** The usage prices among a subscription's sold prices, by usage type (the first of each type). */
export function usagePricesOf(prices: unknown[], defaultCurrency: string): SubscriberTariff['prices'] {
  const byType: SubscriberTariff['prices'] = {};
  for (const p of prices as PriceLike[]) {
    if (p.priceType !== 'usage' || typeof p.usageType !== 'string' || !p.rating) continue;
    const type = p.usageType as UsageType;
    byType[type] ??= { priceId: String(p.id), version: String(p.version ?? '1.0'), rating: p.rating as Rating, currency: typeof p.currency === 'string' ? p.currency : defaultCurrency };
  }
  return byType;
}

/** A subscription's allowances (octets, seconds, events) by usage type. */
export function allowancesOf(stored: AllowancesLike | null | undefined): SubscriberTariff['allowances'] {
  const a: SubscriberTariff['allowances'] = {};
  if (stored?.dataOctets) a.data = stored.dataOctets;
  if (stored?.voiceSeconds) a.voice = stored.voiceSeconds;
  if (stored?.smsEvents) a.sms = stored.smsEvents;
  return a;
}
