/**
 * Batched charging on real PostgreSQL: requests that arrive together are read and written as one
 * batch, planned in arrival order on the shared account, and stay exact with retransmissions and
 * with writers outside the batch (a top-up, an adjustment) committing while the batch is in flight.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { createKnex } from '../db/knex';
import { ManualClock } from '../domain/clock';
import { createChargingEngine, EngineOverloaded, reconcileLedger, releaseDue, RESULT, type ChargingAnswer, type ChargingEngine, type ChargingRequest } from '../ocs/engine';
import { bucketState, createPrepaidAccount, ledgerOf } from './helpers/charging';
import { answer, DATA, grant, initial, PEAK, refused, request, terminate, update, VOICE } from './helpers/charging-requests';

const knex = createKnex(process.env.DATABASE_URL!);
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
afterAll(async () => {
  await pool.end();
  await knex.destroy();
});

const clock = new ManualClock(PEAK);
const engine = createChargingEngine({ pool, clock });
const SMS = 200;

/**
 * Runs `change` on the bucket in a transaction that holds its row lock until a batch write waits
 * for it, then commits: the batch has read (and planned on) the state before the change.
 */
async function commitWhileBatchWaits(bucketId: string, change: (client: pg.PoolClient) => Promise<void>, charges: () => Promise<ChargingAnswer[]>): Promise<ChargingAnswer[]> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT id FROM charging_bucket WHERE id = $1 FOR UPDATE', [bucketId]);
    await change(client);
    const answers = charges();
    // Should the batch not wait (a failure), its outcome ends the wait rather than a timeout.
    let settled = false;
    void answers.then(
      () => (settled = true),
      () => (settled = true),
    );
    while (!settled) {
      // Asked on another connection: inside a transaction pg_stat_activity is read once and kept.
      const { rows } = await pool.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%UPDATE charging_bucket b SET balance%'`,
      );
      if (rows[0].n > 0) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    await client.query('COMMIT');
    return await answers;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** Sends requests in the same turn of the event loop, so that they go in one batch. */
const together = (e: ChargingEngine, requests: ChargingRequest[]) => Promise.all(requests.map((r) => e.charge(r)));

