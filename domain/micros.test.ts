import { money, roundToCent as roundDecimalToCent } from './money';
import { ceilToUnit, formatMicros, fromDecimal, parseMicros, roundToCent, toDecimal } from './micros';

describe('amounts in millionths', () => {
  it.each([
    ['0', 0n, '0'],
    ['60', 60_000_000n, '60'],
    ['-1', -1_000_000n, '-1'],
    ['0.48', 480_000n, '0.48'],
    ['12.500000', 12_500_000n, '12.5'],
    ['-0.000001', -1n, '-0.000001'],
    ['999999999.999999', 999_999_999_999_999n, '999999999.999999'],
    // Past what a double holds exactly: a data bucket of 10^12 octets.
    ['1000000000000.000001', 1_000_000_000_000_000_001n, '1000000000000.000001'],
    ['-1000000000000.5', -1_000_000_000_000_500_000n, '-1000000000000.5'],
    ['20000000000000', 20_000_000_000_000_000_000n, '20000000000000'],
    // Past 6 decimals, half away from zero, as numeric(30,6) stores it.
    ['0.0000005', 1n, '0.000001'],
    ['0.0000004', 0n, '0'],
    ['-2.5000005', -2_500_001n, '-2.500001'],
  ])('%s is %s millionths, written %s', (text, micros, written) => {
    expect(parseMicros(text)).toBe(micros);
    expect(formatMicros(micros)).toBe(written);
    expect(money(formatMicros(micros)).eq(money(text).toDecimalPlaces(6))).toBe(true);
  });

  it.each(['', '-', '1.', '.5', '1e5', ' 1', '0x10', '1.2.3', 'ten', '1,5'])('refuses %j', (text) => {
    expect(() => parseMicros(text)).toThrow('not a decimal amount');
  });

  it('rounds to the cent as the decimals do (half away from zero)', () => {
    for (const text of ['0.004999', '0.005', '-0.005', '-0.004999', '1.234567', '-1.235', '7.2', '0']) {
      expect(formatMicros(roundToCent(parseMicros(text)))).toBe(roundDecimalToCent(money(text)).toString());
    }
  });

  it('crosses to decimals and back without a change', () => {
    for (const micros of [0n, 1n, -1n, 60_000_000n, 123_456_789n, 10n ** 24n + 7n]) expect(fromDecimal(toDecimal(micros))).toBe(micros);
    expect(fromDecimal(money('0.0000015'))).toBe(2n);
  });

  it('rounds up to whole units', () => {
    expect([0n, 1n, 1_000_000n, 1_000_001n].map(ceilToUnit)).toEqual([0n, 1_000_000n, 1_000_000n, 2_000_000n]);
  });
});
