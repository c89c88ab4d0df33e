/** The seed catalog's usage tariffs are data the rating code accepts and prices as their descriptions say. */
import { catalogSeed } from '../db/seeds/catalog-data';
import { rateUsage, Rating, UsageType, validateRating } from '../domain/rating';

type UsagePrice = { id: string; name: string; priceType: string; usageType?: UsageType; rating?: Rating };
const usagePrices = (catalogSeed.productOfferingPrice as UsagePrice[]).filter((p) => p.priceType === 'usage');
const byName = (name: string): UsagePrice => {
  const price = usagePrices.find((p) => p.name === name);
  if (price?.rating === undefined) throw new Error(`no usage price ${name}`);
  return price;
};
const MADRID = 'Europe/Madrid';

describe('seed usage tariffs', () => {
  it('each has a usage type and a rating the engine accepts', () => {
    expect(usagePrices.length).toBeGreaterThanOrEqual(10);
    for (const p of usagePrices) {
      expect(['voice', 'sms', 'data']).toContain(p.usageType);
      expect(() => validateRating(p.rating as Rating)).not.toThrow();
    }
  });

  it.each([
    // price, destination, start (UTC), quantity, band, amount
    ['Pay-as-you-go calls', '+34612345678', '2026-11-04T11:00:00Z', '61', 'national-peak', '0.122000'],
    ['Pay-as-you-go calls', '+34612345678', '2026-11-07T11:00:00Z', '61', 'national-off-peak', '0.061000'],
    ['Pay-as-you-go calls', '+34900123456', '2026-11-04T11:00:00Z', '600', 'freephone', '0.000000'],
    ['Pay-as-you-go calls', '+34806123456', '2026-11-04T11:00:00Z', '1', 'premium', '0.450000'],
    ['Pay-as-you-go calls', '+447700900123', '2026-11-04T11:00:00Z', '125', 'international', '1.250000'],
    ['Unlimited premium and international calls', '+34612345678', '2026-11-04T11:00:00Z', '3600', 'national', '0.000000'],
    ['Pay-as-you-go SMS', '+34612345678', '2026-11-04T11:00:00Z', '1', 'national', '0.090000'],
    ['Postpaid 20 GB international SMS', '+447700900123', '2026-11-04T11:00:00Z', '1', 'international', '0.300000'],
    ['Pay-as-you-go data', undefined, '2026-11-04T11:00:00Z', '1048577', 'any', '0.030029'],
    ['Prepaid 10 GB out-of-bundle data', undefined, '2026-11-04T11:00:00Z', '10737418240', 'any', '102.400000'],
  ])('%s to %s at %s, %s → %s %s', (name, destination, start, quantity, band, amount) => {
    const price = byName(name);
    const rated = rateUsage(price.rating as Rating, { usageType: price.usageType as UsageType, quantity, startTime: new Date(start), destination }, MADRID);
    expect([rated.band, rated.amount]).toEqual([band, amount]);
  });
});
