import { isChangeOrder, planChangeOrder, validateChangeOrder, type ExistingProduct } from './change';
import type { OfferingView, OrderContext, OrderLine } from './types';
import { offering, price } from '../../test/helpers/offering-views';

const simFee = price('simFee', 'oneTime', '5');
const prepaid10 = offering('prepaid10', {
  paymentType: 'prepaid',
  serviceType: 'mobile',
  fixedCharacteristics: { dataAllowance: '10', voiceAllowance: '300', smsAllowance: '100', allowancePeriod: '30' },
  prices: [price('prepaid10Fee', 'recurring', '15', { period: { type: 'day', length: 30 } }), price('voice', 'usage'), simFee],
});
const payg = offering('payg', { paymentType: 'prepaid', serviceType: 'mobile', prices: [simFee] });
const postpaid20 = offering('postpaid20', { paymentType: 'postpaid', serviceType: 'mobile', fixedCharacteristics: { dataAllowance: '20' }, prices: [price('p20', 'recurring', '25')] });
const unlimited = offering('unlimited', { paymentType: 'postpaid', serviceType: 'mobile', fixedCharacteristics: { dataAllowance: 'unlimited' }, prices: [price('unl', 'recurring', '40')] });
const ftth = offering('ftth1g', { paymentType: 'postpaid', serviceType: 'ftth', prices: [price('ftthFee', 'recurring', '35')] });
const retired = offering('old', { lifecycleStatus: 'Retired', paymentType: 'postpaid', serviceType: 'mobile' });
const catalog = new Map<string, OfferingView | undefined>([prepaid10, payg, postpaid20, unlimited, ftth, retired].map((o) => [o.id, o]));

const product = (id: string, offeringId: string, fields: Partial<ExistingProduct> = {}): ExistingProduct => ({
  id,
  status: 'active',
  customerId: 'c1',
  billingAccountId: 'ba1',
  offering: { id: offeringId, version: '1.0', name: offeringId },
  bundled: false,
  ...fields,
});
const products = new Map<string, ExistingProduct | undefined>([
  ['p-post', product('p-post', 'postpaid20')],
  ['p-pre', product('p-pre', 'payg')],
  ['p-fibre', product('p-fibre', 'ftth1g')],
  ['p-other', product('p-other', 'postpaid20', { customerId: 'c2', billingAccountId: 'ba2' })],
  ['p-suspended', product('p-suspended', 'postpaid20', { status: 'suspended' })],
  ['p-ended', product('p-ended', 'postpaid20', { status: 'terminated' })],
  ['p-bundled', product('p-bundled', 'postpaid20', { bundled: true })],
  ['p-busy', product('p-busy', 'postpaid20', { openChangeOrderId: 'o-9' })],
]);

const context = (paymentType: string): OrderContext => ({
  customer: { id: 'c1', status: 'Active' },
  billingAccount: { id: 'ba1', state: 'Defined', paymentType, currency: 'EUR', ownerCustomerId: 'c1' },
  postpaidMobileLines: 0,
});
const modify = (itemId: string, productId: string, offeringId: string): OrderLine => ({ itemId, action: 'modify', productId, offeringId, characteristics: {} });
const end = (itemId: string, productId: string): OrderLine => ({ itemId, action: 'delete', productId, offeringId: '', characteristics: {} });
const add = (itemId: string, offeringId: string): OrderLine => ({ itemId, action: 'add', offeringId, characteristics: { msisdn: 'any' } });

