import type { Rating, Slot } from '../rating';
import { placeUsage, rateWithAllowance, type Placement } from './rate-record';
import type { SubscriberTariff } from './subscriber-tariff';
import type { UsageInput } from './usage-input';

const perMinute = (rate: string): Slot[] => [
  { start: 0, rate, unit: 60, increment: 60 },
  { start: 60, rate, unit: 60, increment: 1 },
];
const VOICE: Rating = {
  connectFee: '0.00',
  bands: [
    { name: 'national-peak', daysOfWeek: [1, 2, 3, 4, 5], startTime: '08:00', endTime: '20:00', destinationPrefixes: ['+34'], slots: perMinute('0.12') },
    { name: 'national-off-peak', destinationPrefixes: ['+34'], slots: perMinute('0.06') },
    { name: 'international', slots: perMinute('0.60') },
  ],
};
const tariff: SubscriberTariff = {
  subscriptionId: 's1',
  billingAccountId: 'a1',
  msisdn: '+34600000001',
  timeZone: 'Europe/Madrid',
  billCycleDay: 17,
  prices: { voice: { priceId: 'p-voice', version: '1.0', rating: VOICE, currency: 'EUR' } },
  allowances: { voice: '600' },
};
const call = (startTime: string, quantity: string, destination = '+34612345678'): UsageInput => ({ source: 's', recordId: 'r', msisdn: '+34600000001', usageType: 'voice', startTime: new Date(startTime), quantity, destination });

describe('offline rating of a record', () => {
  it('places a record in the cycle of its local date, in its band, with the allowance that covers it', () => {
    expect(placeUsage(tariff, call('2026-11-16T22:59:59Z', '1'))).toMatchObject({ cycleStart: '2026-10-17', band: 'national-off-peak', allowance: '600' });
    expect(placeUsage(tariff, call('2026-11-16T23:00:00Z', '1'))).toMatchObject({ cycleStart: '2026-11-17', band: 'national-off-peak', allowance: '600' });
    expect(placeUsage(tariff, call('2026-11-17T10:00:00Z', '1', '+441632960000'))).toMatchObject({ band: 'international', allowance: undefined });
    expect(placeUsage(tariff, { ...call('2026-11-17T10:00:00Z', '1'), usageType: 'data' })).toEqual({ reason: 'no data usage price on subscription s1' });
  });

  it('uses the allowance first; the overage is the tail of the call, split where the peak ends', () => {
    // 19:58:30 Madrid on a Wednesday, 210 s, 90 s of allowance left: free until 20:00:00, then 120 s off-peak.
    const u = call('2026-11-18T18:58:30Z', '210');
    const p = placeUsage(tariff, u) as Placement;
    expect(rateWithAllowance(p, tariff, u, '510')).toEqual({
      cycleStart: '2026-11-17',
      band: 'national-peak',
      priceId: 'p-voice',
      currency: 'EUR',
      allowanceQuantity: '90',
      overageQuantity: '120',
      chargedQuantity: '120',
      amount: '0.120000',
    });
    // 30 s left: the overage starts at 19:59:00, its first minute paid whole at peak (0.12), then 120 s off-peak (0.12).
    expect(rateWithAllowance(p, tariff, u, '570')).toMatchObject({ allowanceQuantity: '30', overageQuantity: '180', chargedQuantity: '180', amount: '0.240000' });
    // Nothing left: the first minute at peak (0.12), 30 s at peak (0.06), 120 s off-peak (0.12).
    expect(rateWithAllowance(p, tariff, u, '600')).toMatchObject({ allowanceQuantity: '0', overageQuantity: '210', chargedQuantity: '210', amount: '0.300000' });
    // All of it free.
    expect(rateWithAllowance(p, tariff, u, '0')).toMatchObject({ allowanceQuantity: '210', overageQuantity: '0', chargedQuantity: '0', amount: '0.000000' });
  });
});
