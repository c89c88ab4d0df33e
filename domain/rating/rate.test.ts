import { rateUsage, validateRating } from './rate';
import { Rating, RatingError, Slot, UsageEvent, UsageType } from './types';

// Tariffs of the seed catalog (db/seeds/catalog-data.ts), copied as data: domain/ imports only domain/.
const MB = 1_048_576;
const perMinute = (rate: string): Slot[] => [
  { start: 0, rate, unit: 60, increment: 60 },
  { start: 60, rate, unit: 60, increment: 1 },
];
const perSms = (rate: string): Slot[] => [{ start: 0, rate, unit: 1, increment: 1 }];
const perMb = (rate: string): Slot[] => [{ start: 0, rate, unit: MB, increment: 1024 }];
const FREEPHONE = ['+34800', '+34900'];
const PREMIUM = ['+3490', '+34803', '+34806', '+34807'];

/** Prepaid 10 GB out-of-bundle calls: national 0.10, premium 0.45, international 0.60 per minute. */
const PREPAID_VOICE: Rating = {
  connectFee: '0.00',
  bands: [
    { name: 'freephone', destinationPrefixes: FREEPHONE, slots: perMinute('0.00') },
    { name: 'premium', destinationPrefixes: PREMIUM, slots: perMinute('0.45') },
    { name: 'national', destinationPrefixes: ['+34'], slots: perMinute('0.10') },
    { name: 'international', slots: perMinute('0.60') },
  ],
};
/** Pay-as-you-go calls: national 0.12 weekdays 08:00-20:00, 0.06 otherwise. */
const PAYG_VOICE: Rating = {
  connectFee: '0.00',
  bands: [
    PREPAID_VOICE.bands[0],
    PREPAID_VOICE.bands[1],
    { name: 'national-peak', daysOfWeek: [1, 2, 3, 4, 5], startTime: '08:00', endTime: '20:00', destinationPrefixes: ['+34'], slots: perMinute('0.12') },
    { name: 'national-off-peak', destinationPrefixes: ['+34'], slots: perMinute('0.06') },
    { name: 'international', slots: perMinute('0.60') },
  ],
};
const PAYG_SMS: Rating = {
  connectFee: '0.00',
  bands: [
    { name: 'national', destinationPrefixes: ['+34'], slots: perSms('0.09') },
    { name: 'international', slots: perSms('0.30') },
  ],
};
const UNLIMITED_SMS: Rating = { connectFee: '0.00', bands: [{ ...PAYG_SMS.bands[0], slots: perSms('0.00') }, PAYG_SMS.bands[1]] };
const DATA_001: Rating = { connectFee: '0.00', bands: [{ name: 'any', slots: perMb('0.01') }] };
const DATA_003: Rating = { connectFee: '0.00', bands: [{ name: 'any', slots: perMb('0.03') }] };
/** Not in the seed: a voice tariff with a connect fee, 0.15 per call then 0.10 per minute. */
const CONNECT_FEE_VOICE: Rating = { connectFee: '0.15', bands: [{ name: 'any', slots: perMinute('0.10') }] };

const MADRID = 'Europe/Madrid';
const WEEKDAY_NOON = new Date('2026-11-04T11:00:00Z'); // Wednesday 12:00 CET
const SATURDAY_NOON = new Date('2026-11-07T11:00:00Z');
const NATIONAL = '+34612345678';
const UK = '+447700900123';

const event = (usageType: UsageType, quantity: string, destination?: string, startTime = WEEKDAY_NOON): UsageEvent => ({
  usageType,
  quantity,
  startTime,
  destination,
});

