import type { SoldPrice } from '../ordering/plan';
import { computeBill, type BillableSubscription, type BillInput, type PendingCharge, type RatedUsage } from './bill';

// Prices as the catalog seed sells them (db/seeds/catalog-data.ts).
const monthly = (id: string, name: string, amount: string): SoldPrice => ({ id, version: '1.0', name, priceType: 'recurring', amount, currency: 'EUR', taxRate: '21', period: { type: 'month', length: 1 } });
const POSTPAID20 = monthly('p20', 'Postpaid 20 GB monthly fee', '25.00');
const UNLIMITED = monthly('unl', 'Postpaid unlimited monthly fee', '45.00');
const FIBRE = monthly('ftth', 'Fibre 1 Gbps monthly fee', '35.00');
const P20_DATA: SoldPrice = { id: 'p20-data', version: '1.0', name: 'Postpaid 20 GB out-of-bundle data', priceType: 'usage', currency: 'EUR', taxRate: '21' };
const BUNDLE_DISCOUNT: SoldPrice = { id: 'fm15', version: '1.0', name: 'Fibre + Mobile 15% discount', priceType: 'discount', percentage: '15', taxRate: '21', period: { type: 'month', length: 1 }, discounts: ['ftth', 'p20'] };

const NOV_2026 = { start: '2026-11-01', end: '2026-12-01' }; // 30 days
const DEC_2026 = { start: '2026-12-01', end: '2027-01-01' }; // 31 days

function sub(fields: Partial<BillableSubscription> & Pick<BillableSubscription, 'id' | 'startDate' | 'prices'>): BillableSubscription {
  return { orderId: `order-${fields.id}`, productKey: 'item-1', offeringId: 'offering', status: 'active', endDate: null, ...fields };
}

function bill(input: Partial<BillInput> & Pick<BillInput, 'cycle'>) {
  return computeBill({ currency: 'EUR', subscriptions: [], oneTimeCharges: [], usage: [], previousBalance: '0.00', periodEntries: [], issueDate: input.cycle.end, dueDays: 14, defaultTaxRate: '21', ...input });
}

const amounts = (b: ReturnType<typeof bill>) => b.lines.map((l) => [l.kind, l.net, l.tax, l.gross]);

