import { parseMicros } from '../../domain/micros';
import type { BucketState } from './plan';
import { EngineStateCache } from './state-cache';
import type { BatchState } from './store';
import type { ChargingRequest } from './types';

const bucket = (id: string, balance: string): BucketState => ({
  id,
  type: 'money',
  balance: parseMicros(balance),
  reserved: 0n,
  creditLimit: 0n,
  priority: 100,
  validFrom: new Date(0),
  validUntil: null,
  createdAt: new Date(0),
  owner: null,
});

const request = (msisdn: string): ChargingRequest => ({ sessionId: `s-${msisdn}`, requestNumber: 0, type: 'initial', subscriber: { msisdn }, eventTime: new Date(0), units: [] });

/** A read of one subscriber per account (account `a<n>` for number `<n>`) at revision 1, with 10.00 each. */
function readOf(numbers: string[]): { requests: ChargingRequest[]; state: BatchState } {
  return {
    requests: numbers.map(request),
    state: {
      sessions: new Map(),
      subscribers: numbers.map((n) => ({ msisdn: n, imsi: null, chargingAccountId: `a${n}`, tariff: { prices: [], offering: null, timeZone: null }, status: 'active' })),
      bucketsByAccount: new Map(numbers.map((n) => [`a${n}`, [bucket(`b${n}`, '10.00')]])),
      revisions: new Map(numbers.map((n) => [`a${n}`, 1])),
    },
  };
}

function keep(cache: EngineStateCache, numbers: string[], during?: () => void): void {
  const { requests, state } = readOf(numbers);
  const read = cache.startRead();
  during?.();
  cache.keepRead(read, requests, state);
}

describe('engine state cache', () => {
  it('holds what a read returned, and forgets the oldest past its size', () => {
    const cache = new EngineStateCache(2);
    keep(cache, ['1', '2']);
    expect(cache.lookup(request('1'))?.account.buckets[0].balance).toBe(parseMicros('10'));
    keep(cache, ['3']);
    expect(cache.lookup(request('1'))).toBeUndefined();
    expect(cache.lookup(request('3'))?.account.id).toBe('a3');
  });

  it('keeps the balances a write returned, unless two writes of the account overlapped', () => {
    const cache = new EngineStateCache(10);
    keep(cache, ['1', '2']);
    const one = new Map([['a1', 1]]);
    const kept = cache.beginWrite(one);
    cache.endWrite(one, kept, { sessions: [], buckets: [{ id: 'b1', balance: parseMicros('9.88'), reserved: parseMicros('0.12') }] });
    expect(cache.lookup(request('1'))?.account.buckets[0]).toMatchObject({ balance: parseMicros('9.88'), reserved: parseMicros('0.12') });

    const two = new Map([['a2', 1]]);
    const first = cache.beginWrite(two);
    const second = cache.beginWrite(two);
    cache.endWrite(two, second, { sessions: [], buckets: [{ id: 'b2', balance: parseMicros('9.76'), reserved: parseMicros('0') }] });
    cache.endWrite(two, first, { sessions: [], buckets: [{ id: 'b2', balance: parseMicros('9.88'), reserved: parseMicros('0') }] });
    expect(cache.lookup(request('2'))).toBeUndefined();
  });

  it('does not keep a read of an account written while the read ran, nor anything of a failed write', () => {
    const cache = new EngineStateCache(10);
    const account = new Map([['a1', 1]]);
    keep(cache, ['1'], () => cache.endWrite(account, cache.beginWrite(account), { sessions: [], buckets: [] }));
    expect(cache.lookup(request('1'))).toBeUndefined();

    keep(cache, ['1']);
    cache.endWrite(account, cache.beginWrite(account), { failed: ['s-1'] });
    expect(cache.lookup(request('1'))).toBeUndefined();
  });

  it('does not keep a read that started while a write of the account was in flight, even when the write ends first', () => {
    const cache = new EngineStateCache(10);
    keep(cache, ['1']);
    const account = new Map([['a1', 1]]);
    const kept = cache.beginWrite(account);
    // The read's snapshot may be taken before the write commits: it shows 10.00 with nothing reserved.
    const { requests, state } = readOf(['1']);
    const read = cache.startRead();
    cache.endWrite(account, kept, { sessions: [], buckets: [{ id: 'b1', balance: parseMicros('10'), reserved: parseMicros('10') }] });
    cache.keepRead(read, requests, state);
    // Read again rather than planned on balances older than the write's.
    expect(cache.lookup(request('1'))).toBeUndefined();
  });

  it('reads a subscriber again after the tariffs time to live (its product may have changed without its account)', () => {
    let now = 0;
    const cache = new EngineStateCache(10, { ttlMs: 60_000, now: () => now });
    keep(cache, ['1']);
    now = 59_999;
    expect(cache.lookup(request('1'))?.subscriber.msisdn).toBe('1');
    now = 60_000;
    expect(cache.lookup(request('1'))).toBeUndefined();
    keep(cache, ['1']);
    expect(cache.lookup(request('1'))?.subscriber.msisdn).toBe('1');
  });

  it('holds nothing when its size is 0', () => {
    const cache = new EngineStateCache(0);
    keep(cache, ['1']);
    expect(cache.lookup(request('1'))).toBeUndefined();
  });
});
