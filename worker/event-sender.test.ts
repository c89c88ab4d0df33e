import { retryDelaySeconds } from './event-sender';

describe('retryDelaySeconds', () => {
  const opts = { maxAttempts: 5, backoffBaseSeconds: 2, backoffCapSeconds: 10 };
  it.each([
    [1, 2],
    [2, 4],
    [3, 8],
    [4, 10],
    [5, null],
    [6, null],
  ])('after attempt %p waits %p s', (attempt, expected) => {
    expect(retryDelaySeconds(attempt, opts)).toBe(expected);
  });
});
