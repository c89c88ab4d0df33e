import { formatAmount, money, roundToCent, sum, taxOn } from './money';

describe('money', () => {
  it('parses strings and catalog numbers exactly', () => {
    expect(money('0.1').plus(money('0.2')).toString()).toBe('0.3');
    expect(money(7.99).toString()).toBe('7.99');
    expect(() => money('abc')).toThrow();
    expect(() => money(Number.POSITIVE_INFINITY)).toThrow();
  });

  it.each([
    ['0.005', '0.01'],
    ['0.004999', '0.00'],
    ['2.675', '2.68'],
    ['-2.675', '-2.68'],
    ['1.0049', '1.00'],
  ])('rounds %s half up to %s', (input, expected) => {
    expect(formatAmount(roundToCent(money(input)))).toBe(expected);
  });

  it.each([
    ['5.00', 21, '1.05'],
    ['7.99', 21, '1.68'], // 1.6779
    ['0.10', 21, '0.02'], // 0.021
    ['60.00', '21', '12.60'],
    ['0.02', 21, '0.00'], // 0.0042
  ])('taxes %s at %s%% as %s per line', (net, rate, expected) => {
    expect(formatAmount(taxOn(money(net), rate))).toBe(expected);
  });

  it('sums without drift', () => {
    expect(formatAmount(sum(Array.from({ length: 1000 }, () => money('0.01'))))).toBe('10.00');
    expect(formatAmount(sum([]))).toBe('0.00');
  });
});