describe('golden bills', () => {
  it('activation on the 17th of a 30-day month: 14 of 30 days, and the SIM fee', () => {
    const sim: PendingCharge = { id: 'otc-1', productKey: 'item-1', priceId: 'sim', description: 'SIM card fee', net: '5.00', tax: '1.05', taxRate: '21.000', currency: 'EUR' };
    const b = bill({ cycle: NOV_2026, subscriptions: [sub({ id: 's1', startDate: '2026-11-17', prices: [POSTPAID20, P20_DATA] })], oneTimeCharges: [sim] });
    expect(amounts(b)).toEqual([
      ['recurring', '11.67', '2.45', '14.12'], // 25.00 × 14/30 = 11.666… ; tax 2.4507
      ['oneTime', '5.00', '1.05', '6.05'],
    ]);
    expect(b.lines[0]).toMatchObject({ periodStart: '2026-11-17', periodEnd: '2026-12-01', days: 14, cycleDays: 30, subscriptionId: 's1', priceId: 'p20' });
    expect(b.lines[1]).toMatchObject({ oneTimeChargeId: 'otc-1', subscriptionId: 's1', taxRate: '21' });
    expect(b.totals).toEqual({ net: '16.67', tax: '3.50', charges: '20.17', previousBalance: '0.00', payments: '0.00', adjustments: '0.00', amountDue: '20.17' });
    expect(b.taxes).toEqual([{ taxRate: '21', net: '16.67', tax: '3.50' }]);
    expect(b.dueDate).toBe('2026-12-15');
  });

  it('plan upgrade on the 10th: the old plan to the change day, the new one from it', () => {
    const b = bill({
      cycle: NOV_2026,
      subscriptions: [
        sub({ id: 'new', productKey: 'item-2', startDate: '2026-11-10', prices: [UNLIMITED] }),
        sub({ id: 'old', startDate: '2026-08-01', endDate: '2026-11-10', status: 'terminated', prices: [POSTPAID20] }),
      ],
    });
    expect(b.lines.map((l) => [l.subscriptionId, l.periodStart, l.periodEnd, l.days, l.net, l.tax])).toEqual([
      ['old', '2026-11-01', '2026-11-10', 9, '7.50', '1.58'], // tax 1.575 → half up
      ['new', '2026-11-10', '2026-12-01', 21, '31.50', '6.62'], // tax 6.615 → half up
    ]);
    expect(b.totals).toMatchObject({ net: '39.00', tax: '8.20', charges: '47.20', amountDue: '47.20' });
  });

  it('termination on the 20th of a 31-day month: billed to the 19th', () => {
    const b = bill({ cycle: DEC_2026, subscriptions: [sub({ id: 'f', startDate: '2026-03-02', endDate: '2026-12-20', status: 'terminated', prices: [FIBRE] })] });
    expect(amounts(b)).toEqual([['recurring', '21.45', '4.50', '25.95']]); // 35 × 19/31 = 21.4516…; tax 4.5045
    expect(b.lines[0]).toMatchObject({ periodEnd: '2026-12-20', days: 19, cycleDays: 31 });
  });

  it('February of a leap year has 29 days; of another year 28', () => {
    const leap = bill({ cycle: { start: '2028-02-01', end: '2028-03-01' }, subscriptions: [sub({ id: 's', startDate: '2028-02-15', prices: [POSTPAID20] })] });
    expect(amounts(leap)).toEqual([['recurring', '12.93', '2.72', '15.65']]); // 25 × 15/29 = 12.9310…; tax 2.7153
    expect(leap.lines[0]).toMatchObject({ days: 15, cycleDays: 29 });
    const common = bill({ cycle: { start: '2027-02-01', end: '2027-03-01' }, subscriptions: [sub({ id: 's', startDate: '2027-02-15', prices: [POSTPAID20] })] });
    expect(amounts(common)).toEqual([['recurring', '12.50', '2.63', '15.13']]); // 25 × 14/28; tax 2.625
    const whole = bill({ cycle: { start: '2028-02-01', end: '2028-03-01' }, subscriptions: [sub({ id: 's', startDate: '2027-05-01', prices: [POSTPAID20] })] });
    expect(amounts(whole)).toEqual([['recurring', '25.00', '5.25', '30.25']]);
  });

  it('usage beyond the allowance: each summed row rounded to the cent, taxed at its price’s rate', () => {
    const usage: RatedUsage[] = [
      { subscriptionId: 's', msisdn: '+34600000001', usageType: 'data', band: 'any', priceId: 'p20-data', records: 212, quantity: '335544320', amount: '3.125000', currency: 'EUR' },
      { subscriptionId: 's', msisdn: '+34600000001', usageType: 'voice', band: 'international', priceId: 'p20-voice', records: 3, quantity: '754', amount: '6.283333', currency: 'EUR' },
      { subscriptionId: 's', msisdn: '+34600000001', usageType: 'sms', band: 'international', priceId: 'p20-sms', records: 1, quantity: '1', amount: '0.004999', currency: 'EUR' },
    ];
    const b = bill({ cycle: NOV_2026, subscriptions: [sub({ id: 's', startDate: '2026-10-01', prices: [POSTPAID20, { ...P20_DATA, taxRate: '10' }] })], usage });
    expect(amounts(b)).toEqual([
      ['recurring', '25.00', '5.25', '30.25'],
      ['usage', '3.13', '0.31', '3.44'], // 3.125 → 3.13 half up; at the data price's 10 %: 0.313
      ['usage', '6.28', '1.32', '7.60'], // price not among the sold ones: the default 21 %; 1.3188
      // 0.004999 rounds to 0.00: no line
    ]);
    expect(b.lines[1]).toMatchObject({ taxRate: '10', usage: { usageType: 'data', band: 'any', records: 212, quantity: '335544320', msisdn: '+34600000001' } });
    expect(b.taxes).toEqual([
      { taxRate: '10', net: '3.13', tax: '0.31' },
      { taxRate: '21', net: '31.28', tax: '6.57' },
    ]);
    expect(b.totals).toMatchObject({ net: '34.41', tax: '6.88', charges: '41.29' });
  });

  describe('the Fibre + Mobile bundle: 15% off both monthly fees', () => {
    const bundle = (startDate: string) => [
      sub({ id: 'bundle', orderId: 'o1', productKey: 'item-1', startDate, prices: [BUNDLE_DISCOUNT] }),
      sub({ id: 'fibre', orderId: 'o1', productKey: 'item-1/1', startDate, prices: [FIBRE] }),
      sub({ id: 'mobile', orderId: 'o1', productKey: 'item-1/2', startDate, prices: [POSTPAID20, P20_DATA] }),
    ];

    it('a whole month: 60.00 becomes 51.00 + VAT', () => {
      const b = bill({ cycle: NOV_2026, subscriptions: bundle('2026-10-01') });
      expect(b.lines.map((l) => [l.kind, l.subscriptionId, l.net, l.tax])).toEqual([
        ['recurring', 'fibre', '35.00', '7.35'],
        ['discount', 'fibre', '-5.25', '-1.10'], // -1.1025
        ['recurring', 'mobile', '25.00', '5.25'],
        ['discount', 'mobile', '-3.75', '-0.79'], // -0.7875
      ]);
      expect(b.lines[1]).toMatchObject({ description: 'Fibre + Mobile 15% discount', priceId: 'fm15', percentage: '15' });
      expect(b.totals).toMatchObject({ net: '51.00', tax: '10.71', charges: '61.71' });
    });

    it('from the 17th: the discount is off the prorated fees', () => {
      const b = bill({ cycle: NOV_2026, subscriptions: bundle('2026-11-17') });
      expect(b.lines.map((l) => [l.kind, l.net, l.tax])).toEqual([
        ['recurring', '16.33', '3.43'], // 35 × 14/30 = 16.333…; 3.4293
        ['discount', '-2.45', '-0.51'], // 2.4495 → 2.45; 0.5145 → 0.51
        ['recurring', '11.67', '2.45'],
        ['discount', '-1.75', '-0.37'], // 1.7505 → 1.75; 0.3675 → 0.37
      ]);
      expect(b.totals).toMatchObject({ net: '23.80', tax: '5.00', charges: '28.80' });
    });

    it('the same offerings bought on their own get no discount', () => {
      const b = bill({ cycle: NOV_2026, subscriptions: [...bundle('2026-10-01').slice(0, 1), sub({ id: 'other', orderId: 'o2', productKey: 'item-1/1', startDate: '2026-10-01', prices: [FIBRE] })] });
      expect(amounts(b)).toEqual([['recurring', '35.00', '7.35', '42.35']]);
    });
  });

  it('tax over many small lines is rounded per line: the total shown is the sum of the line taxes', () => {
    const usage: RatedUsage[] = Array.from({ length: 10 }, (_, i) => ({ subscriptionId: 's', msisdn: null, usageType: 'sms', band: `international-${i}`, priceId: 'sms', records: 1, quantity: '1', amount: '0.050000', currency: 'EUR' }));
    const b = bill({ cycle: NOV_2026, usage });
    expect(b.lines).toHaveLength(10);
    expect(b.lines.every((l) => l.net === '0.05' && l.tax === '0.01' && l.gross === '0.06')).toBe(true); // 0.0105 → 0.01
    // Per line: 10 × 0.01 = 0.10, where the tax of the summed 0.50 would be 0.105 → 0.11.
    expect(b.totals).toMatchObject({ net: '0.50', tax: '0.10', charges: '0.60' });
    expect(b.taxes).toEqual([{ taxRate: '21', net: '0.50', tax: '0.10' }]);
  });
});

