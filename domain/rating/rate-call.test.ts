import { money } from '../money';
import { fromDecimal, ONE, toDecimal } from '../micros';
import { MAX_CALL_SECONDS, priceEvent, priceEventMicros, rateCall } from './rate-call';
import { selectBand } from './select-band';
import { rateUsage } from './rate';
import { Rating, Slot } from './types';

const perMinute = (rate: string): Slot[] => [
  { start: 0, rate, unit: 60, increment: 60 },
  { start: 60, rate, unit: 60, increment: 1 },
];
/** Pay-as-you-go national calls (seed catalog): 0.12 per minute weekdays 08:00-20:00, 0.06 otherwise. */
const PAYG: Rating = {
  connectFee: '0.00',
  bands: [
    { name: 'national-peak', daysOfWeek: [1, 2, 3, 4, 5], startTime: '08:00', endTime: '20:00', destinationPrefixes: ['+34'], slots: perMinute('0.12') },
    { name: 'national-off-peak', destinationPrefixes: ['+34'], slots: perMinute('0.06') },
    { name: 'international', slots: perMinute('0.60') },
  ],
};
const MADRID = 'Europe/Madrid';
const call = (startTime: string, seconds: string, destination = '+34612345678') => ({ usageType: 'voice' as const, quantity: seconds, startTime: new Date(startTime), destination });

describe('calls across a time-of-day boundary', () => {
  it.each([
    // start (UTC; Madrid is UTC+1 in November), seconds, amount, [band, charged, amount] per part
    ['first minute peak, the rest off-peak (19:59:30 for 121 s)', '2026-11-04T18:59:30Z', '121', '0.181000', [['national-peak', '60', '0.120000'], ['national-off-peak', '61', '0.061000']]],
    ['split on the second at 20:00 (19:58:00 for 180 s)', '2026-11-04T18:58:00Z', '180', '0.300000', [['national-peak', '60', '0.120000'], ['national-peak', '60', '0.120000'], ['national-off-peak', '60', '0.060000']]],
    ['off-peak into peak at 08:00 (07:59:50 for 70 s)', '2026-11-09T06:59:50Z', '70', '0.080000', [['national-off-peak', '60', '0.060000'], ['national-peak', '10', '0.020000']]],
    ['a whole first minute begun in the peak (Fri 19:59:59 for 2 s)', '2026-11-06T18:59:59Z', '2', '0.120000', [['national-peak', '60', '0.120000']]],
  ])('%s', (_, start, seconds, amount, parts) => {
    const rated = rateCall(PAYG, call(start, seconds), MADRID);
    expect(rated.amount).toBe(amount);
    expect(rated.band).toBe(parts[0][0]);
    const expectedCharged = (parts as string[][]).reduce((n, p) => n + Number(p[1]), 0);
    expect(rated.chargedQuantity).toBe(String(expectedCharged));
    if (parts.length > 1) expect(rated.slots.map((s) => [s.band, s.quantity, s.amount])).toEqual(parts);
  });

  it('charges a band entered in the middle of its first minute for what is left of that minute, not a minute more', () => {
    // Per second at peak, the first minute whole off-peak: 19:59:30 for 90 s is 30 s at peak, the
    // 30 s left of the first minute off-peak, then 30 s per second (each band alone: 90 s).
    const mixed: Rating = {
      connectFee: '0',
      bands: [
        { name: 'peak', startTime: '08:00', endTime: '20:00', slots: [{ start: 0, rate: '0.01', unit: 1, increment: 1 }] },
        { name: 'off-peak', slots: [{ start: 0, rate: '0.01', unit: 1, increment: 60 }, { start: 60, rate: '0.01', unit: 1, increment: 1 }] },
      ],
    };
    const rated = rateCall(mixed, { usageType: 'voice', quantity: '90', startTime: new Date('2026-11-04T18:59:30Z') }, MADRID);
    expect(rated.slots.map((x) => [x.band, x.quantity])).toEqual([
      ['peak', '30'],
      ['off-peak', '30'],
      ['off-peak', '30'],
    ]);
    expect([rated.chargedQuantity, rated.amount]).toEqual(['90', '0.900000']);
  });

  it('costs what rateUsage says for a call inside one band, and for SMS and data', () => {
    for (const [start, seconds] of [
      ['2026-11-04T10:00:00Z', '3601'],
      ['2026-11-07T18:59:30Z', '125'],
      ['2026-11-04T18:58:00Z', '120'],
    ]) {
      expect(rateCall(PAYG, call(start, seconds), MADRID)).toEqual(rateUsage(PAYG, call(start, seconds), MADRID));
    }
    const sms = { usageType: 'sms' as const, quantity: '1', startTime: new Date('2026-11-04T18:59:59Z'), destination: '+34612345678' };
    const smsRating: Rating = { connectFee: '0', bands: [{ name: 'any', startTime: '08:00', endTime: '20:00', slots: [{ start: 0, rate: '0.09', unit: 1, increment: 1 }] }, { name: 'night', slots: [{ start: 0, rate: '0.05', unit: 1, increment: 1 }] }] };
    expect(rateCall(smsRating, sms, MADRID)).toEqual(rateUsage(smsRating, sms, MADRID));
  });

  it('follows daylight saving: 20:00 local is 18:00 UTC in summer', () => {
    const rated = rateCall(PAYG, call('2026-07-01T17:59:00Z', '120'), MADRID);
    expect(rated.slots.map((s) => [s.band, s.quantity])).toEqual([
      ['national-peak', '60'],
      ['national-off-peak', '60'],
    ]);
    expect(rated.amount).toBe('0.180000');
  });

  it('is additive: rating a call in two reports costs what rating it whole does', () => {
    const whole = rateCall(PAYG, call('2026-11-04T18:59:30Z', '200'), MADRID);
    const first = rateCall(PAYG, call('2026-11-04T18:59:30Z', '90'), MADRID);
    expect([whole.amount, first.amount]).toEqual(['0.260000', '0.150000']);
    expect(money(whole.amount).minus(first.amount).toFixed(6)).toBe('0.110000');
  });

  it('refuses what rateUsage refuses', () => {
    expect(() => rateCall(PAYG, call('2026-11-04T18:59:30Z', 'ten'), MADRID)).toThrow('not a decimal');
    expect(() => rateCall(PAYG, { ...call('2026-11-04T18:59:30Z', '-1') }, MADRID)).toThrow('negative');
  });
});