describe('rateUsage: voice, first minute in full then per second', () => {
  it.each([
    // quantity, charged, amount, slots [start, quantity, amount]
    ['1', '60', '0.100000', [[0, '60', '0.100000']]],
    ['59', '60', '0.100000', [[0, '60', '0.100000']]],
    ['60', '60', '0.100000', [[0, '60', '0.100000']]],
    ['61', '61', '0.101667', [[0, '60', '0.100000'], [60, '1', '0.001667']]], // 0.10/60 = 0.0016666…
    ['90.5', '91', '0.151667', [[0, '60', '0.100000'], [60, '31', '0.051667']]], // a part second counts whole
    ['150', '150', '0.250000', [[0, '60', '0.100000'], [60, '90', '0.150000']]],
    ['3600', '3600', '6.000000', [[0, '60', '0.100000'], [60, '3540', '5.900000']]],
  ])('%s s national → %s s charged, %s EUR', (quantity, charged, amount, slots) => {
    const rated = rateUsage(PREPAID_VOICE, event('voice', quantity, NATIONAL), MADRID);
    expect(rated).toEqual({
      band: 'national',
      chargedQuantity: charged,
      amount,
      slots: slots.map(([start, q, a]) => ({ start, quantity: q, amount: a })),
    });
  });

  it('does not charge a zero-second call, not even the connect fee', () => {
    expect(rateUsage(PREPAID_VOICE, event('voice', '0', NATIONAL), MADRID)).toEqual({ band: 'national', chargedQuantity: '0', amount: '0.000000', slots: [] });
    expect(rateUsage(CONNECT_FEE_VOICE, event('voice', '0', NATIONAL), MADRID).amount).toBe('0.000000');
  });

  it.each([
    ['+34900123456', '120', 'freephone', '0.000000'],
    ['+34800123456', '3600', 'freephone', '0.000000'],
    ['+34806123456', '61', 'premium', '0.457500'], // 0.45 + 0.45/60
    ['+34901123456', '30', 'premium', '0.450000'],
    [NATIONAL, '125', 'national', '0.208333'], // 0.10 + 65 × 0.10/60 = 0.2083333…
    [UK, '125', 'international', '1.250000'], // 0.60 + 65 × 0.01
    [UK, '1', 'international', '0.600000'],
  ])('%s for %s s is %s at %s EUR', (destination, quantity, band, amount) => {
    const rated = rateUsage(PREPAID_VOICE, event('voice', quantity, destination), MADRID);
    expect([rated.band, rated.amount]).toEqual([band, amount]);
  });

  it.each([
    [WEEKDAY_NOON, 'national-peak', '0.122000'], // 0.12 + 0.12/60
    [new Date('2026-11-04T19:00:00Z'), 'national-off-peak', '0.061000'], // Wed 20:00 CET
    [SATURDAY_NOON, 'national-off-peak', '0.061000'],
  ])('a 61 s national call at %s is %s, %s EUR', (startTime, band, amount) => {
    const rated = rateUsage(PAYG_VOICE, event('voice', '61', NATIONAL, startTime), MADRID);
    expect([rated.band, rated.amount]).toEqual([band, amount]);
  });

  it('rates the whole call in the band of its start, even when it runs past the boundary', () => {
    // Friday 19:59 CET, a 10 minute call: all at peak.
    const rated = rateUsage(PAYG_VOICE, event('voice', '600', NATIONAL, new Date('2026-11-06T18:59:00Z')), MADRID);
    expect([rated.band, rated.amount]).toEqual(['national-peak', '1.200000']);
  });

  it('adds the connect fee once per call', () => {
    expect(rateUsage(CONNECT_FEE_VOICE, event('voice', '1', NATIONAL), MADRID).amount).toBe('0.250000');
    expect(rateUsage(CONNECT_FEE_VOICE, event('voice', '61', NATIONAL), MADRID).amount).toBe('0.251667');
    expect(rateUsage(CONNECT_FEE_VOICE, event('voice', '3600', NATIONAL), MADRID).amount).toBe('6.150000');
  });
});

describe('rateUsage: SMS per message', () => {
  it.each([
    [PAYG_SMS, NATIONAL, '1', 'national', '0.090000'],
    [PAYG_SMS, NATIONAL, '3', 'national', '0.270000'], // a three-part message
    [PAYG_SMS, UK, '1', 'international', '0.300000'],
    [PAYG_SMS, '+34900123456', '1', 'national', '0.090000'], // no freephone band for SMS
    [UNLIMITED_SMS, NATIONAL, '1', 'national', '0.000000'],
    [UNLIMITED_SMS, UK, '2', 'international', '0.600000'],
  ])('%#: to %s, %s message(s) → %s %s EUR', (rating, destination, quantity, band, amount) => {
    const rated = rateUsage(rating, event('sms', quantity, destination), MADRID);
    expect([rated.band, rated.chargedQuantity, rated.amount]).toEqual([band, quantity, amount]);
  });
});

describe('rateUsage: data per MB in 1 KB steps', () => {
  it.each([
    [DATA_001, '1', '1024', '0.000010'], // 0.01 × 1024 / 1048576 = 0.000009765625
    [DATA_001, '1024', '1024', '0.000010'],
    [DATA_001, '1025', '2048', '0.000020'], // 0.00001953125
    [DATA_001, String(MB), String(MB), '0.010000'],
    [DATA_001, String(MB + 1), '1049600', '0.010010'], // 0.010009765625
    [DATA_001, '10737418240', '10737418240', '102.400000'], // 10 GB = 10240 MB
    [DATA_003, String(MB + 1), '1049600', '0.030029'], // 0.030029296875
    [DATA_003, '1', '1024', '0.000029'],
    [DATA_003, '0', '0', '0.000000'],
  ])('%#: %s octets → %s charged, %s EUR', (rating, quantity, charged, amount) => {
    const rated = rateUsage(rating, event('data', quantity), MADRID);
    expect([rated.band, rated.chargedQuantity, rated.amount]).toEqual(['any', charged, amount]);
  });
});

