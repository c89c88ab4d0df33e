import { eventMatchesQuery } from './hub-query';

const event = {
  eventType: 'ProductOfferingStateChangeEvent',
  event: { productOffering: { id: 'p1', lifecycleStatus: 'Launched', isBundle: false } },
};

describe('eventMatchesQuery', () => {
  it.each([
    [null, true],
    ['', true],
    ['eventType=ProductOfferingStateChangeEvent', true],
    ['?eventType=ProductOfferingStateChangeEvent', true],
    ['eventType=ProductOfferingCreateEvent', false],
    ['eventType=ProductOfferingCreateEvent,ProductOfferingStateChangeEvent', true],
    ['event.productOffering.lifecycleStatus=Launched', true],
    ['event.productOffering.lifecycleStatus=Retired', false],
    ['event.productOffering.isBundle=false', true],
    ['eventType=ProductOfferingStateChangeEvent&event.productOffering.lifecycleStatus=Retired', false],
    ['event.productOffering.missing=x', false],
    ['event.productOffering=x', false],
  ])('query %p → %p', (query, expected) => {
    expect(eventMatchesQuery(event, query)).toBe(expected);
  });
});
