import { PROVINCES, regionOfPostalCode } from './regions';

describe('report regions', () => {
  it('has the 52 Spanish provinces', () => {
    expect(Object.keys(PROVINCES)).toHaveLength(52);
  });

  it.each([
    ['28013', 'Madrid'],
    ['08001', 'Barcelona'],
    ['46002', 'Valencia'],
    ['52001', 'Melilla'],
    ['53001', 'unknown'],
    ['2801', 'unknown'],
    ['SW1A 1AA', 'unknown'],
    [undefined, 'unknown'],
  ])('%s → %s', (code, region) => {
    expect(regionOfPostalCode(code)).toBe(region);
  });
});
