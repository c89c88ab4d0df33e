import { IBAN_LENGTHS, ibanMod97, maskIban, validateIban } from './iban';

// The examples of the SWIFT IBAN registry (ISO 13616), and typos of them.

describe('validateIban', () => {
  it.each([
    ['ES9121000418450200051332', 'ES'],
    ['GB82WEST12345698765432', 'GB'],
    ['DE89370400440532013000', 'DE'],
    ['NO9386011117947', 'NO'],
    ['PT50000201231234567890154', 'PT'],
    ['FR1420041010050500013M02606', 'FR'],
    ['IT60X0542811101000000123456', 'IT'],
    ['NL91ABNA0417164300', 'NL'],
    ['BE68539007547034', 'BE'],
    ['IE29AIBK93115212345678', 'IE'],
    ['AT611904300234573201', 'AT'],
    ['CH9300762011623852957', 'CH'],
  ])('%p is valid (%p)', (iban, country) => expect(validateIban(iban)).toEqual({ valid: true, normalized: iban, country }));

  it.each([
    ['ES91 2100 0418 4502 0005 1332', 'ES9121000418450200051332'],
    ['gb82 west 1234 5698 7654 32', 'GB82WEST12345698765432'],
    ['  NO93 8601 1117 947 ', 'NO9386011117947'],
  ])('accepts the printed form %p as %p', (iban, normalized) =>
    expect(validateIban(iban)).toMatchObject({ valid: true, normalized }));

  it.each([
    ['ES9121000418450200051331', 'check digits do not match: the IBAN is mistyped'],
    ['GB82WEST12345698765423', 'check digits do not match: the IBAN is mistyped'], // swapped digits
    ['ES7921000418450200051332', 'check digits do not match: the IBAN is mistyped'],
    ['ES912100041845020005133', 'an IBAN from ES has 24 characters, this one has 23'],
    ['NO93860111179470', 'an IBAN from NO has 15 characters, this one has 16'],
    ['DE8937040044053201300', 'an IBAN from DE has 22 characters, this one has 21'],
    ['GB82123412345698765432', 'the account part does not have the format of an IBAN from GB'], // bank code must be letters
    ['NL91ABNA041716430X', 'the account part does not have the format of an IBAN from NL'],
    ['US12345678901234567890', 'IBANs from US are not accepted'],
    ['ESXX21000418450200051332', 'an IBAN starts with a country code and two check digits'],
    ['21000418450200051332', 'an IBAN starts with a country code and two check digits'],
    ['ES91-2100-0418-4502-0005-1332', 'an IBAN contains only letters, digits and spaces'],
    ['   ', 'IBAN is empty'],
  ])('%p → %p', (iban, reason) => expect(validateIban(iban)).toEqual({ valid: false, reason }));

  it('knows the registry length of the required countries', () => {
    expect({ ES: IBAN_LENGTHS.ES, PT: IBAN_LENGTHS.PT, NO: IBAN_LENGTHS.NO, DE: IBAN_LENGTHS.DE, FR: IBAN_LENGTHS.FR, IT: IBAN_LENGTHS.IT, NL: IBAN_LENGTHS.NL, GB: IBAN_LENGTHS.GB, BE: IBAN_LENGTHS.BE, IE: IBAN_LENGTHS.IE }).toEqual(
      { ES: 24, PT: 25, NO: 15, DE: 22, FR: 27, IT: 27, NL: 18, GB: 22, BE: 16, IE: 22 },
    );
    expect(IBAN_LENGTHS.MT).toBe(31);
  });

  it('computes the ISO 7064 remainder: 1 for a valid IBAN, and with 00 as check digits 98 minus the right ones', () => {
    expect(ibanMod97('ES9121000418450200051332')).toBe(1);
    expect(ibanMod97('ES0021000418450200051332')).toBe(98 - 91);
    expect(ibanMod97('GB00WEST12345698765432')).toBe(98 - 82);
  });
});

describe('maskIban', () => {
  it.each([
    ['ES9121000418450200051332', 'ES91****************1332'],
    ['es91 2100 0418 4502 0005 1332', 'ES91****************1332'],
    ['NO9386011117947', 'NO93*******7947'],
    ['GB82WEST12345698765432', 'GB82**************5432'],
    ['ES912100', '********'],
    ['', ''],
  ])('%p → %p', (iban, masked) => expect(maskIban(iban)).toBe(masked));
});
