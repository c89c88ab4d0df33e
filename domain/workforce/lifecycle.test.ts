import { appointmentStatusChangeProblem, workOrderStateChangeProblem } from './lifecycle';

describe('appointment status', () => {
  it('allows the planned path and refuses leaving a final status', () => {
    expect(appointmentStatusChangeProblem('initialized', 'confirmed')).toBeUndefined();
    expect(appointmentStatusChangeProblem('confirmed', 'completed')).toBeUndefined();
    expect(appointmentStatusChangeProblem('confirmed', 'failed')).toBeUndefined();
    expect(appointmentStatusChangeProblem('confirmed', 'confirmed')).toBeUndefined();
    expect(appointmentStatusChangeProblem('cancelled', 'confirmed')).toBe('appointment status cannot change from cancelled to confirmed');
    expect(appointmentStatusChangeProblem('failed', 'completed')).toBe('appointment status cannot change from failed to completed');
    expect(appointmentStatusChangeProblem('initialized', 'completed')).toBe('appointment status cannot change from initialized to completed');
  });
});

describe('work order state', () => {
  it('allows completion from acknowledged or in progress, and nothing after a final state', () => {
    expect(workOrderStateChangeProblem('acknowledged', 'inProgress')).toBeUndefined();
    expect(workOrderStateChangeProblem('acknowledged', 'completed')).toBeUndefined();
    expect(workOrderStateChangeProblem('inProgress', 'completed')).toBeUndefined();
    expect(workOrderStateChangeProblem('completed', 'completed')).toBeUndefined();
    expect(workOrderStateChangeProblem('completed', 'inProgress')).toBe('work order state cannot change from completed to inProgress');
    expect(workOrderStateChangeProblem('cancelled', 'completed')).toBe('work order state cannot change from cancelled to completed');
    expect(workOrderStateChangeProblem('held', 'completed')).toBe('work order state cannot change from held to completed');
  });
});
