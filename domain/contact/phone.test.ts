import { normalizeE164 } from './phone';

describe('normalizeE164', () => {
  it.each([
    ['+34 600 12 34 56', undefined, '+34600123456'],
    ['0034600123456', undefined, '+34600123456'],
    ['00 34 600-12-34-56', undefined, '+34600123456'],
    ['+47 912 34 567', undefined, '+4791234567'],
    ['+351 912 345 678', undefined, '+351912345678'],
    ['+44 (0)20 7946 0958', undefined, '+442079460958'],
    ['(+34) 600.123.456', undefined, '+34600123456'],
    ['600 12 34 56', '34', '+34600123456'],
    ['600123456', '+34', '+34600123456'],
    ['912 34 567', '47', '+4791234567'],
    ['07700 900123', '44', '+447700900123'], // trunk prefix 0 dropped
    ['06 6982 1234', '39', '+390669821234'], // Italy keeps it
    ['+351912345678', '34', '+351912345678'], // an explicit country code wins over the default
    ['+1 (212) 555-0123', undefined, '+12125550123'],
  ])('%p (default %p) → %p', (number, defaultCode, e164) => expect(normalizeE164(number, defaultCode)).toEqual({ valid: true, e164 }));

  it.each([
    ['600123456', undefined, 'phone number needs the country code (+ or 00)'],
    ['', '34', 'phone number is empty'],
    ['+34 600 ABC 456', undefined, 'phone number may contain only digits, spaces and + - . / ( )'],
    ['+34 600_123_456', undefined, 'phone number may contain only digits, spaces and + - . / ( )'],
    ['+34 600 +123456', undefined, 'a + may only start the number'],
    ['++34600123456', undefined, 'a + may only start the number'],
    ['+ ( )', undefined, 'phone number has no digits'],
    ['+0 600 123 456', undefined, 'country code cannot start with 0'],
    ['000034600123456', undefined, 'country code cannot start with 0'],
    ['+34 600 12', undefined, 'phone number must have 8 to 15 digits, country code included'],
    ['+34 600 123 456 789 012', undefined, 'phone number must have 8 to 15 digits, country code included'],
    ['1234', '47', 'phone number must have 8 to 15 digits, country code included'],
  ])('%p (default %p) → %p', (number, defaultCode, reason) => expect(normalizeE164(number, defaultCode)).toEqual({ valid: false, reason }));

  it.each(['0', '1234', 'ES', '+'])('refuses the default country code %p as a configuration error', (code) =>
    expect(() => normalizeE164('600123456', code)).toThrow(RangeError));
});