describe('rateUsage: what it refuses', () => {
  const code = (fn: () => unknown): string | undefined => {
    try {
      fn();
    } catch (e) {
      if (e instanceof RatingError) return e.code;
      throw e;
    }
    return undefined;
  };
  const band = PREPAID_VOICE.bands[3];

  it.each([
    ['a negative quantity', PREPAID_VOICE, event('voice', '-1', NATIONAL), 'invalid-event'],
    ['a quantity that is not a number', PREPAID_VOICE, event('voice', 'ten', NATIONAL), 'invalid-event'],
    ['a connect fee on SMS', { ...PAYG_SMS, connectFee: '0.05' }, event('sms', '1', NATIONAL), 'invalid-tariff'],
    ['no bands', { connectFee: '0', bands: [] }, event('voice', '1', NATIONAL), 'invalid-tariff'],
    ['a band without slots', { connectFee: '0', bands: [{ ...band, slots: [] }] }, event('voice', '1', NATIONAL), 'invalid-tariff'],
    ['a first slot after 0', { connectFee: '0', bands: [{ ...band, slots: [{ start: 1, rate: '1', unit: 1, increment: 1 }] }] }, event('voice', '1'), 'invalid-tariff'],
    ['slots out of order', { connectFee: '0', bands: [{ ...band, slots: [...perMinute('1'), { start: 30, rate: '1', unit: 1, increment: 1 }] }] }, event('voice', '1'), 'invalid-tariff'],
    ['a zero increment', { connectFee: '0', bands: [{ ...band, slots: [{ start: 0, rate: '1', unit: 1, increment: 0 }] }] }, event('voice', '1'), 'invalid-tariff'],
    ['a zero unit', { connectFee: '0', bands: [{ ...band, slots: [{ start: 0, rate: '1', unit: 0, increment: 1 }] }] }, event('voice', '1'), 'invalid-tariff'],
    ['a rate that is not a decimal', { connectFee: '0', bands: [{ ...band, slots: perMinute('0,10') }] }, event('voice', '1'), 'invalid-tariff'],
    ['a negative rate', { connectFee: '0', bands: [{ ...band, slots: perMinute('-0.10') }] }, event('voice', '1'), 'invalid-tariff'],
    ['day 0', { connectFee: '0', bands: [{ ...band, daysOfWeek: [0] }] }, event('voice', '1'), 'invalid-tariff'],
    ['no band for the destination', { connectFee: '0', bands: [PREPAID_VOICE.bands[2]] }, event('voice', '1', UK), 'no-band'],
  ] as Array<[string, Rating, UsageEvent, string]>)('refuses %s', (_what, rating, ev, expected) => {
    expect(code(() => rateUsage(rating, ev, MADRID))).toBe(expected);
  });

  it('accepts every seed tariff copied here', () => {
    for (const r of [PREPAID_VOICE, PAYG_VOICE, PAYG_SMS, UNLIMITED_SMS, DATA_001, DATA_003, CONNECT_FEE_VOICE]) expect(() => validateRating(r)).not.toThrow();
  });
});

describe('whole quantities (priced in integers) against the decimal path', () => {
  // A whole quantity q and q − 0.0000001 charge the same once rounded up to whole increments, so
  // each whole quantity must cost what the decimal path makes of the quantity just below it.
  const cases: Array<[string, Rating, UsageType]> = [
    ['first minute whole, then per second, with a connect fee', CONNECT_FEE_VOICE, 'voice'],
    ['per KB of a per-MB rate', DATA_001, 'data'],
    ['per event', PAYG_SMS, 'sms'],
  ];
  it.each(cases)('%s', (_, rating, usageType) => {
    const quantities = usageType === 'data' ? [1, 1023, 1024, 1025, 2047, 3 * MB + 5, 7 * MB] : [1, 2, 59, 60, 61, 119, 120, 121, 240, 3599, 3601];
    for (const q of quantities) {
      const event = (quantity: string): UsageEvent => ({ usageType, quantity, startTime: WEEKDAY_NOON, destination: NATIONAL });
      expect(rateUsage(rating, event(String(q)), MADRID)).toEqual(rateUsage(rating, event(`${q - 1}.9999999`), MADRID));
    }
  });
});
