import { answerChannel, clockRuns, nextSlaStep, QUEUE_OF_TYPE, RESOLUTION_TIME_MS, ticketStatusChangeProblem } from './ticket';

const HOUR = 3_600_000;

describe('trouble ticket rules', () => {
  it('routes each kind of query to its queue', () => {
    expect(QUEUE_OF_TYPE).toEqual({ billing: 'billing', technical: 'technical-support', sales: 'sales-marketing', marketing: 'sales-marketing' });
  });

  it.each([
    ['acknowledged', 'inProgress', undefined],
    ['inProgress', 'pending', undefined],
    ['pending', 'inProgress', undefined],
    ['resolved', 'inProgress', undefined],
    ['resolved', 'closed', undefined],
    ['inProgress', 'inProgress', undefined],
    ['acknowledged', 'closed', 'a trouble ticket cannot go from acknowledged to closed (allowed: inProgress, pending, held, resolved, rejected, cancelled)'],
    ['closed', 'inProgress', 'a trouble ticket cannot go from closed to inProgress (closed is final)'],
    ['rejected', 'resolved', 'a trouble ticket cannot go from rejected to resolved (rejected is final)'],
    ['pending', 'rejected', 'a trouble ticket cannot go from pending to rejected (allowed: inProgress, held, resolved, cancelled)'],
  ] as const)('%s → %s', (from, to, problem) => {
    expect(ticketStatusChangeProblem(from, to)).toBe(problem);
  });

  it('stops the clock while the query waits on the customer, and once resolved', () => {
    expect(['acknowledged', 'inProgress', 'held', 'pending', 'resolved', 'closed'].map((s) => clockRuns(s as never))).toEqual([true, true, true, false, false, false]);
  });

  it('answers on SMS what came by SMS or phone, on email the rest', () => {
    expect(['sms', 'Phone', 'email', 'web', 'selfcare', undefined].map(answerChannel)).toEqual(['sms', 'sms', 'email', 'email', 'email', 'email']);
  });

  it('reminds at three quarters of the resolution time and escalates at the end', () => {
    const major = RESOLUTION_TIME_MS.major;
    expect(major).toBe(24 * HOUR);
    expect(nextSlaStep(major, 0, { reminded: false, escalated: false })).toEqual({ step: 'reminder', inMs: 18 * HOUR });
    expect(nextSlaStep(major, 10 * HOUR, { reminded: false, escalated: false })).toEqual({ step: 'reminder', inMs: 8 * HOUR });
    expect(nextSlaStep(major, 20 * HOUR, { reminded: true, escalated: false })).toEqual({ step: 'escalation', inMs: 4 * HOUR });
    expect(nextSlaStep(major, 30 * HOUR, { reminded: true, escalated: false })).toEqual({ step: 'escalation', inMs: 0 });
    expect(nextSlaStep(major, 30 * HOUR, { reminded: true, escalated: true })).toBeUndefined();
  });
});
