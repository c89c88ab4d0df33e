import { createRefOf } from './create-ref';

describe('createRefOf', () => {
  const create = { subscriberIdentifier: 'msisdn-34600000001', nfConsumerIdentification: { nodeFunctionality: 'SMF', nFName: 'smf-1' }, invocationTimeStamp: '2026-11-04T11:00:00Z', multipleUnitUsage: [{ ratingGroup: 100 }, { ratingGroup: 300 }] };

  it('is a version 8 UUID, the same for the same request whatever its key order or retransmission flag', () => {
    const ref = createRefOf(create);
    expect(ref).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const reordered = { multipleUnitUsage: create.multipleUnitUsage, nfConsumerIdentification: { nFName: 'smf-1', nodeFunctionality: 'SMF' }, invocationTimeStamp: create.invocationTimeStamp, subscriberIdentifier: create.subscriberIdentifier };
    expect(createRefOf(reordered)).toBe(ref);
    expect(createRefOf({ ...create, retransmissionIndicator: true })).toBe(ref);
  });

  it('differs when anything else does, lists in another order included', () => {
    const ref = createRefOf(create);
    expect(createRefOf({ ...create, invocationTimeStamp: '2026-11-04T11:00:00.001Z' })).not.toBe(ref);
    expect(createRefOf({ ...create, nfConsumerIdentification: { nodeFunctionality: 'SMF', nFName: 'smf-2' } })).not.toBe(ref);
    expect(createRefOf({ ...create, multipleUnitUsage: [...create.multipleUnitUsage].reverse() })).not.toBe(ref);
    expect(createRefOf({ ...create, notifyUri: 'http://smf-1/notify' })).not.toBe(ref);
  });
});
