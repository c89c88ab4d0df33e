import { hasPostalCodeRule, isValidPostalCode, type PostalCountry } from './postal-code';

describe('isValidPostalCode', () => {
  it.each([
    ['28013', 'ES', true], // Madrid
    ['01001', 'ES', true], // Vitoria-Gasteiz, province 01
    ['52001', 'ES', true], // Melilla, province 52
    [' 08001 ', 'ES', true],
    ['53001', 'ES', false],
    ['00123', 'ES', false],
    ['2801', 'ES', false],
    ['280130', 'ES', false],
    ['28O13', 'ES', false],
    ['1000-001', 'PT', true], // Lisbon
    ['9900-014', 'PT', true],
    ['1000001', 'PT', false],
    ['1000-01', 'PT', false],
    ['0100-001', 'PT', false],
    ['0150', 'NO', true], // Oslo
    ['9170', 'NO', true],
    ['150', 'NO', false],
    ['01500', 'NO', false],
    ['N-0150', 'NO', false],
  ] as [string, PostalCountry, boolean][])('%p in %p → %p', (code, country, expected) => expect(isValidPostalCode(code, country)).toBe(expected));
});

describe('hasPostalCodeRule', () => {
  it.each([
    ['ES', true],
    ['PT', true],
    ['NO', true],
    ['FR', false],
    ['es', false],
    ['toString', false],
  ])('%p → %p', (country, expected) => expect(hasPostalCodeRule(country)).toBe(expected));
});
