import { nextMajorVersion, versionAfterUpdate } from './versioning';

describe('nextMajorVersion', () => {
  it.each([
    ['1.0', '2.0'],
    ['3', '4.0'],
    ['2.5.1', '3.0'],
    ['10.2', '11.0'],
    [undefined, '2.0'],
    ['draft', '2.0'],
  ])('%p → %p', (v, expected) => expect(nextMajorVersion(v)).toBe(expected));
});

describe('versionAfterUpdate', () => {
  const price = { priceType: 'recurring', price: { unit: 'EUR', value: 25 }, version: '1.0', name: 'Monthly fee' };

  it('lets an unsold item be edited in place, with the version the client gives', () => {
    const before = { ...price, lifecycleStatus: 'In design' };
    expect(versionAfterUpdate('productOfferingPrice', before, { ...before, price: { unit: 'EUR', value: 30 } })).toBe('1.0');
    expect(versionAfterUpdate('productOfferingPrice', before, { ...before, version: '1.1' })).toBe('1.1');
  });

  it('makes a new major version when the terms of a launched price change', () => {
    const before = { ...price, lifecycleStatus: 'Launched' };
    expect(versionAfterUpdate('productOfferingPrice', before, { ...before, price: { unit: 'EUR', value: 30 } })).toBe('2.0');
    expect(versionAfterUpdate('productOfferingPrice', before, { ...before, tax: [{ taxRate: 21 }] })).toBe('2.0');
  });

  it('keeps the version of a launched item for a change of name or status, and ignores a client version', () => {
    const before = { ...price, lifecycleStatus: 'Launched' };
    expect(versionAfterUpdate('productOfferingPrice', before, { ...before, name: 'Renamed' })).toBe('1.0');
    expect(versionAfterUpdate('productOfferingPrice', before, { ...before, lifecycleStatus: 'Retired' })).toBe('1.0');
    expect(versionAfterUpdate('productOfferingPrice', before, { ...before, version: '0.1' })).toBe('1.0');
  });

  it('treats a retired item as sold too, and ignores key order', () => {
    const before = { ...price, lifecycleStatus: 'Retired' };
    expect(versionAfterUpdate('productOfferingPrice', before, { ...before, price: { value: 25, unit: 'EUR' } })).toBe('1.0');
    expect(versionAfterUpdate('productOfferingPrice', before, { ...before, price: { value: 26, unit: 'EUR' } })).toBe('2.0');
  });
});
