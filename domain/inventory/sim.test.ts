import { iccidFor, imsiFor, isValidIccid, isValidImsi, luhnCheckDigit } from './sim';

describe('SIM identifiers', () => {
  it('computes the Luhn check digit', () => {
    expect(luhnCheckDigit('7992739871')).toBe('3');
    expect(luhnCheckDigit('893401000000000001')).toBe('8');
    expect(() => luhnCheckDigit('12a')).toThrow();
  });

  it('builds 19-digit ICCIDs with their check digit', () => {
    expect(iccidFor('893401', 1)).toBe('8934010000000000018');
    expect(isValidIccid(iccidFor('893401', 123456))).toBe(true);
  });

  it('refuses ICCIDs with a wrong check digit, prefix or length', () => {
    expect(isValidIccid('8934010000000000018')).toBe(true);
    expect(isValidIccid('8934010000000000017')).toBe(false);
    expect(isValidIccid('7934010000000000018')).toBe(false);
    expect(isValidIccid('8934010000000015')).toBe(false);
  });

  it('builds 15-digit IMSIs', () => {
    expect(imsiFor('21401', 42)).toBe('214010000000042');
    expect(isValidImsi('214010000000042')).toBe(true);
    expect(isValidImsi('21401000000004')).toBe(false);
  });
});
