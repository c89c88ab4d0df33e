import { activationPlan, isNetworkState } from './plan';

describe('activationPlan', () => {
  it.each([
    ['designed', 'active', ['activate']],
    ['reserved', 'active', ['activate']],
    ['feasibilityChecked', 'active', ['activate']],
    ['inactive', 'active', ['restore']],
    ['active', 'inactive', ['suspend']],
    ['designed', 'inactive', ['activate', 'suspend']],
    ['reserved', 'inactive', ['activate', 'suspend']],
    ['active', 'terminated', ['deactivate']],
    ['inactive', 'terminated', ['deactivate']],
    ['designed', 'terminated', ['deactivate']],
    ['active', 'active', []],
    ['inactive', 'inactive', []],
    ['designed', 'reserved', []],
    ['feasibilityChecked', 'designed', []],
  ])('%s → %s: %j', (from, to, plan) => {
    expect(activationPlan(from, to)).toEqual(plan);
  });

  it('knows the network states', () => {
    expect(['active', 'inactive', 'terminated', 'designed', 'reserved', undefined].map(isNetworkState)).toEqual([true, true, true, false, false, false]);
  });
});