describe('priceEventMicros: the total in millionths, as the OCS prices', () => {
  const at = (startTime: string, seconds: bigint) => ({ usageType: 'voice' as const, quantity: seconds * ONE, startTime: new Date(startTime), destination: '+34612345678' });

  it.each([
    // a call inside one band (whole: priced in integers), then calls split at 20:00 and at 08:00
    ['2026-11-04T10:00:00Z', 3601n, 7_202_000n],
    ['2026-11-07T18:59:30Z', 125n, 125_000n],
    ['2026-11-04T18:59:30Z', 121n, 181_000n],
    ['2026-11-09T06:59:50Z', 70n, 80_000n],
    ['2026-11-04T10:00:00Z', 0n, 0n],
  ])('a call at %s of %s s costs %s millionths', (start, seconds, micros) => {
    expect(priceEventMicros(PAYG, at(start, seconds), MADRID)).toBe(micros);
  });

  it('costs what priceEvent does, whole or not, split or not', () => {
    const ratings: Rating[] = [
      PAYG,
      { connectFee: '0.15', bands: [{ name: 'any', slots: perMinute('0.10') }] },
      // Past 6 decimals: the integers cannot hold the rate, the decimal path prices it.
      { connectFee: '0', bands: [{ name: 'any', slots: perMinute('0.1234567') }] },
    ];
    for (const rating of ratings) {
      for (const start of ['2026-11-04T10:00:00Z', '2026-11-04T18:58:30Z', '2026-11-09T06:59:50Z']) {
        for (const micros of [1n, 999_999n, ONE, 59n * ONE, 60n * ONE, 60_500_000n, 61n * ONE, 150n * ONE, 3601n * ONE]) {
          const event = { ...at(start, 0n), quantity: micros };
          expect([start, micros, priceEventMicros(rating, event, MADRID)]).toEqual([start, micros, fromDecimal(priceEvent(rating, { ...event, quantity: toDecimal(micros) }, MADRID).total)]);
        }
      }
    }
    const data: Rating = { connectFee: '0', bands: [{ name: 'any', slots: [{ start: 0, rate: '0.01', unit: 1_048_576, increment: 1024 }] }] };
    const volume = { usageType: 'data' as const, quantity: 10n * 1_073_741_824n * ONE, startTime: new Date('2026-11-04T10:00:00Z') };
    expect(priceEventMicros(data, volume, MADRID)).toBe(102_400_000n);
  });

  it('refuses what priceEvent refuses', () => {
    expect(() => priceEventMicros(PAYG, at('2026-11-04T10:00:00Z', -1n), MADRID)).toThrow('negative');
    const smsWithFee: Rating = { connectFee: '0.10', bands: [{ name: 'any', slots: [{ start: 0, rate: '0.09', unit: 1, increment: 1 }] }] };
    expect(() => priceEventMicros(smsWithFee, { usageType: 'sms', quantity: ONE, startTime: new Date('2026-11-04T10:00:00Z') }, MADRID)).toThrow('connect fee');
  });
});