describe('balance', () => {
  const subs = [sub({ id: 's', startDate: '2026-10-01', prices: [POSTPAID20] })]; // 30.25 a month

  it('previous balance − payments ± adjustments + charges', () => {
    const b = bill({
      cycle: NOV_2026,
      subscriptions: subs,
      previousBalance: '61.71',
      periodEntries: [
        { kind: 'bill', amount: '61.71' },
        { kind: 'payment', amount: '-50.00' },
        { kind: 'refund', amount: '5.00' },
        { kind: 'adjustment', amount: '-3.50' },
      ],
    });
    expect(b.totals).toEqual({ net: '25.00', tax: '5.25', charges: '30.25', previousBalance: '61.71', payments: '-45.00', adjustments: '-3.50', amountDue: '43.46' });
  });

  it('a credit carries forward', () => {
    const b = bill({ cycle: NOV_2026, subscriptions: subs, previousBalance: '-40.00' });
    expect(b.totals.amountDue).toBe('-9.75');
    const overpaid = bill({ cycle: NOV_2026, subscriptions: subs, previousBalance: '30.25', periodEntries: [{ kind: 'payment', amount: '-100.00' }] });
    expect(overpaid.totals.amountDue).toBe('-39.50');
  });
});

describe('what is billed', () => {
  it('voided subscriptions never; terminated ones only to their end date; suspended ones in full', () => {
    const b = bill({
      cycle: NOV_2026,
      subscriptions: [
        sub({ id: 'voided', startDate: '2026-11-03', status: 'voided', prices: [FIBRE] }),
        sub({ id: 'no-end', startDate: '2026-09-01', status: 'terminated', prices: [FIBRE] }),
        sub({ id: 'gone', startDate: '2026-09-01', endDate: '2026-11-01', status: 'terminated', prices: [FIBRE] }),
        sub({ id: 'later', startDate: '2026-12-01', prices: [FIBRE] }),
        sub({ id: 'suspended', startDate: '2026-09-01', status: 'suspended', prices: [POSTPAID20] }),
      ],
    });
    expect(b.lines.map((l) => [l.subscriptionId, l.net])).toEqual([['suspended', '25.00']]);
  });

  it('an empty cycle is a bill of zero that still carries the balance', () => {
    const b = bill({ cycle: NOV_2026, previousBalance: '12.00', periodEntries: [{ kind: 'payment', amount: '-12.00' }] });
    expect(b.lines).toEqual([]);
    expect(b.taxes).toEqual([]);
    expect(b.totals).toMatchObject({ charges: '0.00', amountDue: '0.00' });
  });
});