describe('batched charging', () => {
  it('plans a batch on one shared account in arrival order, with retransmissions and a top-up committed during its write, to the cent', async () => {
    const lines = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '1.00' }], lines: 5 });
    const cash = lines[0].buckets[0];
    const ids = lines.map(() => `batch-${randomUUID()}`);
    const initials = lines.map((line, i) => initial(line, ids[i]));
    expect(await together(engine, initials)).toEqual(initials.map((r) => answer(r, grant('60'))));
    expect(await bucketState(knex, cash)).toEqual({ balance: '1.000000', reserved: '0.600000' });

    // One batch, on an OCS that has just started (nothing cached: the batch reads all of it). Each
    // update debits 0.12 and reserves the next 0.12 on what the batch read (0.40 available, the
    // top-up not yet committed): the 4th gets the 20 s 0.04 still buys, the 5th nothing.
    const restarted = createChargingEngine({ pool, clock });
    const updates = lines.map((line, i) => update(line, ids[i], 1, '60'));
    const latecomer = initial(lines[0], `batch-${randomUUID()}`);
    const stranger = terminate(lines[1], `batch-${randomUUID()}`, 3, '10');
    const mixed = [...updates, updates[0], initials[1], latecomer, stranger];
    const answers = await commitWhileBatchWaits(
      cash,
      async (client) => {
        await client.query('UPDATE charging_bucket SET balance = balance + 5 WHERE id = $1', [cash]);
        await client.query(`INSERT INTO charging_ledger (bucket_id, kind, amount, reference, created_at) VALUES ($1, 'credit', 5, $2, $3)`, [cash, `topup:${randomUUID()}`, PEAK]);
      },
      () => together(restarted, mixed),
    );
    expect(answers).toEqual([
      answer(updates[0], grant('60')),
      answer(updates[1], grant('60')),
      answer(updates[2], grant('60')),
      answer(updates[3], grant('20', true)),
      answer(updates[4], refused),
      // The same update again: the first answer, charged once.
      answer(updates[0], grant('60')),
      // The initial request again, behind the update of its session: no longer the last, refused.
      { sessionId: initials[1].sessionId, requestNumber: 0, resultCode: RESULT.UNABLE_TO_COMPLY, units: [] },
      answer(latecomer, refused),
      { sessionId: stranger.sessionId, requestNumber: 3, resultCode: RESULT.UNKNOWN_SESSION_ID, units: [] },
    ]);
    // 1.00 + 5.00 − 5 × 0.12; reserved 3 × 0.12 + 0.04.
    expect(await bucketState(knex, cash)).toEqual({ balance: '5.400000', reserved: '0.400000' });

    // The top-up counts at once for the next request.
    const after = initial(lines[2], `batch-${randomUUID()}`);
    expect(await restarted.charge(after)).toEqual(answer(after, grant('60')));

    const ends = [
      ...lines.map((line, i) => terminate(line, ids[i], 2, i < 3 ? '60' : i === 3 ? '20' : '0')),
      terminate(lines[0], latecomer.sessionId, 1, '0'),
      terminate(lines[2], after.sessionId, 1, '60'),
    ];
    expect((await together(restarted, ends)).map((a) => a.resultCode)).toEqual(ends.map(() => RESULT.SUCCESS));
    // 6.00 − 5 × 0.12 (updates) − 3 × 0.12 − 0.04 (terminations) − 0.12 (the call after the top-up).
    expect(await bucketState(knex, cash)).toEqual({ balance: '4.880000', reserved: '0.000000' });
    const ledger = await ledgerOf(knex, cash);
    expect(ledger.filter(([kind]) => kind === 'debit').length).toBe(10);
    expect(ledger.filter(([kind]) => kind === 'credit')).toEqual([['credit', '5.000000']]);
    expect((await reconcileLedger(pool)).filter((d) => d.bucketId === cash)).toEqual([]);
    const open = await knex('charging_session').whereIn('id', [...ids, latecomer.sessionId, after.sessionId]).where({ state: 'open' }).count<{ count: string }[]>('id as count');
    expect(Number(open[0].count)).toBe(0);
  });

  it('reads and plans a batch again when a writer outside it takes money the batch had planned on', async () => {
    const lines = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '1.00' }], lines: 3 });
    const cash = lines[0].buckets[0];
    const initials = lines.map((line) => initial(line, `batch-${randomUUID()}`));
    // On the 1.00 read the batch grants all three (0.36); the adjustment leaves 0.30, which the
    // write's guard catches: planned again on 0.30, two minutes are granted and the third refused.
    const answers = await commitWhileBatchWaits(
      cash,
      async (client) => {
        await client.query('UPDATE charging_bucket SET balance = balance - 0.70 WHERE id = $1', [cash]);
        await client.query(`INSERT INTO charging_ledger (bucket_id, kind, amount, reference, created_at) VALUES ($1, 'debit', 0.70, $2, $3)`, [cash, `adjustment:${randomUUID()}`, PEAK]);
      },
      () => together(engine, initials),
    );
    expect(answers).toEqual([answer(initials[0], grant('60')), answer(initials[1], grant('60')), answer(initials[2], refused)]);
    expect(await bucketState(knex, cash)).toEqual({ balance: '0.300000', reserved: '0.240000' });
    expect(await ledgerOf(knex, cash)).toEqual([
      ['debit', '0.700000'],
      ['reservation', '0.120000'],
      ['reservation', '0.120000'],
    ]);
    expect((await reconcileLedger(pool)).filter((d) => d.bucketId === cash)).toEqual([]);
  });

  describe('two OCS instances charging one shared account, each planning on what it last wrote or read', () => {
    // The other's writes do not change the account's revision (only writers outside the engine do),
    // so each plans on balances the other has since changed; the write's guard must catch that.
    const other = createChargingEngine({ pool, clock });

    it('grants no quota the balance no longer holds, though the update only renews what the session held', async () => {
      const [x, y] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '0.24' }], lines: 2 });
      const cash = x.buckets[0];
      const xId = `batch-${randomUUID()}`;
      expect(await engine.charge(initial(x, xId))).toEqual(answer(initial(x, xId), grant('60')));
      // The other instance grants Y the last 0.12.
      const yInitial = initial(y, `batch-${randomUUID()}`);
      expect(await other.charge(yInitial)).toEqual(answer(yInitial, grant('60')));
      // X reports its minute and asks for another: planned on 0.24 with 0.12 held, it would renew
      // its 0.12; there is nothing left for it once its minute is paid.
      const xUpdate = update(x, xId, 1, '60');
      expect(await engine.charge(xUpdate)).toEqual(answer(xUpdate, refused));
      expect(await bucketState(knex, cash)).toEqual({ balance: '0.120000', reserved: '0.120000' });
      expect((await reconcileLedger(pool)).filter((d) => d.bucketId === cash)).toEqual([]);
    });

    it('charges no SMS the balance no longer pays', async () => {
      const [x, y] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '0.20' }], lines: 2 });
      const cash = x.buckets[0];
      const sms = (line: typeof x) => request(line, `batch-${randomUUID()}`, 0, 'event', [{ ratingGroup: SMS, requested: { quantity: '1' } }]);
      expect((await engine.charge(sms(x))).units[0].resultCode).toBe(RESULT.SUCCESS);
      expect((await other.charge(sms(y))).units[0].resultCode).toBe(RESULT.SUCCESS);
      // 0.02 is left: a second SMS of 0.09 planned on the 0.11 this instance saw is refused.
      expect((await engine.charge(sms(x))).units[0]).toEqual({ ratingGroup: SMS, resultCode: RESULT.CREDIT_LIMIT_REACHED });
      expect(await bucketState(knex, cash)).toEqual({ balance: '0.020000', reserved: '0.000000' });
      expect((await reconcileLedger(pool)).filter((d) => d.bucketId === cash)).toEqual([]);
    });
  });

  it('refuses (5012) a request numbered past what a session keeps, and charges the rest of its batch', async () => {
    const lines = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '10.00' }], lines: 3 });
    const requests = lines.map((line) => initial(line, `batch-${randomUUID()}`));
    // An Unsigned32 on the wire, past the session's 32-bit column.
    const huge = { ...request(lines[2], `batch-${randomUUID()}`, 2 ** 31, 'event', [{ ratingGroup: SMS, requested: { quantity: '1' } }]) };
    const answers = await together(engine, [requests[0], huge, requests[1]]);
    expect(answers).toEqual([answer(requests[0], grant('60')), { sessionId: huge.sessionId, requestNumber: 2 ** 31, resultCode: RESULT.UNABLE_TO_COMPLY, units: [] }, answer(requests[1], grant('60'))]);
    expect(await knex('charging_session').where({ id: huge.sessionId })).toHaveLength(0);
    expect(await bucketState(knex, lines[0].buckets[0])).toEqual({ balance: '10.000000', reserved: '0.240000' });
  });

  it('debits what every rating group of a request used before it reserves new quota for any', async () => {
    const [line] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '0.50' }] });
    const cash = line.buckets[0];
    const sessionId = `batch-${randomUUID()}`;
    expect((await engine.charge(initial(line, sessionId))).units[0]).toEqual(grant('60'));
    // Data asks for quota first, then voice reports 400 s against its minute: the call costs
    // 0.12 + 340 × 0.002 = 0.80, which takes the balance to -0.30, and data gets nothing.
    const both = request(line, sessionId, 1, 'update', [
      { ratingGroup: DATA, requested: {} },
      { ratingGroup: VOICE, used: { quantity: '400' } },
    ]);
    expect(await engine.charge(both)).toEqual({
      sessionId,
      requestNumber: 1,
      resultCode: RESULT.SUCCESS,
      units: [
        { ratingGroup: DATA, resultCode: RESULT.CREDIT_LIMIT_REACHED },
        { ratingGroup: VOICE, resultCode: RESULT.SUCCESS },
      ],
    });
    expect(await bucketState(knex, cash)).toEqual({ balance: '-0.300000', reserved: '0.000000' });
  });

  it('reads and plans a batch again when the sweeper releases a reservation the batch had planned to release', async () => {
    const [line] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '10.00' }] });
    const cash = line.buckets[0];
    const sessionId = `batch-${randomUUID()}`;
    await engine.charge(initial(line, sessionId));
    const seen = { batches: [] as Array<[number, boolean]>, conflicts: 0 };
    const observed = createChargingEngine({ pool, clock, observer: { batch: (size, _read, write) => seen.batches.push([size, write !== null]), conflict: () => seen.conflicts++ } });
    // The batch reads the reservation of the first minute and plans to release it; the sweeper,
    // committing first, releases it as expired. Written as planned, it would be released twice.
    const [answered] = await commitWhileBatchWaits(
      cash,
      async (client) => {
        expect(await releaseDue(client, sessionId, new Date(PEAK.getTime() + 631_000))).toEqual({ released: 1, closed: false });
      },
      () => together(observed, [update(line, sessionId, 1, '60')]),
    );
    expect(answered).toEqual(answer(update(line, sessionId, 1, '60'), grant('60')));
    // Told to the metrics: one write refused by its guard, then the batch read and written again.
    expect(seen).toEqual({ batches: [[1, true]], conflicts: 1 });
    expect(await bucketState(knex, cash)).toEqual({ balance: '9.880000', reserved: '0.120000' });
    expect(await ledgerOf(knex, cash)).toEqual([
      ['reservation', '0.120000'],
      ['release', '0.120000'],
      ['debit', '0.120000'],
      ['reservation', '0.120000'],
    ]);
    expect((await reconcileLedger(pool)).filter((d) => d.bucketId === cash)).toEqual([]);
  });

  it('refuses an update whose session the sweeper closed as abandoned while the batch waited to write it', async () => {
    const [line] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '10.00' }] });
    const cash = line.buckets[0];
    const sessionId = `batch-${randomUUID()}`;
    await engine.charge(initial(line, sessionId));
    const observed = createChargingEngine({ pool, clock });
    // The batch planned on the open session; the sweeper, committing first, closes it (past the
    // session timeout) and releases its minute. Written as planned, the closed session would be
    // charged and its reservation released twice.
    const [answered] = await commitWhileBatchWaits(
      cash,
      async (client) => {
        expect(await releaseDue(client, sessionId, new Date(PEAK.getTime() + 1_801_000))).toEqual({ released: 1, closed: true });
      },
      () => together(observed, [update(line, sessionId, 1, '60')]),
    );
    expect(answered).toEqual({ sessionId, requestNumber: 1, resultCode: RESULT.UNKNOWN_SESSION_ID, units: [] });
    expect(await bucketState(knex, cash)).toEqual({ balance: '10.000000', reserved: '0.000000' });
    expect(await ledgerOf(knex, cash)).toEqual([
      ['reservation', '0.120000'],
      ['release', '0.120000'],
    ]);
    expect(await knex('charging_session').where({ id: sessionId }).first('state', 'last_request_number')).toEqual({ state: 'closed', last_request_number: 0 });
  });

  it('charges the same way one request at a time when batching is off', async () => {
    const single = createChargingEngine({ pool, clock, config: { maxBatch: 1 } });
    const lines = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '0.30' }], lines: 3 });
    const cash = lines[0].buckets[0];
    const initials = lines.map((line) => initial(line, `single-${randomUUID()}`));
    const answers = await together(single, initials);
    expect(answers.filter((a) => a.units[0].resultCode === RESULT.SUCCESS).length).toBe(2);
    expect(answers.filter((a) => a.units[0].resultCode === RESULT.CREDIT_LIMIT_REACHED).length).toBe(1);
    expect(await single.charge(initials[0])).toEqual(answers[0]);
    expect(await bucketState(knex, cash)).toEqual({ balance: '0.300000', reserved: '0.240000' });
  });

  it('refuses a request at once while as many as it may hold wait for a batch, and charges those it took', async () => {
    const lines = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '10.00' }], lines: 4 });
    // The database answers only when the test lets it: the first batch stays in flight.
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const held = new Proxy(pool, {
      get(target, prop) {
        if (prop === 'query') return async (...args: unknown[]) => gate.then(() => (target.query as (...a: unknown[]) => unknown)(...args));
        const value = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const busy = createChargingEngine({ pool: held, clock, config: { maxQueued: 2, batchesInFlight: 1 } });
    const calls = lines.map((line) => initial(line, `busy-${randomUUID()}`));
    const first = busy.charge(calls[0]);
    await new Promise((resolve) => setImmediate(resolve)); // its batch starts
    const waiting = [busy.charge(calls[1]), busy.charge(calls[2])];
    await expect(busy.charge(calls[3])).rejects.toBeInstanceOf(EngineOverloaded);
    open();
    expect(await Promise.all([first, ...waiting])).toEqual(calls.slice(0, 3).map((c) => answer(c, grant('60'))));
    expect(await bucketState(knex, lines[0].buckets[0])).toEqual({ balance: '10.000000', reserved: '0.360000' });
    // Nothing of the refused request was kept: sent again, it is charged.
    expect(await busy.charge(calls[3])).toEqual(answer(calls[3], grant('60')));
  });
});
