import { addQuantities, allowanceCovers, splitByAllowance, subtractQuantities } from './allowance';

describe('allowances', () => {
  it('cover national calls and SMS, and all data', () => {
    expect(['national', 'national-peak', 'national-off-peak', 'premium', 'international', 'freephone'].map((b) => allowanceCovers('voice', b))).toEqual([true, true, true, false, false, false]);
    expect(allowanceCovers('sms', 'international')).toBe(false);
    expect(allowanceCovers('data', 'any')).toBe(true);
  });

  it.each([
    ['100', '1000', '0', '100', '0'],
    ['100', '1000', '950', '50', '50'],
    ['100', '1000', '1000', '0', '100'],
    ['100', '1000', '1200', '0', '100'], // over-used (an allowance lowered later): nothing left
    ['21474836481', '21474836480', '0', '21474836480', '1'], // beyond 2^53-safe arithmetic is still exact
    ['1.5', '10', '9', '1', '0.5'],
    ['2.25', '10', '8.5', '1.5', '0.75'],
    ['7', 'unlimited', '123', '7', '0'],
  ])('%s with allowance %s of which %s used: %s free, %s beyond', (quantity, allowance, used, free, overage) => {
    expect(splitByAllowance(quantity, allowance, used)).toEqual({ fromAllowance: free, overage });
  });

  it('adds quantities exactly', () => {
    expect(addQuantities('9007199254740993', '1')).toBe('9007199254740994');
    expect(addQuantities('0.1', '0.2')).toBe('0.3');
  });

  it('subtracts quantities exactly', () => {
    expect(subtractQuantities('9007199254740994', '1')).toBe('9007199254740993');
    expect(subtractQuantities('21474836480', '21474836480')).toBe('0');
    expect(subtractQuantities('0.3', '0.1')).toBe('0.2');
    expect(subtractQuantities('5', '2.5')).toBe('2.5');
  });
});
