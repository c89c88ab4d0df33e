import { customerStatusChangeProblem } from './customer-lifecycle';

describe('customer lifecycle', () => {
  it.each([
    ['Initialized', 'Approved', undefined],
    ['Approved', 'Active', undefined],
    ['Active', 'Suspended', undefined],
    ['Suspended', 'Active', undefined],
    ['Active', 'Closed', undefined],
    ['Active', 'Active', undefined],
    [undefined, 'Active', undefined],
    ['Initialized', 'Active', 'status: a customer cannot go from Initialized to Active (allowed: Approved, Closed)'],
    ['Closed', 'Active', 'status: a customer cannot go from Closed to Active'],
    ['Approved', undefined, 'status: a customer cannot go from Approved to (none) (allowed: Active, Closed)'],
  ] as const)('%p → %p', (from, to, problem) => {
    expect(customerStatusChangeProblem(from, to)).toBe(problem);
  });
});
