import { bucketStatusOf, bucketTypeOf, describeRemaining, parseQuantityAmount, sameUnits, toQuantity, usageTypeOf } from './quantity';

describe('TMF654 quantities', () => {
  it('reads amounts written as numbers or decimal strings exactly', () => {
    expect(parseQuantityAmount(50).toFixed()).toBe('50');
    expect(parseQuantityAmount(0.1).plus(parseQuantityAmount(0.2)).toFixed()).toBe('0.3');
    expect(parseQuantityAmount('12.345678').toFixed()).toBe('12.345678');
    expect(() => parseQuantityAmount('ten')).toThrow();
  });

  it('writes decimals as JSON numbers without trailing zeros', () => {
    expect(toQuantity('9.500000', 'EUR')).toEqual({ amount: 9.5, units: 'EUR' });
    expect(toQuantity('10737418240.000000', 'octets')).toEqual({ amount: 10737418240, units: 'octets' });
    expect(JSON.stringify(toQuantity('0.010000', 'EUR'))).toBe('{"amount":0.01,"units":"EUR"}');
  });

  it('maps usage types to bucket types and back', () => {
    expect(usageTypeOf('money')).toBe('monetary');
    expect(usageTypeOf('data')).toBe('data');
    expect(bucketTypeOf('monetary')).toBe('money');
    expect(bucketTypeOf('sms')).toBe('sms');
    expect(bucketTypeOf('other')).toBeUndefined();
  });

  it('describes remaining values for people', () => {
    expect(describeRemaining('9.5', 'EUR', 'money')).toBe('9.50 EUR');
    expect(describeRemaining(String(3 * 2 ** 29), 'octets', 'data')).toBe('1.5 GB');
    expect(describeRemaining(String(512 * 2 ** 10), 'octets', 'data')).toBe('0.5 MB');
    expect(describeRemaining('600.000000', 'seconds', 'voice')).toBe('600 seconds');
  });

  it('compares units case-blind', () => {
    expect(sameUnits('eur', 'EUR')).toBe(true);
    expect(sameUnits('EUR', 'USD')).toBe(false);
  });

  it('gives a bucket its status', () => {
    const now = new Date('2026-11-27T12:00:00Z');
    expect(bucketStatusOf({ validUntil: null, accountStatus: 'active' }, now)).toBe('active');
    expect(bucketStatusOf({ validUntil: new Date('2026-11-27T12:00:00Z'), accountStatus: 'active' }, now)).toBe('expired');
    expect(bucketStatusOf({ validUntil: new Date('2026-12-27T12:00:00Z'), accountStatus: 'suspended' }, now)).toBe('suspended');
  });
});
