import { cardBrand, luhnValid, validateCard } from './card';

// Published test numbers of the networks and payment providers (all pass Luhn), plus numbers
// computed at the edges of the brand ranges.

describe('luhnValid', () => {
  it.each([
    ['79927398713', true], // the textbook example
    ['4111111111111111', true],
    ['4111 1111 1111 1111', true],
    ['4111-1111-1111-1111', true],
    ['5555555555554444', true],
    ['378282246310005', true],
    ['6011111111111117', true],
    ['4111111111111112', false],
    ['4111111111111121', false], // two adjacent digits swapped
    ['79927398710', false],
    ['4111a11111111111', false],
    ['', false],
  ])('%p → %p', (pan, expected) => expect(luhnValid(pan)).toBe(expected));
});

describe('cardBrand', () => {
  it.each([
    ['4111111111111111', 'visa'],
    ['4222222222222', 'visa'],
    ['5105105105105100', 'mastercard'],
    ['5555555555554444', 'mastercard'],
    ['2221000000000009', 'mastercard'],
    ['2223003122003222', 'mastercard'],
    ['2720990000000007', 'mastercard'],
    ['2721000000000004', 'other'],
    ['2220990000000000', 'other'],
    ['5610591081018250', 'other'], // 56: Maestro, not Mastercard's 51–55
    ['378282246310005', 'amex'],
    ['371449635398431', 'amex'],
    ['6011111111111117', 'discover'],
    ['6445644564456445', 'discover'],
    ['6500000000000002', 'discover'],
    ['6221260000000000', 'discover'],
    ['6229250000000003', 'discover'],
    ['6229270000000001', 'other'], // UnionPay outside the Discover co-brand range
    ['3530111333300000', 'other'], // JCB
    ['not a card', 'other'],
  ])('%p → %p', (pan, brand) => expect(cardBrand(pan)).toBe(brand));
});

describe('validateCard', () => {
  const today = '2026-03-15';

  it.each([
    ['4111 1111 1111 1111', 12, 2028, { valid: true, brand: 'visa', last4: '1111' }],
    ['4222222222222', 1, 2030, { valid: true, brand: 'visa', last4: '2222' }],
    ['4111111111111111110', 1, 2030, { valid: true, brand: 'visa', last4: '1110' }],
    ['2223003122003222', 3, 2026, { valid: true, brand: 'mastercard', last4: '3222' }], // valid through 31 March
    ['378282246310005', 3, 26, { valid: true, brand: 'amex', last4: '0005' }], // two-digit year
    ['6011000990139424', 4, 2027, { valid: true, brand: 'discover', last4: '9424' }],
    ['3530111333300000', 4, 2027, { valid: true, brand: 'other', last4: '0000' }],
  ])('%p expiring %p/%p → %p', (number, expiryMonth, expiryYear, expected) =>
    expect(validateCard({ number, expiryMonth, expiryYear, today })).toEqual(expected));

  it.each([
    ['4111111111111112', 12, 2028, ['card number is mistyped (Luhn check failed)']],
    ['4111111111119', 2, 2026, ['card expired at the end of 02/2026']],
    ['411111111111', 12, 2028, ['visa numbers have 13, 16 or 19 digits', 'card number is mistyped (Luhn check failed)']],
    ['51051051051051', 12, 2028, ['mastercard numbers have 16 digits']], // passes Luhn, too short
    ['3782822463100', 12, 2028, ['amex numbers have 15 digits', 'card number is mistyped (Luhn check failed)']],
    ['60110009901394', 12, 2028, ['discover numbers have 16 to 19 digits', 'card number is mistyped (Luhn check failed)']],
    ['12345674', 12, 2028, ['card numbers have 12 to 19 digits']],
    ['4111 1111 1111 111x', 12, 2028, ['card number may contain only digits and spaces']],
    ['4111111111111111', 13, 2028, ['expiry month must be 1 to 12']],
    ['4111111111111111', 0, 1999, ['expiry month must be 1 to 12', 'expiry year is not a valid year']],
    ['4111111111111111', 2, 2026, ['card expired at the end of 02/2026']],
    ['4111111111111111', 12, 2025, ['card expired at the end of 12/2025']],
    ['4111111111111112', 1, 25, ['card number is mistyped (Luhn check failed)', 'card expired at the end of 01/2025']],
  ])('%p expiring %p/%p → %p', (number, expiryMonth, expiryYear, reasons) =>
    expect(validateCard({ number, expiryMonth, expiryYear, today })).toEqual({ valid: false, reasons }));

  it('keeps a card valid on the last day of its expiry month and expires it on the first of the next', () => {
    const card = { number: '4111111111111111', expiryMonth: 2, expiryYear: 2028 };
    expect(validateCard({ ...card, today: '2028-02-29' }).valid).toBe(true);
    expect(validateCard({ ...card, today: '2028-03-01' })).toEqual({ valid: false, reasons: ['card expired at the end of 02/2028'] });
    expect(validateCard({ ...card, today: new Date('2028-02-29T23:59:59Z') }).valid).toBe(true);
  });

  it('never repeats the card number in a reason', () => {
    const result = validateCard({ number: '4111111111111112', expiryMonth: 1, expiryYear: 2020, today });
    expect(JSON.stringify(result)).not.toContain('411111');
  });
});
