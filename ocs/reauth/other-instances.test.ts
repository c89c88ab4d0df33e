import { CREDIT_CHANNEL, WAITING_CHANNEL } from './account-watcher';
import { OtherInstancesWaiting } from './other-instances';

describe('what OCS instances tell each other of waits', () => {
  let now = 0;
  let sent: Array<[string, string[]]> = [];
  const others = (max?: number) => new OtherInstancesWaiting({ ttlMs: 600_000, now: () => now, notify: (channel, payloads) => sent.push([channel, payloads]), ...(max ? { max } : {}) });
  beforeEach(() => {
    now = 0;
    sent = [];
  });

  it('remembers an account another instance waits on for a validity time and a half: a wait it did not say again (within half a validity time of the last) is covered for a whole one', () => {
    const o = others();
    expect(o.waitOn('family')).toBe(false);
    o.heard('family');
    // A second line of the account begins to wait at 299 s, not said again: it waits until 899 s.
    now = 899_999;
    expect(o.waitOn('family')).toBe(true);
    expect(o.waitOn('other')).toBe(false);
    now = 900_000;
    expect(o.waitOn('family')).toBe(false);
    // Heard again: remembered again from then.
    o.heard('family');
    now = 1_700_000;
    expect(o.waitOn('family')).toBe(true);
  });

  it('says a wait once per half validity time per account, and tells of freed credit on the credit channel', () => {
    const o = others();
    o.sessionWaits('family');
    o.sessionWaits('family');
    o.sessionWaits('other');
    now = 299_999;
    o.sessionWaits('family');
    now = 300_000;
    o.sessionWaits('family');
    o.creditFreed(['family', 'other']);
    expect(sent).toEqual([
      [WAITING_CHANNEL, ['family']],
      [WAITING_CHANNEL, ['other']],
      [WAITING_CHANNEL, ['family']],
      [CREDIT_CHANNEL, ['family', 'other']],
    ]);
  });

  it('keeps at most `max` accounts, forgetting the earliest heard first', () => {
    const o = others(2);
    o.heard('a');
    o.heard('b');
    o.heard('a'); // heard again: now the latest
    o.heard('c');
    expect([o.waitOn('a'), o.waitOn('b'), o.waitOn('c')]).toEqual([true, false, true]);
  });
});
