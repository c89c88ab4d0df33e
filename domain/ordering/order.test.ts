import { planOrder } from './plan';
import { DEFAULT_ORDER_POLICY, type OfferingView, type OrderContext, type OrderLine } from './types';
import { validateOrder } from './validate';
import { offering, price } from '../../test/helpers/offering-views';

const simFee = price('simFee', 'oneTime', '5');
const prepaid10 = offering('prepaid10', {
  paymentType: 'prepaid',
  serviceType: 'mobile',
  fixedCharacteristics: { dataAllowance: '10', voiceAllowance: '300', smsAllowance: '100', allowancePeriod: '30' },
  choices: { simType: ['physical', 'eSIM'] },
  prices: [price('prepaid10Fee', 'recurring', '15', { period: { type: 'day', length: 30 } }), price('voice', 'usage'), simFee],
});
const payg = offering('payg', { paymentType: 'prepaid', serviceType: 'mobile', prices: [simFee] });
const postpaid20 = offering('postpaid20', {
  paymentType: 'postpaid',
  serviceType: 'mobile',
  fixedCharacteristics: { dataAllowance: '20', smsAllowance: 'unlimited' },
  prices: [price('postpaid20Fee', 'recurring', '25', { period: { type: 'month', length: 1 } }), simFee],
});
const ftth = offering('ftth1g', {
  paymentType: 'postpaid',
  serviceType: 'ftth',
  requiresInstallation: true,
  fixedCharacteristics: { downloadSpeed: '1000', uploadSpeed: '1000' },
  prices: [price('ftthFee', 'recurring', '35', { period: { type: 'month', length: 1 } }), price('installation', 'oneTime', '60')],
});
const video = offering('video', { serviceType: 'content', prices: [price('videoFee', 'recurring', '7.99', { period: { type: 'month', length: 1 } })] });
const bundle = offering('fibreMobile', {
  paymentType: 'postpaid',
  isBundle: true,
  bundled: [ftth, postpaid20],
  prices: [price('discount', 'discount', undefined, { percentage: '15', discounts: ['ftthFee', 'postpaid20Fee'] })],
});
const simComponent = offering('sim', { isSellable: false, serviceType: 'equipment', prices: [simFee] });
const retired = offering('old', { lifecycleStatus: 'Retired', paymentType: 'prepaid', serviceType: 'mobile' });

const catalog = new Map<string, OfferingView | undefined>([prepaid10, payg, postpaid20, ftth, video, bundle, simComponent, retired].map((o) => [o.id, o]));

const context = (paymentType: string, extra: Partial<OrderContext> = {}): OrderContext => ({
  customer: { id: 'c1', status: 'Active' },
  billingAccount: { id: 'ba1', state: 'Defined', paymentType, currency: 'EUR', ownerCustomerId: 'c1' },
  postpaidMobileLines: 0,
  ...extra,
});
const home = { street: 'Calle Mayor 1', city: 'Madrid', postalCode: '28013', country: 'ES' };
const line = (itemId: string, offeringId: string, characteristics: Record<string, string> = {}, place?: typeof home): OrderLine => ({
  itemId,
  action: 'add',
  offeringId,
  characteristics,
  place,
});

describe('validateOrder', () => {
  const validate = (lines: OrderLine[], ctx: OrderContext) => validateOrder(lines, catalog, ctx, DEFAULT_ORDER_POLICY);

  it('accepts a complete prepaid mobile order', () => {
    expect(validate([line('1', 'prepaid10', { msisdn: '+34600000001' })], context('prepaid'))).toEqual([]);
  });

  it('accepts a mobile line without a number when the customer reserved one at registration', () => {
    expect(validate([line('1', 'prepaid10')], context('prepaid', { reservedMsisdn: '+34600000009' }))).toEqual([]);
    expect(validate([line('1', 'prepaid10')], context('prepaid'))).toEqual([
      'item 1: a mobile line needs a chosen number (characteristic msisdn, E.164, or "any")',
    ]);
  });

  it('names every problem of a bad order', () => {
    const reasons = validate(
      [
        line('1', 'postpaid20', { msisdn: '600000001' }),
        line('2', 'ftth1g', {}, { ...home, street: '' }),
        line('3', 'missing'),
        line('4', 'old', { msisdn: 'any' }),
        line('5', 'sim'),
        { ...line('6', 'video'), action: 'noChange' },
        line('7', 'prepaid10', { msisdn: 'any', simType: 'nano', initialCredit: '-3' }),
      ],
      context('prepaid', { customer: { id: 'c1', status: 'Suspended' } }),
    );
    expect(reasons).toEqual([
      'customer c1 is Suspended, not Active',
      'item 1: postpaid20 is postpaid, the billing account is prepaid',
      'item 1: msisdn must be a number in E.164 form (+34600000001) or "any"',
      'item 2: ftth1g is postpaid, the billing account is prepaid',
      'item 2: ftth1g needs an installation address (street, city and postalCode)',
      'item 3: product offering missing does not exist',
      'item 4: old is Retired, not launched',
      'item 5: sim is not sold on its own',
      'item 6: action noChange changes nothing in an order that adds products',
      'item 7: simType must be one of physical, eSIM',
      'item 7: initialCredit must be a positive amount with at most 2 decimals',
    ]);
  });

  it('checks the billing account and the customer', () => {
    expect(validate([line('1', 'video')], { postpaidMobileLines: 0 })).toEqual([
      'the order names no existing customer',
      'the order names no existing billing account',
    ]);
    expect(
      validate([line('1', 'video')], context('postpaid', { billingAccount: { id: 'ba9', state: 'Closed', paymentType: 'postpaid', ownerCustomerId: 'c2' } })),
    ).toEqual(['billing account ba9 belongs to another customer', 'billing account ba9 is Closed']);
  });

  it('refuses a bundle with a missing or retired component', () => {
    const broken = offering('broken', { isBundle: true, paymentType: 'postpaid', bundled: [undefined, { ...ftth, lifecycleStatus: 'Retired' }] });
    const reasons = validateOrder([line('1', 'broken', {}, home)], new Map([['broken', broken]]), context('postpaid'), DEFAULT_ORDER_POLICY);
    expect(reasons).toEqual(['item 1: component 1 of bundle broken does not exist', 'item 1: ftth1g in bundle broken is Retired, not launched']);
  });

  it('applies the credit rule to postpaid mobile lines, bundles included', () => {
    const lines = [line('1', 'fibreMobile', { msisdn: '+34600000001' }, home), line('2', 'postpaid20', { msisdn: '+34600000002' })];
    expect(validate(lines, context('postpaid', { postpaidMobileLines: 3 }))).toEqual([]);
    expect(validate(lines, context('postpaid', { postpaidMobileLines: 4 }))).toEqual([
      'credit rule: at most 5 postpaid mobile lines per customer; the customer has 4 and orders 2',
    ]);
  });

  it('refuses the same number twice in one order', () => {
    expect(validate([line('1', 'payg', { msisdn: '+34600000001' }), line('2', 'payg', { msisdn: '+34600000001' })], context('prepaid'))).toEqual([
      'the same number is asked for twice',
    ]);
  });
});

