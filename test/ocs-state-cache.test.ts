/**
 * The engine's state cache on real PostgreSQL: a session's later requests are charged on what the
 * engine keeps, without a read, and never on state someone else has changed: a writer outside the
 * engine changes the account's revision, which fails the engine's write and makes it read again;
 * another OCS instance's release shows in the fresh read every refusal, and every plan that went past
 * units reserved on a bucket, is decided on.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { addBucket } from '../db/charging';
import { createKnex } from '../db/knex';
import { ManualClock } from '../domain/clock';
import { createChargingEngine, releaseDue, RESULT, type EngineObserver } from '../ocs/engine';
import { bucketState, createPrepaidAccount, ledgerOf } from './helpers/charging';
import { answer, DATA, grant, initial, PEAK, terminate, update, VOICE } from './helpers/charging-requests';

const knex = createKnex(process.env.DATABASE_URL!);
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
afterAll(async () => {
  await pool.end();
  await knex.destroy();
});

const clock = new ManualClock(PEAK);

/** An engine whose batches are recorded as [requests, read, written], with its conflicts. */
function observedEngine() {
  const seen = { batches: [] as Array<[number, boolean, boolean]>, conflicts: 0 };
  const observer: EngineObserver = {
    batch: (size, read, write, readRequests) => {
      // A batch reads exactly when some of its requests are not planned on memory.
      expect(read !== null).toBe(readRequests > 0);
      seen.batches.push([size, read !== null, write !== null]);
    },
    conflict: () => seen.conflicts++,
  };
  return { engine: createChargingEngine({ pool, clock, observer }), seen };
}

const revisionOf = async (accountId: string): Promise<number> => Number((await knex('charging_account').where({ id: accountId }).first('revision')).revision);

