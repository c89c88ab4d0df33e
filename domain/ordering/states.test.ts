import {
  CANCEL_ORDER_TRANSITIONS,
  FINAL_ORDER_STATES,
  ORDER_TRANSITIONS,
  PRODUCT_ORDER_ITEM_STATES,
  PRODUCT_ORDER_STATES,
  PRODUCT_STATUSES,
  PRODUCT_TRANSITIONS,
  SERVICE_STATES,
  SERVICE_TRANSITIONS,
  transitionProblem,
} from './states';

describe('order-side lifecycles', () => {
  it('lists every TMF622 v4 order state, and item states without partial', () => {
    expect(PRODUCT_ORDER_STATES).toHaveLength(11);
    expect(PRODUCT_ORDER_ITEM_STATES).toHaveLength(10);
    expect(PRODUCT_ORDER_ITEM_STATES).not.toContain('partial');
  });

  it('allows the order moves of the TMF622 lifecycle', () => {
    const problem = (from: string, to: string) => transitionProblem(ORDER_TRANSITIONS, 'product order', 'state', from as never, to as never);
    expect(problem('acknowledged', 'inProgress')).toBeUndefined();
    expect(problem('acknowledged', 'rejected')).toBeUndefined();
    expect(problem('inProgress', 'completed')).toBeUndefined();
    expect(problem('inProgress', 'assessingCancellation')).toBeUndefined();
    expect(problem('assessingCancellation', 'inProgress')).toBeUndefined();
    expect(problem('pendingCancellation', 'cancelled')).toBeUndefined();
    expect(problem('completed', 'completed')).toBeUndefined();
  });

  it('refuses moves out of final states and skipped steps, naming what is allowed', () => {
    const problem = (from: string, to: string) => transitionProblem(ORDER_TRANSITIONS, 'product order', 'state', from as never, to as never);
    expect(problem('completed', 'inProgress')).toBe('state: a product order cannot go from completed to inProgress (completed is final)');
    expect(problem('acknowledged', 'completed')).toBe(
      'state: a product order cannot go from acknowledged to completed (allowed: rejected, pending, held, inProgress, assessingCancellation)',
    );
    expect(problem('inProgress', 'cancelled')).toBe(
      'state: a product order cannot go from inProgress to cancelled (allowed: pending, held, completed, failed, partial, assessingCancellation)',
    );
    for (const state of FINAL_ORDER_STATES) expect(ORDER_TRANSITIONS[state]).toEqual([]);
  });

  it('moves a cancellation request to done or terminatedWithError only', () => {
    expect(transitionProblem(CANCEL_ORDER_TRANSITIONS, 'cancellation', 'state', 'acknowledged', 'done')).toBeUndefined();
    expect(transitionProblem(CANCEL_ORDER_TRANSITIONS, 'cancellation', 'state', 'done', 'inProgress')).toBe(
      'state: a cancellation cannot go from done to inProgress (done is final)',
    );
  });

  it('keeps products and services on their inventory lifecycles', () => {
    expect(PRODUCT_STATUSES).toContain('aborted');
    expect(transitionProblem(PRODUCT_TRANSITIONS, 'product', 'status', 'created', 'active')).toBeUndefined();
    expect(transitionProblem(PRODUCT_TRANSITIONS, 'product', 'status', 'active', 'suspended')).toBeUndefined();
    expect(transitionProblem(PRODUCT_TRANSITIONS, 'product', 'status', 'terminated', 'active')).toBe(
      'status: a product cannot go from terminated to active (terminated is final)',
    );
    expect(transitionProblem(PRODUCT_TRANSITIONS, 'product', 'status', 'active', 'created')).toBe(
      'status: a product cannot go from active to created (allowed: suspended, pendingTerminate, terminated)',
    );
    expect(SERVICE_STATES).toHaveLength(6);
    expect(transitionProblem(SERVICE_TRANSITIONS, 'service', 'state', 'reserved', 'active')).toBeUndefined();
    expect(transitionProblem(SERVICE_TRANSITIONS, 'service', 'state', 'active', 'designed')).toBe(
      'state: a service cannot go from active to designed (allowed: inactive, terminated)',
    );
  });

  it('lets a new resource start anywhere', () => {
    expect(transitionProblem(SERVICE_TRANSITIONS, 'service', 'state', undefined, 'active')).toBeUndefined();
  });
});