describe('planOrder', () => {
  const plan = (lines: OrderLine[], paymentType: 'prepaid' | 'postpaid', hasReservedMsisdn = false) =>
    planOrder(lines, catalog, { paymentType, currency: 'EUR' }, { hasReservedMsisdn, policy: DEFAULT_ORDER_POLICY });

  it('collects the SIM fee and the first period of a prepaid plan up front, with the allowances', () => {
    const p = plan([line('1', 'prepaid10', { simType: 'eSIM' })], 'prepaid', true);
    expect(p.services).toEqual([
      expect.objectContaining({ key: '1', kind: 'mobile', msisdn: 'reserved', simType: 'eSIM', requiresInstallation: false }),
    ]);
    expect(p.upFront.map((c) => [c.description, c.kind, c.net, c.tax, c.gross])).toEqual([
      ['prepaid10Fee', 'firstPeriod', '15.00', '3.15', '18.15'],
      ['simFee', 'oneTime', '5.00', '1.05', '6.05'],
    ]);
    expect(p.upFrontTotal).toBe('24.20');
    expect(p.nextBill).toEqual([]);
    expect(p.prepaidCredit).toEqual({});
    expect(p.prepaidAllowances['1']).toEqual({ dataOctets: '10737418240', voiceSeconds: '18000', smsEvents: '100', periodDays: 30 });
  });

  it('loads pay-as-you-go with the default credit, or the one asked for, untaxed', () => {
    const p = plan([line('1', 'payg', { msisdn: 'any' }), line('2', 'payg', { msisdn: '+34600000002', initialCredit: '20' })], 'prepaid');
    expect(p.prepaidCredit).toEqual({ '1': '10.00', '2': '20.00' });
    expect(p.upFront.filter((c) => c.kind === 'prepaidCredit').map((c) => [c.productKey, c.gross, c.tax])).toEqual([
      ['1', '10.00', '0.00'],
      ['2', '20.00', '0.00'],
    ]);
    expect(p.upFrontTotal).toBe('42.10'); // 2 × 6.05 + 10 + 20
  });

  it('gives the reservation to the first line without a number and "any" to the next', () => {
    const p = plan([line('1', 'payg'), line('2', 'payg')], 'prepaid', true);
    expect(p.services.map((s) => s.msisdn)).toEqual(['reserved', 'any']);
  });

  it('decomposes a bundle into its components and queues postpaid one-time fees for the next bill', () => {
    const p = plan([line('1', 'fibreMobile', { msisdn: '+34600000001' }, home)], 'postpaid');
    expect(p.products.map((x) => [x.key, x.offering.id, x.bundle?.id])).toEqual([
      ['1', 'fibreMobile', undefined],
      ['1/1', 'ftth1g', 'fibreMobile'],
      ['1/2', 'postpaid20', 'fibreMobile'],
    ]);
    expect(p.services.map((s) => [s.key, s.kind, s.requiresInstallation, s.place?.postalCode ?? null])).toEqual([
      ['1/1', 'ftth', true, '28013'],
      ['1/2', 'mobile', false, null],
    ]);
    expect(p.upFront).toEqual([]);
    expect(p.upFrontTotal).toBe('0.00');
    expect(p.nextBill.map((c) => [c.productKey, c.description, c.gross])).toEqual([
      ['1/1', 'installation', '72.60'],
      ['1/2', 'simFee', '6.05'],
    ]);
    expect(p.products[0].prices).toEqual([expect.objectContaining({ priceType: 'discount', percentage: '15' })]);
  });

  it('realises content with an entitlement service and no resources', () => {
    const p = plan([line('1', 'video')], 'postpaid');
    expect(p.services).toEqual([expect.objectContaining({ key: '1', kind: 'content', requiresInstallation: false })]);
    expect(p.services[0]).not.toHaveProperty('msisdn');
  });
});