describe('long calls', () => {
  /** PAYG's price second by second: the first minute whole at the band it begins in, then each second at the band it begins in. */
  const perSecondMicros = (startTime: string, seconds: number): bigint => {
    const start = Date.parse(startTime);
    // Band windows and zone offsets are whole minutes: an instant's band is that of its minute.
    const rateOfMinute = new Map<number, bigint>();
    const perMinute = (ms: number) => {
      const minute = Math.floor(ms / 60_000) * 60_000;
      let rate = rateOfMinute.get(minute);
      if (rate === undefined) rateOfMinute.set(minute, (rate = fromDecimal(money(selectBand(PAYG, { startTime: new Date(minute), destination: '+34612345678' }, MADRID).slots[1].rate))));
      return rate;
    };
    let total = perMinute(start);
    for (let s = 60; s < seconds; s++) total += perMinute(start + s * 1000) / 60n;
    return total;
  };

  it('prices a call of two weeks across a daylight saving change, split at each of its band changes', () => {
    const [start, seconds] = ['2026-10-20T17:00:00.500Z', 14 * 86_400 + 17];
    const expected = perSecondMicros(start, seconds);
    expect(priceEventMicros(PAYG, { ...call(start, ''), quantity: BigInt(seconds) * ONE }, MADRID)).toBe(expected);
    const rated = rateCall(PAYG, call(start, String(seconds)), MADRID);
    expect(fromDecimal(money(rated.amount))).toBe(expected);
    // Peak and off-peak alternate: ten weekdays with a peak each, and the first minute.
    expect(rated.slots.length).toBe(1 + 2 * 10 + 1);
  });

  it(`refuses a call longer than ${MAX_CALL_SECONDS} s (31 days), online and offline`, () => {
    const longest = String(MAX_CALL_SECONDS);
    expect(rateCall(PAYG, call('2026-11-04T18:59:30Z', longest), MADRID).chargedQuantity).toBe(longest);
    for (const seconds of [MAX_CALL_SECONDS + 1, 2 ** 32 - 1]) {
      expect(() => rateCall(PAYG, call('2026-11-04T18:59:30Z', String(seconds)), MADRID)).toThrow(expect.objectContaining({ code: 'invalid-event', message: expect.stringContaining('longer than') }));
      expect(() => priceEventMicros(PAYG, { ...call('2026-11-04T18:59:30Z', ''), quantity: BigInt(seconds) * ONE }, MADRID)).toThrow(expect.objectContaining({ code: 'invalid-event' }));
    }
  });
});