describe('the engine state cache', () => {
  it("charges a session's later requests without reading them; a retransmission is answered from a read", async () => {
    const [line] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '10.00' }] });
    const { engine, seen } = observedEngine();
    const id = `cache-${randomUUID()}`;
    const first = initial(line, id);
    expect(await engine.charge(first)).toEqual(answer(first, grant('60')));
    const second = update(line, id, 1, '60');
    const answered = await engine.charge(second);
    expect(answered).toEqual(answer(second, grant('60')));
    // The same update again: not from memory but from what PostgreSQL holds, and charged once.
    expect(await engine.charge(second)).toEqual(answered);
    expect(await engine.charge(terminate(line, id, 2, '30'))).toMatchObject({ resultCode: RESULT.SUCCESS });
    expect(seen).toEqual({
      batches: [
        [1, true, true],
        [1, false, true],
        [1, false, false],
        [1, true, false],
        [1, false, true],
      ],
      conflicts: 0,
    });
    // 90 s used: the first minute whole and 30 s at 0.002.
    expect(await bucketState(knex, line.buckets[0])).toEqual({ balance: '9.820000', reserved: '0.000000' });
  });

  it('reads an account again when anyone but the engine changes it: a data pass bought, a suspension', async () => {
    const [line] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '10.00' }] });
    const [cash] = line.buckets;
    const { engine, seen } = observedEngine();
    const call = initial(line, `cache-${randomUUID()}`);
    const revision = await revisionOf(line.accountId);
    expect(await engine.charge(call)).toEqual(answer(call, grant('60')));
    expect(await engine.charge(terminate(line, call.sessionId, 1, '60'))).toMatchObject({ resultCode: RESULT.SUCCESS });
    // The engine's own writes leave the revision as it was.
    expect(await revisionOf(line.accountId)).toBe(revision);

    // A data pass bought while the engine holds the account (without it): the next data session
    // uses the pass, not the money the engine had planned on.
    await addBucket(knex, { chargingAccountId: line.accountId, origin: `test:${randomUUID()}`, type: 'data', unit: 'octets', amount: '104857600', priority: 10, validFrom: PEAK });
    expect(await revisionOf(line.accountId)).toBe(revision + 1);
    const pass = (await knex('charging_bucket').where({ charging_account_id: line.accountId, bucket_type: 'data' }).first('id')).id as string;
    const browse = initial(line, `cache-${randomUUID()}`, DATA, '1048576');
    expect(await engine.charge(browse)).toEqual(answer(browse, grant('1048576', false, DATA)));
    expect(seen.conflicts).toBe(1);
    expect(await bucketState(knex, pass)).toEqual({ balance: '104857600.000000', reserved: '1048576.000000' });
    expect(await engine.charge(terminate(line, browse.sessionId, 1, '1048576', DATA))).toMatchObject({ resultCode: RESULT.SUCCESS });
    expect(await ledgerOf(knex, cash)).toEqual([
      ['reservation', '0.120000'],
      ['release', '0.120000'],
      ['debit', '0.120000'],
    ]);

    // A suspension counts at once for a subscriber the engine holds as active.
    await knex('charging_subscriber').where({ msisdn: line.msisdn }).update({ status: 'suspended' });
    const refused = initial(line, `cache-${randomUUID()}`);
    expect(await engine.charge(refused)).toEqual({ sessionId: refused.sessionId, requestNumber: 0, resultCode: RESULT.END_USER_SERVICE_DENIED, units: [] });
    expect(seen.conflicts).toBe(2);
    expect(await bucketState(knex, cash)).toEqual({ balance: '9.880000', reserved: '0.000000' });
  });

  it("decides a refusal on a fresh read: what another OCS instance released on a shared account is granted", async () => {
    const [one, two] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '0.24' }], lines: 2 });
    const a = createChargingEngine({ pool, clock });
    const b = observedEngine();
    const first = initial(one, `cache-${randomUUID()}`);
    const second = initial(two, `cache-${randomUUID()}`);
    expect(await a.charge(first)).toEqual(answer(first, grant('60')));
    // b holds the account with nothing left available.
    expect(await b.engine.charge(second)).toEqual(answer(second, grant('60')));
    // a releases its minute; b would refuse on what it holds, and reads before it does.
    expect(await a.charge(terminate(one, first.sessionId, 1, '0'))).toMatchObject({ resultCode: RESULT.SUCCESS });
    const third = initial(two, `cache-${randomUUID()}`);
    expect(await b.engine.charge(third)).toEqual(answer(third, grant('60')));
    expect(b.seen.batches.slice(1)).toEqual([
      [1, false, false],
      [1, true, true],
    ]);
    expect(await bucketState(knex, one.buckets[0])).toEqual({ balance: '0.240000', reserved: '0.240000' });
  });

  it('plans on a fresh read a request that would go past units reserved on a bucket: another OCS instance may have released them (the shared allowance, not money)', async () => {
    const [one, two] = await createPrepaidAccount(knex, { buckets: [{ type: 'voice', amount: '120' }, { type: 'money', amount: '10.00' }], lines: 2 });
    const [voice, cash] = one.buckets;
    const a = observedEngine();
    const b = createChargingEngine({ pool, clock });
    const first = initial(one, `cache-${randomUUID()}`, VOICE, '120');
    expect(await b.charge(first)).toEqual(answer(first, grant('120')));
    // a reads the account with the whole allowance reserved by b's call: its minute is on money.
    const second = initial(two, `cache-${randomUUID()}`);
    expect(await a.engine.charge(second)).toEqual(answer(second, grant('60')));
    expect(await bucketState(knex, cash)).toEqual({ balance: '10.000000', reserved: '0.120000' });
    // b's call ends having used nothing: the allowance is free again, which a's cache does not show.
    expect(await b.charge(terminate(one, first.sessionId, 1, '0'))).toMatchObject({ resultCode: RESULT.SUCCESS });
    const next = update(two, second.sessionId, 1, '60');
    expect(await a.engine.charge(next)).toEqual(answer(next, grant('60')));
    // Planned on the cache it went past the reserved allowance to money: planned again on a read.
    expect(a.seen.batches.slice(1)).toEqual([
      [1, false, false],
      [1, true, true],
    ]);
    // The minute used and the next one are the allowance's (units first), money's reservation released.
    expect(await bucketState(knex, voice)).toEqual({ balance: '60.000000', reserved: '60.000000' });
    expect(await bucketState(knex, cash)).toEqual({ balance: '10.000000', reserved: '0.000000' });
  });

  it('charges a session that moves between OCS instances once per request, each on the state the other left', async () => {
    const [line] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '10.00' }] });
    const a = observedEngine();
    const b = createChargingEngine({ pool, clock });
    const id = `cache-${randomUUID()}`;
    expect(await a.engine.charge(initial(line, id))).toEqual(answer(initial(line, id), grant('60')));
    // The network fails over to b for the first update, then comes back to a, which still holds the session at request 0.
    expect(await b.charge(update(line, id, 1, '60'))).toEqual(answer(update(line, id, 1, '60'), grant('60')));
    // For what a holds, request 2 is out of sequence: a reads before it refuses, and charges it.
    expect(await a.engine.charge(update(line, id, 2, '60'))).toEqual(answer(update(line, id, 2, '60'), grant('60')));
    expect(a.seen.batches.slice(1)).toEqual([
      [1, false, false],
      [1, true, true],
    ]);
    expect(await a.engine.charge(terminate(line, id, 3, '0'))).toMatchObject({ resultCode: RESULT.SUCCESS });
    // Two minutes used: the first whole (0.12) and 60 s at 0.002; every reservation released.
    expect(await bucketState(knex, line.buckets[0])).toEqual({ balance: '9.760000', reserved: '0.000000' });
    expect((await ledgerOf(knex, line.buckets[0])).filter(([kind]) => kind === 'debit')).toEqual([
      ['debit', '0.120000'],
      ['debit', '0.120000'],
    ]);
  });

  it('retries only the requests still unanswered when the fresh read after a batch write fails', async () => {
    const [line] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '10.00' }], lines: 1 });
    // The next batch read fails once, as a dropped connection would.
    let failNextRead = false;
    const flaky = new Proxy(pool, {
      get(target, prop) {
        if (prop === 'query') {
          return (q: { name?: string }, ...rest: unknown[]) => {
            if (failNextRead && q?.name === 'ocs_read_batch') {
              failNextRead = false;
              return Promise.reject(new Error('connection lost'));
            }
            return (target.query as (...args: unknown[]) => unknown)(q, ...rest);
          };
        }
        const value = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const seen: Array<[number, boolean, boolean]> = [];
    const engine = createChargingEngine({ pool: flaky, clock, observer: { batch: (size, read, write) => seen.push([size, read !== null, write !== null]), conflict: () => undefined } });
    const a = initial(line, `cache-${randomUUID()}`);
    const b = initial(line, `cache-${randomUUID()}`);
    await engine.charge(a);
    const first = await engine.charge(b);
    seen.length = 0;
    failNextRead = true;
    // One batch: a's update is written from memory; b's retransmission is decided again on a read, which fails.
    const [updated, again] = await Promise.all([engine.charge(update(line, a.sessionId, 1, '60')), engine.charge(b)]);
    expect(updated).toEqual(answer(update(line, a.sessionId, 1, '60'), grant('60')));
    expect(again).toEqual(first);
    // The written update is not sent again: only the retransmission goes alone, and reads.
    expect(seen).toEqual([
      [2, false, true],
      [1, true, false],
    ]);
    expect(await bucketState(knex, line.buckets[0])).toEqual({ balance: '9.880000', reserved: '0.240000' });
  });

  it("reads a session again after the sweeper released its reservation", async () => {
    const [line] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '1.00' }] });
    const { engine, seen } = observedEngine();
    const call = initial(line, `cache-${randomUUID()}`);
    expect(await engine.charge(call)).toEqual(answer(call, grant('60')));
    const sweep = await pool.connect();
    try {
      await sweep.query('BEGIN');
      expect(await releaseDue(sweep, call.sessionId, new Date(PEAK.getTime() + 631_000))).toEqual({ released: 1, closed: false });
      await sweep.query('COMMIT');
    } finally {
      sweep.release();
    }
    // Planned on the reservation the engine holds, the update is refused by the write's guard and planned again without it.
    expect(await engine.charge(update(line, call.sessionId, 1, '60'))).toEqual(answer(update(line, call.sessionId, 1, '60'), grant('60')));
    expect(seen.conflicts).toBe(1);
    expect(await bucketState(knex, line.buckets[0])).toEqual({ balance: '0.880000', reserved: '0.120000' });
  });
});
