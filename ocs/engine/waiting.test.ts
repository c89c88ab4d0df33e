import type { Plan } from './plan';
import type { PlannedWrite } from './store';
import { RESULT, type UnitGrant } from './types';
import { WaitingByAccount, type OtherInstances } from './waiting';

/** A committed write of `sessionId` on `account`: its answer's units, and per bucket what it debited and reserved (negative: released). */
function write(sessionId: string, account: string, units: Array<Partial<UnitGrant>>, changes: Array<[bigint, bigint]> = [], type: 'initial' | 'update' | 'termination' = 'update'): PlannedWrite {
  const plan = {
    bucketChanges: new Map(changes.map(([debit, reserve], k) => [`bucket-${k}`, { debit, reserve }])),
    answer: { sessionId, requestNumber: 1, resultCode: RESULT.SUCCESS, units: units.map((u) => ({ ratingGroup: 100, resultCode: RESULT.SUCCESS, ...u })) },
  } as unknown as Plan;
  return { plan, request: { sessionId, requestNumber: 1, type, subscriber: {}, eventTime: new Date(0), units: [] }, session: undefined, chargingAccountId: account, msisdn: '+34600000001' };
}

describe('sessions waiting for credit, by account', () => {
  it("hands on the waiting sessions of an account where a write frees credit, not the writer's own nor another account's", () => {
    const freed: string[][] = [];
    const waiting = new WaitingByAccount((ids) => freed.push(ids));
    waiting.afterWrites([write('b', 'family', [{ resultCode: RESULT.CREDIT_LIMIT_REACHED }], [], 'initial'), write('c', 'family', [{ finalUnit: true }], [], 'initial'), write('x', 'other', [{ finalUnit: true }], [], 'initial')]);
    expect(freed).toEqual([]);
    // An update that reserves as much as it releases frees nothing; one that releases more does.
    waiting.afterWrites([write('a', 'family', [{ granted: { quantity: '60' } }], [[100n, -100n]])]);
    expect(freed).toEqual([]);
    waiting.afterWrites([write('a', 'family', [], [[120_000n, -240_000n]], 'termination')]);
    expect(freed).toEqual([['b', 'c']]);
    // b is granted again (no longer waits) and hands back what it held: c is told, not b.
    waiting.afterWrites([write('b', 'family', [{ granted: { quantity: '60' } }], [[0n, -1n]])]);
    expect(freed).toEqual([['b', 'c'], ['c']]);
    // A waiting session that frees credit itself is not told of it.
    waiting.afterWrites([write('c', 'family', [{ finalUnit: true }], [[0n, -1n]])]);
    expect(freed).toEqual([['b', 'c'], ['c']]);
    // One closed by the sweeper is forgotten.
    waiting.forget('c');
    waiting.afterWrites([write('a', 'family', [], [[0n, -1n]], 'termination')]);
    expect(freed).toEqual([['b', 'c'], ['c']]);
  });

  it('tells other instances of the accounts its sessions wait on, and of credit it frees where theirs wait', () => {
    const told: string[] = [];
    const freedForOthers: string[][] = [];
    const others: OtherInstances = {
      waitOn: (account) => account === 'family',
      sessionWaits: (account) => told.push(account),
      creditFreed: (accounts) => freedForOthers.push(accounts),
    };
    const freed: string[][] = [];
    const waiting = new WaitingByAccount((ids) => freed.push(ids), { others });
    waiting.afterWrites([write('b', 'single', [{ resultCode: RESULT.CREDIT_LIMIT_REACHED }], [], 'initial'), write('a', 'family', [{ granted: { quantity: '60' } }], [[0n, 100n]], 'initial')]);
    expect(told).toEqual(['single']);
    // Reserving as much as it releases frees nothing; an account nobody waits on is not told.
    waiting.afterWrites([write('a', 'family', [{ granted: { quantity: '60' } }], [[100n, -100n]]), write('c', 'lonely', [], [[0n, -1n]], 'termination')]);
    expect(freedForOthers).toEqual([]);
    // Two lines of the family hang up in one batch: one notice for the account; nobody here waits on it.
    waiting.afterWrites([write('a', 'family', [], [[30n, -100n]], 'termination'), write('d', 'family', [], [[0n, -5n]], 'termination')]);
    expect(freedForOthers).toEqual([['family']]);
    expect(freed).toEqual([]);
  });
});