describe('validateChangeOrder', () => {
  const validate = (lines: OrderLine[], paymentType = 'postpaid') => validateChangeOrder(lines, products, catalog, context(paymentType));

  it('accepts a plan change between mobile plans of the account’s payment type, and a termination', () => {
    expect(validate([modify('1', 'p-post', 'unlimited'), end('2', 'p-fibre')])).toEqual([]);
    expect(validate([modify('1', 'p-pre', 'prepaid10')], 'prepaid')).toEqual([]);
  });

  it('rejects unknown, foreign, inactive and bundled products; a suspended one is in dunning', () => {
    expect(validate([end('1', 'p-suspended')])).toEqual(['item 1: product p-suspended is suspended, not active']);
    expect(validate([modify('1', 'nope', 'unlimited'), modify('2', 'p-other', 'unlimited'), modify('3', 'p-suspended', 'unlimited'), end('4', 'p-ended'), end('5', 'p-bundled')])).toEqual([
      'item 1: product nope does not exist',
      'item 2: product p-other belongs to another customer',
      'item 3: product p-suspended is suspended, not active',
      'item 4: product p-ended is terminated, not active',
      'item 5: product p-bundled (postpaid20) is part of a bundle; a bundle is changed as a whole, which is not offered yet',
    ]);
  });

  it('rejects a new offering of another service type, payment type, the same one, or one not launched', () => {
    expect(validate([modify('1', 'p-post', 'ftth1g')])).toEqual(['item 1: ftth1g is a ftth service, product p-post is a mobile service']);
    expect(validate([modify('1', 'p-post', 'prepaid10')])).toEqual(['item 1: prepaid10 is prepaid, the billing account is postpaid']);
    expect(validate([modify('1', 'p-post', 'postpaid20')])).toEqual(['item 1: product p-post is already on postpaid20']);
    expect(validate([modify('1', 'p-post', 'old')])).toEqual(['item 1: old is Retired, not launched']);
    expect(validate([modify('1', 'p-post', 'missing')])).toEqual(['item 1: product offering missing does not exist']);
    expect(validate([modify('1', 'p-fibre', 'ftth1g')])).toEqual(['item 1: product p-fibre is already on ftth1g', 'item 1: plan changes are offered for mobile lines only, not ftth service']);
  });

  it('rejects a change of a product another open order is changing', () => {
    expect(validate([end('1', 'p-busy')])).toEqual(['item 1: product p-busy is being changed by order o-9; wait until that order ends']);
  });

  it('rejects mixing adds with changes, and the same product twice', () => {
    expect(validate([add('1', 'postpaid20'), end('2', 'p-post'), modify('3', 'p-post', 'unlimited')])).toEqual([
      'an order either adds products or changes existing ones: item 1 adds; place them in a separate order',
      'item 3: product p-post is named by more than one item',
    ]);
  });

  it('tells change orders from add orders', () => {
    expect(isChangeOrder([add('1', 'payg')])).toBe(false);
    expect(isChangeOrder([add('1', 'payg'), end('2', 'p-pre')])).toBe(true);
  });
});

describe('planChangeOrder', () => {
  it('plans a prepaid plan change with the new plan’s first period up front and its allowances', () => {
    const plan = planChangeOrder([modify('1', 'p-pre', 'prepaid10')], products, catalog, { paymentType: 'prepaid', currency: 'EUR' });
    expect(plan.upFrontTotal).toBe('18.15');
    expect(plan.upFront.map((c) => [c.description, c.kind, c.net, c.tax, c.gross])).toEqual([['prepaid10Fee', 'firstPeriod', '15.00', '3.15', '18.15']]);
    expect(plan.items).toEqual([
      expect.objectContaining({
        action: 'modify',
        productId: 'p-pre',
        from: { id: 'payg', version: '1.0', name: 'payg' },
        to: { id: 'prepaid10', version: '1.0', name: 'prepaid10' },
        allowances: { dataOctets: '10737418240', voiceSeconds: '18000', smsEvents: '100', periodDays: 30 },
      }),
    ]);
  });

  it('plans a postpaid plan change with nothing up front, and a termination', () => {
    const plan = planChangeOrder([modify('1', 'p-post', 'unlimited'), end('2', 'p-fibre')], products, catalog, { paymentType: 'postpaid', currency: 'EUR' });
    expect(plan.upFrontTotal).toBe('0.00');
    expect(plan.items.map((i) => [i.action, i.productId])).toEqual([
      ['modify', 'p-post'],
      ['delete', 'p-fibre'],
    ]);
    expect(plan.items[0]).toMatchObject({ prices: [expect.objectContaining({ id: 'unl', amount: '40' })], allowances: { dataOctets: 'unlimited' } });
  });
});
