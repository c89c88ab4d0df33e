import { destinationNumber, internationalNumber } from './numbers';

describe('charging numbers', () => {
  it('gives an international number its +, with or without one sent', () => {
    expect(internationalNumber('34600000001')).toBe('+34600000001');
    expect(internationalNumber('+34600000001')).toBe('+34600000001');
    expect(internationalNumber(' 447700900123 ')).toBe('+447700900123');
  });

  it('refuses what is not an international number: too short or long, a leading 0, anything but digits', () => {
    for (const bad of ['3460', '1234567890123456', '0612345678', '+0612345678', '34 600 000 001', 'tel:+34600000001', '', '+']) expect(internationalNumber(bad)).toBeUndefined();
  });

  it('finds the number in a TEL or SIP address, with visual separators, parameters or 00 for the +', () => {
    expect(destinationNumber('tel:+34-612-345-678;phone-context=ims.example')).toBe('+34612345678');
    // A local number read in the country its phone-context names (a freephone one stays freephone).
    expect(destinationNumber('tel:612345678;phone-context=+34')).toBe('+34612345678');
    expect(destinationNumber('tel:900123456;phone-context=+34')).toBe('+34900123456');
    expect(destinationNumber('tel:030-123456;phone-context=+49')).toBe('+4930123456');
    expect(destinationNumber('sip:612345678;phone-context=+34@ims.example;user=phone')).toBe('+34612345678');
    expect(destinationNumber('sip:+4930123456@ims.example;user=phone')).toBe('+4930123456');
    expect(destinationNumber('sips:34612345678@ims.example')).toBe('+34612345678');
    expect(destinationNumber('0034612345678')).toBe('+34612345678');
    expect(destinationNumber('34612345678')).toBe('+34612345678');
    expect(destinationNumber('+34 (612) 345.678')).toBe('+34612345678');
  });

  it('keeps a short code as it is, and names no number for a SIP user or an APN', () => {
    expect(destinationNumber('112')).toBe('112');
    expect(destinationNumber('tel:7777')).toBe('7777');
    expect(destinationNumber('sip:alice@ims.example')).toBeUndefined();
    expect(destinationNumber('internet.apn')).toBeUndefined();
  });
});
