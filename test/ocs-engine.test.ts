/** The charging engine on real PostgreSQL: reserve, debit, release, limits, expiry, exactly once, concurrency. */
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { createKnex } from '../db/knex';
import { ManualClock } from '../domain/clock';
import { money, roundToCent } from '../domain/money';
import { rateCall, rateUsage, type Rating } from '../domain/rating';
import { placeUsage, rateWithAllowance } from '../domain/usage/rate-record';
import type { SubscriberTariff } from '../domain/usage/subscriber-tariff';
import { catalogSeed } from '../db/seeds/catalog-data';
import { createChargingEngine, purgeClosedSessions, reconcileHolders, reconcileLedger, reconcileRefunds, RefundUnknown, RESULT, sweepExpired, type ChargingRequest, type EngineConfig } from '../ocs/engine';
import { addChargingSubscriber, closeChargingSubscribers } from '../db/charging';
import { bucketState, createPrepaidAccount, ledgerOf, newNumber, OFFERING, type TestLine } from './helpers/charging';

const knex = createKnex(process.env.DATABASE_URL!);
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 20 });
afterAll(async () => {
  await pool.end();
  await knex.destroy();
});

// Wednesday 12:00 in Madrid: national peak.
const PEAK = new Date('2026-11-04T11:00:00Z');
/**
 * Also a Wednesday at peak, where the sweeper tests run: a sweep releases every reservation due
 * before the instant it is given, in the whole database, and other test files charge at the same
 * time as this one from March 2026 on; so these sweeps stay in January.
 */
const SWEPT = new Date('2026-01-07T11:00:00Z');
const clock = new ManualClock(PEAK);
const engine = createChargingEngine({ pool, clock });
const VOICE = 100;
const SMS = 200;
const DATA = 300;
const NATIONAL = '+34612345678';

/** A session of requests on one line, numbered in order. */
function session(line: TestLine, opts: { destination?: string; eventTime?: Date } = {}) {
  const sessionId = `test-${randomUUID()}`;
  let next = 0;
  const send = (type: ChargingRequest['type'], units: ChargingRequest['units'], requestNumber = next) => {
    next = requestNumber + 1;
    return engine.charge({ sessionId, requestNumber, type, subscriber: { msisdn: line.msisdn }, eventTime: opts.eventTime ?? clock.now(), destination: opts.destination ?? NATIONAL, units });
  };
  return {
    sessionId,
    initial: (requested: string | undefined, rg = VOICE) => send('initial', [{ ratingGroup: rg, requested: requested === undefined ? {} : { quantity: requested } }]),
    update: (used: string, requested: string | undefined, rg = VOICE, n?: number) =>
      send('update', [{ ratingGroup: rg, used: { quantity: used }, requested: requested === undefined ? {} : { quantity: requested } }], n),
    terminate: (used: string, rg = VOICE) => send('termination', [{ ratingGroup: rg, used: { quantity: used } }]),
    send,
  };
}

/**
 * A line with a voice allowance of `seconds` that ends `endsAfterMs` after PEAK, and 5.00 of money;
 * `send` sends a request of one session `at` seconds after PEAK, by its Event-Timestamp and by the
 * engine's clock (set back to PEAK after).
 */
async function allowanceEnding(seconds: string, endsAfterMs: number) {
  const [line] = await createPrepaidAccount(knex, {
    buckets: [
      { type: 'voice', amount: seconds, validUntil: new Date(PEAK.getTime() + endsAfterMs) },
      { type: 'money', amount: '5.00' },
    ],
  });
  const sessionId = `test-${randomUUID()}`;
  const send = async (requestNumber: number, type: ChargingRequest['type'], at: number, units: ChargingRequest['units']) => {
    const eventTime = new Date(PEAK.getTime() + at * 1000);
    clock.set(eventTime);
    try {
      return await engine.charge({ sessionId, requestNumber, type, subscriber: { msisdn: line.msisdn }, eventTime, destination: NATIONAL, units });
    } finally {
      clock.set(PEAK);
    }
  };
  const [minutes, cash] = line.buckets;
  return { minutes, cash, send };
}

describe('charging engine', () => {
  it('reserves, debits what was used at the price of the whole call, and releases the rest', async () => {
    const [line] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '10.00' }] });
    const [cash] = line.buckets;
    const call = session(line);

    const first = await call.initial('120');
    expect(first).toEqual({ sessionId: call.sessionId, requestNumber: 0, resultCode: RESULT.SUCCESS, units: [{ ratingGroup: VOICE, resultCode: RESULT.SUCCESS, granted: { quantity: '120' }, validityTime: 600 }] });
    expect(await bucketState(knex, cash)).toEqual({ balance: '10.000000', reserved: '0.240000' });

    // 90 s used: the first minute whole (0.12) and 30 s at 0.002 (0.06); the next 120 s cost 0.42 − 0.18.
    const second = await call.update('90', '120');
    expect(second.units[0]).toMatchObject({ resultCode: RESULT.SUCCESS, granted: { quantity: '120' } });
    expect(await bucketState(knex, cash)).toEqual({ balance: '9.820000', reserved: '0.240000' });

    // 135 s in all cost 0.27: 0.09 more.
    const last = await call.terminate('45');
    expect(last.units).toEqual([{ ratingGroup: VOICE, resultCode: RESULT.SUCCESS }]);
    expect(await bucketState(knex, cash)).toEqual({ balance: '9.730000', reserved: '0.000000' });
    expect(await ledgerOf(knex, cash)).toEqual([
      ['reservation', '0.240000'],
      ['release', '0.240000'],
      ['debit', '0.180000'],
      ['reservation', '0.240000'],
      ['release', '0.240000'],
      ['debit', '0.090000'],
    ]);
    const whole = rateUsage(paygVoice(), { usageType: 'voice', quantity: '135', startTime: PEAK, destination: NATIONAL }, 'Europe/Madrid');
    expect(roundToCent(money(whole.amount)).toFixed(2)).toBe('0.27');
    expect(await sessionState(call.sessionId)).toBe('closed');
  });

  it('keeps a session id with quotes, backslashes, commas, braces and control characters as it is, in the session, its answer and the ledger', async () => {
    const [line] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '10.00' }] });
    // A Diameter Session-Id is any UTF-8 text; these characters mean something in an array literal,
    // and U+0001 separates the session documents the write sends.
    const sessionId = `test-${randomUUID()};"q",\\{a,b} NULL\u0001\n`;
    const send = (requestNumber: number, type: ChargingRequest['type'], units: ChargingRequest['units']) =>
      engine.charge({ sessionId, requestNumber, type, subscriber: { msisdn: line.msisdn }, eventTime: clock.now(), destination: NATIONAL, units });
    expect((await send(0, 'initial', [{ ratingGroup: VOICE, requested: { quantity: '60' } }])).resultCode).toBe(RESULT.SUCCESS);
    expect((await send(1, 'update', [{ ratingGroup: VOICE, used: { quantity: '60' }, requested: { quantity: '60' } }])).units[0].resultCode).toBe(RESULT.SUCCESS);
    expect((await send(2, 'termination', [{ ratingGroup: VOICE, used: { quantity: '30' } }])).units[0].resultCode).toBe(RESULT.SUCCESS);
    expect(await knex('charging_session').where({ id: sessionId }).first('state', 'last_request_number')).toEqual({ state: 'closed', last_request_number: 2 });
    // A retransmission of the last request gets its stored answer, session id and all.
    expect(await send(2, 'termination', [{ ratingGroup: VOICE, used: { quantity: '30' } }])).toEqual({ sessionId, requestNumber: 2, resultCode: RESULT.SUCCESS, units: [{ ratingGroup: VOICE, resultCode: RESULT.SUCCESS }] });
    const references = await knex('charging_ledger').where({ bucket_id: line.buckets[0] }).orderBy('id').pluck('reference');
    expect(references).toEqual([`${sessionId}#0`, `${sessionId}#1`, `${sessionId}#1`, `${sessionId}#1`, `${sessionId}#2`, `${sessionId}#2`]);
    expect(await bucketState(knex, line.buckets[0])).toEqual({ balance: '9.820000', reserved: '0.000000' });
  });

  it('uses a valid allowance before money, and an expired one not at all', async () => {
    const [line] = await createPrepaidAccount(knex, {
      buckets: [
        { type: 'voice', amount: '100' },
        { type: 'money', amount: '5.00' },
        { type: 'voice', amount: '1000', validUntil: new Date('2026-11-01T00:00:00Z') },
      ],
    });
    const [minutes, cash, expired] = line.buckets;
    const call = session(line);
    expect((await call.initial('300')).units[0].granted).toEqual({ quantity: '300' });
    // 100 s from the allowance, 200 s from money: 0.12 + 140 × 0.002 = 0.40.
    expect(await bucketState(knex, minutes)).toEqual({ balance: '100.000000', reserved: '100.000000' });
    expect(await bucketState(knex, cash)).toEqual({ balance: '5.000000', reserved: '0.400000' });
    await call.terminate('150');
    expect(await bucketState(knex, minutes)).toEqual({ balance: '0.000000', reserved: '0.000000' });
    // The 50 s paid with money are a first minute.
    expect(await bucketState(knex, cash)).toEqual({ balance: '4.880000', reserved: '0.000000' });
    expect(await bucketState(knex, expired)).toEqual({ balance: '1000.000000', reserved: '0.000000' });
  });

  it('grants from an allowance no longer than it lasts, and debits what was used of that grant from it though it has ended by the report', async () => {
    const { minutes, cash, send } = await allowanceEnding('300', 100_500);

    // The allowance ends in 100.5 s: the grant is valid until then (rounded up to whole seconds), not the usual 600 s.
    expect((await send(0, 'initial', 0, [{ ratingGroup: VOICE, requested: { quantity: '300' } }])).units).toEqual([
      { ratingGroup: VOICE, resultCode: RESULT.SUCCESS, granted: { quantity: '300' }, validityTime: 101 },
    ]);
    expect(await bucketState(knex, minutes)).toEqual({ balance: '300.000000', reserved: '300.000000' });

    // The client reports when the grant runs out, a second after the allowance ended: the 100 s it
    // used were granted on the allowance and come out of it; the next quota is money's, for 600 s.
    expect((await send(1, 'update', 101, [{ ratingGroup: VOICE, used: { quantity: '100' }, requested: { quantity: '120' } }])).units).toEqual([
      { ratingGroup: VOICE, resultCode: RESULT.SUCCESS, granted: { quantity: '120' }, validityTime: 600 },
    ]);
    expect(await bucketState(knex, minutes)).toEqual({ balance: '200.000000', reserved: '0.000000' });
    // 120 s more of the call, paid with money: a first minute whole and 60 s (0.12 + 0.12).
    expect(await bucketState(knex, cash)).toEqual({ balance: '5.000000', reserved: '0.240000' });

    // Used beyond what the allowance granted is money's: 30 s, a first minute whole.
    await send(2, 'termination', 131, [{ ratingGroup: VOICE, used: { quantity: '30' } }]);
    expect(await bucketState(knex, minutes)).toEqual({ balance: '200.000000', reserved: '0.000000' });
    expect(await bucketState(knex, cash)).toEqual({ balance: '4.880000', reserved: '0.000000' });
    expect(await ledgerOf(knex, minutes)).toEqual([
      ['reservation', '300.000000'],
      ['release', '300.000000'],
      ['debit', '100.000000'],
    ]);
  });

  it('debits a usage reported past its reservation from what the allowance still holds, then from money', async () => {
    const { minutes, cash, send } = await allowanceEnding('40', 60_000);
    // 40 s from the allowance and 20 s from money, valid until the allowance ends.
    expect((await send(0, 'initial', 0, [{ ratingGroup: VOICE, requested: { quantity: '60' } }])).units[0]).toMatchObject({ granted: { quantity: '60' }, validityTime: 60 });
    // Reported after the end, 70 s: 40 s are the allowance's (all it held for the grant), 30 s money's.
    await send(1, 'termination', 75, [{ ratingGroup: VOICE, used: { quantity: '70' } }]);
    expect(await bucketState(knex, minutes)).toEqual({ balance: '0.000000', reserved: '0.000000' });
    expect(await bucketState(knex, cash)).toEqual({ balance: '4.880000', reserved: '0.000000' });
  });

  it('debits a usage reported past its reservation from the money bucket that ended during the call, rather than not at all', async () => {
    const [line] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '5.00', validUntil: new Date(PEAK.getTime() + 200_000) }] });
    const [cash] = line.buckets;
    const sessionId = `test-${randomUUID()}`;
    const send = (requestNumber: number, type: ChargingRequest['type'], at: number, units: ChargingRequest['units']) =>
      engine.charge({ sessionId, requestNumber, type, subscriber: { msisdn: line.msisdn }, eventTime: new Date(PEAK.getTime() + at * 1000), destination: NATIONAL, units });
    expect((await send(0, 'initial', 0, [{ ratingGroup: VOICE, requested: { quantity: '60' } }])).units[0].resultCode).toBe(RESULT.SUCCESS);
    // 600 s at peak (0.12 + 540 × 0.002 = 1.20), reported once the bucket has ended: no money bucket is valid then.
    expect((await send(1, 'termination', 600, [{ ratingGroup: VOICE, used: { quantity: '600' } }])).units[0].resultCode).toBe(RESULT.SUCCESS);
    expect(await bucketState(knex, cash)).toEqual({ balance: '3.800000', reserved: '0.000000' });
  });

  it("reserves on the buckets valid at the engine's clock, whatever the request's Event-Timestamp says", async () => {
    // The network element's clock is 5 s behind the engine's (PEAK): an allowance bought at PEAK
    // is reserved on, one that ended a second before PEAK is not.
    const behind = new Date(PEAK.getTime() - 5000);
    const [bought] = await createPrepaidAccount(knex, { buckets: [{ type: 'voice', amount: '300', validFrom: PEAK }, { type: 'money', amount: '5.00' }] });
    const [ended] = await createPrepaidAccount(knex, { buckets: [{ type: 'voice', amount: '300', validUntil: new Date(PEAK.getTime() - 1000) }, { type: 'money', amount: '5.00' }] });
    expect((await session(bought, { eventTime: behind }).initial('60')).units[0]).toMatchObject({ granted: { quantity: '60' }, validityTime: 600 });
    expect(await bucketState(knex, bought.buckets[0])).toEqual({ balance: '300.000000', reserved: '60.000000' });
    expect(await bucketState(knex, bought.buckets[1])).toEqual({ balance: '5.000000', reserved: '0.000000' });
    expect((await session(ended, { eventTime: behind }).initial('60')).units[0]).toMatchObject({ granted: { quantity: '60' }, validityTime: 600 });
    expect(await bucketState(knex, ended.buckets[0])).toEqual({ balance: '300.000000', reserved: '0.000000' });
    expect(await bucketState(knex, ended.buckets[1])).toEqual({ balance: '5.000000', reserved: '0.120000' });
  });

  it('grants what a low balance buys as the final units, then refuses with 4012', async () => {
    const [a, b] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '0.30' }], lines: 2 });
    const call = session(a);
    // 0.30 buys the first minute (0.12) and 90 s more (0.18).
    expect((await call.initial('300')).units[0]).toEqual({ ratingGroup: VOICE, resultCode: RESULT.SUCCESS, granted: { quantity: '150' }, validityTime: 600, finalUnit: true });
    expect(await bucketState(knex, a.buckets[0])).toEqual({ balance: '0.300000', reserved: '0.300000' });
    const other = session(b);
    expect((await other.initial('60')).units[0]).toEqual({ ratingGroup: VOICE, resultCode: RESULT.CREDIT_LIMIT_REACHED });
    await call.terminate('150');
    expect(await bucketState(knex, a.buckets[0])).toEqual({ balance: '0.000000', reserved: '0.000000' });
  });

  it('lets a money bucket go below zero down to its credit limit, and no further', async () => {
    const [line] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '0.00', creditLimit: '0.50' }] });
    const call = session(line);
    // 0.50 of credit: 0.12 for the first minute, 190 s × 0.002 = 0.38.
    expect((await call.initial('600')).units[0]).toMatchObject({ granted: { quantity: '250' }, finalUnit: true });
    await call.terminate('250');
    expect(await bucketState(knex, line.buckets[0])).toEqual({ balance: '-0.500000', reserved: '0.000000' });
    expect((await session(line).initial('60')).units[0].resultCode).toBe(RESULT.CREDIT_LIMIT_REACHED);
  });

  it('charges an SMS event directly, or not at all when the balance cannot pay it', async () => {
    const [poor] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '0.05' }] });
    const refused = await session(poor).send('event', [{ ratingGroup: SMS, requested: { quantity: '1' } }]);
    expect(refused.units).toEqual([{ ratingGroup: SMS, resultCode: RESULT.CREDIT_LIMIT_REACHED }]);
    expect(await ledgerOf(knex, poor.buckets[0])).toEqual([]);

    const [line] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '1.00' }] });
    const sent = await session(line).send('event', [{ ratingGroup: SMS, requested: { quantity: '1' } }]);
    // What names the debit if the network asks for it back (Refund-Information): its ledger reference.
    expect(sent.units).toEqual([{ ratingGroup: SMS, resultCode: RESULT.SUCCESS, granted: { quantity: '1' }, refundInformation: `${sent.sessionId}#event` }]);
    expect(await bucketState(knex, line.buckets[0])).toEqual({ balance: '0.910000', reserved: '0.000000' });
    expect(await ledgerOf(knex, line.buckets[0])).toEqual([['debit', '0.090000']]);
    // The debit names its service, for prepaid usage by service.
    expect(await knex('charging_ledger').where({ bucket_id: line.buckets[0] }).pluck('rating_group')).toEqual([SMS]);
  });

  it('refunds an SMS the network could not deliver once, to the buckets it was charged to, and only to its own subscriber', async () => {
    const [line] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '1.00' }] });
    const [other] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '1.00' }] });
    const sms = (l: TestLine) => session(l).send('event', [{ ratingGroup: SMS, requested: { quantity: '1' } }]);
    const refund = (l: TestLine, refundInformation: string, ratingGroup = SMS) =>
      engine.refund({ sessionId: `refund-${randomUUID()}`, requestNumber: 0, subscriber: { msisdn: l.msisdn }, units: [{ ratingGroup, refundInformation }] });
    const { refundInformation } = (await sms(line)).units[0];
    expect(await bucketState(knex, line.buckets[0])).toEqual({ balance: '0.910000', reserved: '0.000000' });

    // Another subscriber, or another rating group, finds no such charge: nothing is credited.
    await expect(refund(other, refundInformation!)).rejects.toThrow(RefundUnknown);
    await expect(refund(line, refundInformation!, VOICE)).rejects.toThrow(RefundUnknown);
    await expect(refund(line, 'never-charged#0')).rejects.toThrow(RefundUnknown);

    expect(await engine.refund({ sessionId: 'r', requestNumber: 0, subscriber: { msisdn: '+34699999999' }, units: [{ ratingGroup: SMS, refundInformation: refundInformation! }] })).toMatchObject({ resultCode: RESULT.USER_UNKNOWN });
    expect(await bucketState(knex, line.buckets[0])).toEqual({ balance: '0.910000', reserved: '0.000000' });

    // Asked twice at once and once more after: credited once.
    const answers = await Promise.all([refund(line, refundInformation!), refund(line, refundInformation!)]);
    expect(answers.map((a) => a.units)).toEqual([[{ ratingGroup: SMS, resultCode: RESULT.SUCCESS }], [{ ratingGroup: SMS, resultCode: RESULT.SUCCESS }]]);
    expect((await refund(line, refundInformation!)).resultCode).toBe(RESULT.SUCCESS);
    expect(await bucketState(knex, line.buckets[0])).toEqual({ balance: '1.000000', reserved: '0.000000' });
    expect(await knex('charging_ledger').where({ bucket_id: line.buckets[0] }).orderBy('id').select('kind', 'amount', 'reference', 'rating_group')).toEqual([
      { kind: 'debit', amount: '0.090000', reference: refundInformation, rating_group: SMS },
      { kind: 'credit', amount: '0.090000', reference: `refund:${refundInformation}`, rating_group: SMS },
    ]);
    expect((await reconcileLedger(pool)).filter((d) => d.bucketId === line.buckets[0])).toEqual([]);
    // The audit (npm run reconcile): this refund gave back what was taken; a credit called a refund
    // that gives more, or one of no claimed event, is found (written in a transaction rolled back).
    expect((await reconcileRefunds(pool)).filter((d) => d.reference === refundInformation)).toEqual([]);
    const tampering = await pool.connect();
    try {
      await tampering.query('BEGIN');
      const credit = `INSERT INTO charging_ledger (bucket_id, kind, amount, reference, rating_group, created_at) VALUES ($1, 'credit', $2, $3, ${SMS}, now())`;
      await tampering.query(credit, [line.buckets[0], '0.05', `refund:${refundInformation}`]);
      await tampering.query(credit, [line.buckets[0], '1', 'refund:never-charged#0']);
      expect((await reconcileRefunds(tampering)).filter((d) => [refundInformation, 'never-charged#0'].includes(d.reference))).toEqual([
        { reference: 'never-charged#0', ratingGroup: SMS, bucketId: line.buckets[0], debited: '0', credited: '1.000000' },
        { reference: refundInformation, ratingGroup: SMS, bucketId: line.buckets[0], debited: '0.090000', credited: '0.140000' },
      ]);
    } finally {
      await tampering.query('ROLLBACK');
      tampering.release();
    }
    // The engine charges the next SMS on the refunded balance (the refund counted the account's revision).
    await sms(line);
    expect(await bucketState(knex, line.buckets[0])).toEqual({ balance: '0.910000', reserved: '0.000000' });
  });

  it("refunds no call: a session's charges are usage, not an event", async () => {
    const [line] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '1.00' }] });
    const call = session(line);
    await call.initial('60', VOICE);
    await call.update('60', '60');
    await call.terminate('0');
    expect(await bucketState(knex, line.buckets[0])).toEqual({ balance: '0.880000', reserved: '0.000000' });
    for (const reference of [`${call.sessionId}#1`, `${call.sessionId}#2`]) {
      await expect(engine.refund({ sessionId: `refund-${randomUUID()}`, requestNumber: 0, subscriber: { msisdn: line.msisdn }, units: [{ ratingGroup: VOICE, refundInformation: reference }] })).rejects.toThrow(RefundUnknown);
    }
    expect(await bucketState(knex, line.buckets[0])).toEqual({ balance: '0.880000', reserved: '0.000000' });
  });

  it("refunds no usage a session's first request reported, with or without a grant beside it", async () => {
    const [line] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '1.00' }] });
    const refund = (reference: string, ratingGroup = VOICE) =>
      engine.refund({ sessionId: `refund-${randomUUID()}`, requestNumber: 0, subscriber: { msisdn: line.msisdn }, units: [{ ratingGroup, refundInformation: reference }] });
    // Ten minutes reported in a first request alone (1.20: more than the 1.00 there was).
    const reported = session(line);
    await reported.send('initial', [{ ratingGroup: VOICE, used: { quantity: '600' } }]);
    // A minute reported beside a data quota asked for.
    const beside = session(line);
    await beside.send('initial', [{ ratingGroup: VOICE, used: { quantity: '60' } }, { ratingGroup: DATA, requested: {} }]);
    const charged = await bucketState(knex, line.buckets[0]);
    for (const reference of [`${reported.sessionId}#0`, `${beside.sessionId}#0`]) await expect(refund(reference)).rejects.toThrow(RefundUnknown);
    expect(await bucketState(knex, line.buckets[0])).toEqual(charged);
  });

  it('refunds an event charged before events had a reference of their own (#0) while its session is kept', async () => {
    const [line] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '1.00' }] });
    const [cash] = line.buckets;
    const sent = await session(line).send('event', [{ ratingGroup: SMS, requested: { quantity: '1' } }]);
    // The same event as an earlier version wrote it: its debit and its answer named `<session>#0`.
    const old = `old-${randomUUID()}`;
    await knex.raw(
      `INSERT INTO charging_session SELECT (jsonb_populate_record(NULL::charging_session, to_jsonb(s) || jsonb_build_object('id', ?::text, 'last_answer', replace(s.last_answer::text, '#event', '#0')))).* FROM charging_session s WHERE s.id = ?`,
      [old, sent.sessionId],
    );
    await knex.raw(`INSERT INTO charging_ledger (bucket_id, kind, amount, reference, rating_group, created_at) VALUES (?, 'debit', 0.09, ?, ${SMS}, now())`, [cash, `${old}#0`]);
    await knex('charging_bucket').where({ id: cash }).decrement('balance', 0.09);
    const refund = (reference: string) => engine.refund({ sessionId: `refund-${randomUUID()}`, requestNumber: 0, subscriber: { msisdn: line.msisdn }, units: [{ ratingGroup: SMS, refundInformation: reference }] });
    expect((await refund(`${old}#0`)).resultCode).toBe(RESULT.SUCCESS);
    expect(await bucketState(knex, cash)).toEqual({ balance: '0.910000', reserved: '0.000000' });
    // Its session purged, such an event is no longer known.
    await knex.raw(`INSERT INTO charging_ledger (bucket_id, kind, amount, reference, rating_group, created_at) VALUES (?, 'debit', 0.09, ?, ${SMS}, now())`, [cash, `${sent.sessionId}#0`]);
    await knex('charging_bucket').where({ id: cash }).decrement('balance', 0.09);
    await knex('charging_session').where({ id: sent.sessionId }).delete();
    await expect(refund(`${sent.sessionId}#0`)).rejects.toThrow(RefundUnknown);
  });

  it('refunds an SMS taken from an allowance with the allowance unit', async () => {
    const [line] = await createPrepaidAccount(knex, { buckets: [{ type: 'sms', amount: '10' }, { type: 'money', amount: '1.00' }] });
    const sent = await session(line).send('event', [{ ratingGroup: SMS, requested: { quantity: '1' } }]);
    expect(await bucketState(knex, line.buckets[0])).toMatchObject({ balance: '9.000000' });
    await engine.refund({ sessionId: `refund-${randomUUID()}`, requestNumber: 0, subscriber: { msisdn: line.msisdn }, units: [{ ratingGroup: SMS, refundInformation: sent.units[0].refundInformation! }] });
    expect(await bucketState(knex, line.buckets[0])).toMatchObject({ balance: '10.000000' });
    expect(await bucketState(knex, line.buckets[1])).toMatchObject({ balance: '1.000000' });
  });

  it('answers a retransmission with the first answer and charges nothing again; refuses numbers out of sequence', async () => {
    const [line] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '10.00' }] });
    const call = session(line);
    await call.initial('60');
    const update = await call.update('60', '60', VOICE, 1);
    const ledgerBefore = await ledgerOf(knex, line.buckets[0]);
    const again = await call.update('60', '60', VOICE, 1);
    expect(again).toEqual(update);
    expect(await ledgerOf(knex, line.buckets[0])).toEqual(ledgerBefore);
    expect(await bucketState(knex, line.buckets[0])).toEqual({ balance: '9.880000', reserved: '0.120000' });

    expect((await call.update('60', '60', VOICE, 5)).resultCode).toBe(RESULT.UNABLE_TO_COMPLY);
    expect((await call.update('60', '60', VOICE, 0)).resultCode).toBe(RESULT.UNABLE_TO_COMPLY);
    expect(await ledgerOf(knex, line.buckets[0])).toEqual(ledgerBefore);
  });

  it('charges a request that arrives twice at the same moment only once', async () => {
    const [line] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '10.00' }] });
    const call = session(line);
    await call.initial('60');
    const [a, b] = await Promise.all([call.update('60', '60', VOICE, 1), call.update('60', '60', VOICE, 1)]);
    expect(a).toEqual(b);
    expect(await bucketState(knex, line.buckets[0])).toEqual({ balance: '9.880000', reserved: '0.120000' });
    expect(await ledgerOf(knex, line.buckets[0])).toEqual([
      ['reservation', '0.120000'],
      ['release', '0.120000'],
      ['debit', '0.120000'],
      ['reservation', '0.120000'],
    ]);
  });

  it('sees a top-up written by another transaction at once (no balance is cached)', async () => {
    const [line] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '0.00' }] });
    const [cash] = line.buckets;
    expect((await session(line).initial('60')).units[0].resultCode).toBe(RESULT.CREDIT_LIMIT_REACHED);
    await knex.transaction(async (trx) => {
      await trx('charging_bucket').where({ id: cash }).forUpdate().first('id');
      await trx('charging_bucket').where({ id: cash }).increment('balance', 5);
      await trx('charging_ledger').insert({ bucket_id: cash, kind: 'credit', amount: '5.00', reference: `topup:${cash}`, created_at: PEAK });
    });
    expect((await session(line).initial('60')).units[0]).toMatchObject({ resultCode: RESULT.SUCCESS, granted: { quantity: '60' } });
    expect(await bucketState(knex, cash)).toEqual({ balance: '5.000000', reserved: '0.120000' });
    expect((await reconcileLedger(pool)).filter((d) => d.bucketId === cash)).toEqual([]);
  });

  it('charges what a session used before its subscriber was suspended, grants it nothing more (4010), and ends it on termination', async () => {
    const [line] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '10.00' }, { type: 'data', amount: '50000000' }] });
    const [cash, pass] = line.buckets;
    const call = session(line);
    const browse = session(line);
    expect((await call.initial('120')).units[0]).toMatchObject({ resultCode: RESULT.SUCCESS, granted: { quantity: '120' } });
    expect((await browse.initial('1000000', DATA)).units[0]).toMatchObject({ resultCode: RESULT.SUCCESS, granted: { quantity: '1000000' } });

    await knex('charging_subscriber').where({ msisdn: line.msisdn }).update({ status: 'suspended' });
    // The call's report: 90 s used (0.12 + 30 × 0.002) are debited, no new quota, the minute held is released.
    const update = await call.update('90', '120');
    expect(update).toMatchObject({ resultCode: RESULT.SUCCESS, units: [{ ratingGroup: VOICE, resultCode: RESULT.END_USER_SERVICE_DENIED }] });
    expect(update.units[0].granted).toBeUndefined();
    expect(await bucketState(knex, cash)).toEqual({ balance: '9.820000', reserved: '0.000000' });
    // The data session ends: what it used is taken from the pass, the rest released, the session closed.
    expect(await browse.terminate('400000', DATA)).toMatchObject({ resultCode: RESULT.SUCCESS });
    expect(await bucketState(knex, pass)).toEqual({ balance: '49600000.000000', reserved: '0.000000' });
    expect(await sessionState(browse.sessionId)).toBe('closed');
    expect(await call.terminate('0')).toMatchObject({ resultCode: RESULT.SUCCESS });
    expect(await sessionState(call.sessionId)).toBe('closed');
    // A new session or event is refused as barred (4010), not as unknown: the line exists.
    expect(await session(line).initial('60')).toMatchObject({ resultCode: RESULT.END_USER_SERVICE_DENIED, units: [] });
    expect((await session(line).send('event', [{ ratingGroup: SMS, requested: { quantity: '1' } }])).resultCode).toBe(RESULT.END_USER_SERVICE_DENIED);
    // Back in service, it is charged again; its account suspended, it is barred again; closed, it is unknown.
    await knex('charging_subscriber').where({ msisdn: line.msisdn }).update({ status: 'active' });
    expect((await session(line).initial('60')).units[0].resultCode).toBe(RESULT.SUCCESS);
    await knex('charging_account').where({ id: line.accountId }).update({ status: 'suspended' });
    expect((await session(line).initial('60')).resultCode).toBe(RESULT.END_USER_SERVICE_DENIED);
    await knex('charging_subscriber').where({ msisdn: line.msisdn }).update({ status: 'closed' });
    expect((await session(line).initial('60')).resultCode).toBe(RESULT.USER_UNKNOWN);
    expect((await reconcileLedger(pool)).filter((d) => line.buckets.includes(d.bucketId))).toEqual([]);
  });

  it("gives a line's own allowances to that line only, the account's money and shared buckets to every line of it", async () => {
    const [mine, other] = await createPrepaidAccount(knex, {
      buckets: [{ type: 'money', amount: '10.00' }, { type: 'voice', amount: '600', owner: 0 }, { type: 'data', amount: '50000000', owner: 0 }, { type: 'sms', amount: '5' }],
      lines: 2,
    });
    const [cash, minutes, pass, texts] = mine.buckets;
    // The owner's call is reserved on its minutes; the other line's on the account's money (0.12 + 60 × 0.002).
    expect((await session(mine).initial('120')).units[0]).toMatchObject({ resultCode: RESULT.SUCCESS, granted: { quantity: '120' } });
    const call = session(other);
    expect((await call.initial('120')).units[0]).toMatchObject({ resultCode: RESULT.SUCCESS, granted: { quantity: '120' } });
    expect(await bucketState(knex, minutes)).toEqual({ balance: '600.000000', reserved: '120.000000' });
    expect(await bucketState(knex, cash)).toEqual({ balance: '10.000000', reserved: '0.240000' });
    // What the other line used is debited from money, never from the owner's minutes.
    expect(await call.terminate('90')).toMatchObject({ resultCode: RESULT.SUCCESS });
    expect(await bucketState(knex, cash)).toEqual({ balance: '9.820000', reserved: '0.000000' });
    expect(await bucketState(knex, minutes)).toEqual({ balance: '600.000000', reserved: '120.000000' });
    // The other line's data does not touch the owner's pass; an unowned SMS bundle serves both lines.
    expect((await session(other).initial('1000000', DATA)).units[0].resultCode).toBe(RESULT.SUCCESS);
    expect(await bucketState(knex, pass)).toEqual({ balance: '50000000.000000', reserved: '0.000000' });
    for (const line of [mine, other]) expect((await session(line).send('event', [{ ratingGroup: SMS, requested: { quantity: '1' } }])).resultCode).toBe(RESULT.SUCCESS);
    expect(await bucketState(knex, texts)).toEqual({ balance: '3.000000', reserved: '0.000000' });
    // A balance check sees the line's own buckets and the shared ones alone.
    await knex('charging_ledger').insert({ bucket_id: cash, kind: 'debit', amount: '9.820000', reference: `test:${cash}`, created_at: PEAK });
    await knex('charging_bucket').where({ id: cash }).update({ balance: knex.raw('balance - 9.82') });
    const check = (line: TestLine) => engine.quote({ sessionId: `test-${randomUUID()}`, requestNumber: 0, type: 'event', subscriber: { msisdn: line.msisdn }, eventTime: PEAK, destination: NATIONAL, units: [{ ratingGroup: VOICE, requested: { quantity: '60' } }] });
    expect(await check(mine)).toMatchObject({ resultCode: RESULT.SUCCESS, enoughCredit: true });
    expect(await check(other)).toMatchObject({ resultCode: RESULT.SUCCESS, enoughCredit: false });
    expect((await reconcileLedger(pool)).filter((d) => mine.buckets.includes(d.bucketId))).toEqual([]);
  });

  it("ends a closed line's own allowances: no line of the account, nor the number given again, draws on them", async () => {
    const [gone, stays] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '10.00' }, { type: 'voice', amount: '600', owner: 0 }, { type: 'sms', amount: '5' }], lines: 2 });
    const [cash, minutes, texts] = gone.buckets;
    await closeChargingSubscribers(knex, [gone.msisdn], PEAK);
    expect(await knex('charging_bucket').whereIn('id', [cash, minutes, texts]).orderBy('priority').select('id', 'valid_until')).toEqual([
      { id: minutes, valid_until: PEAK },
      { id: texts, valid_until: null },
      { id: cash, valid_until: null },
    ]);
    // The number, given again to a line of the same account, starts without them.
    await addChargingSubscriber(knex, { msisdn: gone.msisdn, imsi: newNumber().imsi, chargingAccountId: gone.accountId, productId: gone.productId, now: PEAK });
    for (const line of [gone, stays]) expect((await session(line).initial('60')).units[0]).toMatchObject({ resultCode: RESULT.SUCCESS, granted: { quantity: '60' } });
    expect(await bucketState(knex, minutes)).toEqual({ balance: '600.000000', reserved: '0.000000' });
    expect(await bucketState(knex, cash)).toEqual({ balance: '10.000000', reserved: '0.240000' });
  });

  it('refuses unknown sessions (5002), unknown or closed subscribers (5030), and usage without a tariff (5031)', async () => {
    const [line] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '10.00' }] });
    const base = { requestNumber: 1, subscriber: { msisdn: line.msisdn }, eventTime: PEAK, units: [{ ratingGroup: VOICE, used: { quantity: '10' } }] };
    expect((await engine.charge({ ...base, sessionId: 'nobody-knows', type: 'update' })).resultCode).toBe(RESULT.UNKNOWN_SESSION_ID);
    expect((await engine.charge({ ...base, sessionId: 'nobody-knows', type: 'termination' })).resultCode).toBe(RESULT.UNKNOWN_SESSION_ID);

    const stranger = await engine.charge({ sessionId: randomUUID(), requestNumber: 0, type: 'initial', subscriber: { msisdn: '+34999000111' }, eventTime: PEAK, units: [{ ratingGroup: VOICE, requested: {} }] });
    expect(stranger).toMatchObject({ resultCode: RESULT.USER_UNKNOWN, units: [] });
    const [closed] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '10.00' }] });
    await knex('charging_subscriber').where({ msisdn: closed.msisdn }).update({ status: 'closed' });
    expect((await session(closed).initial('60')).resultCode).toBe(RESULT.USER_UNKNOWN);
    // Found by IMSI as well.
    const byImsi = await engine.charge({ sessionId: randomUUID(), requestNumber: 0, type: 'initial', subscriber: { imsi: line.imsi }, eventTime: PEAK, units: [{ ratingGroup: VOICE, requested: { quantity: '60' } }] });
    expect(byImsi.units[0].resultCode).toBe(RESULT.SUCCESS);

    const [productless] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '10.00' }], productId: null });
    expect((await session(productless).initial('60')).units[0].resultCode).toBe(RESULT.RATING_FAILED);
    expect((await session(line).initial('60', 999)).units[0].resultCode).toBe(RESULT.RATING_FAILED);
  });

  it("rates with the prices the product was sold with before its offering's, in its billing account's time zone", async () => {
    const sms = (line: TestLine) => session(line).send('event', [{ ratingGroup: SMS, requested: { quantity: '1' } }]);
    // Sold on Pay-as-you-go (0.09 an SMS) with the SMS price of Prepaid 10 GB (0.10): the sold price counts.
    const [sold] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '10.00' }], offering: OFFERING.payg });
    const product = await knex('product_inventory').where({ id: sold.productId }).first('body');
    await knex('product_inventory').where({ id: sold.productId }).update({ body: { ...product.body, productPrice: [{ name: 'SMS', productOfferingPrice: { id: 'b1ce0000-0000-4000-8000-000000000013', version: '1.0' } }] } });
    expect((await sms(sold)).resultCode).toBe(RESULT.SUCCESS);
    expect(await bucketState(knex, sold.buckets[0])).toEqual({ balance: '9.900000', reserved: '0.000000' });

    // Wednesday 19:30 UTC: 20:30 in Madrid (off-peak, 0.06 a minute), 19:30 in the Canaries (peak, 0.12).
    const [canarian] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '10.00' }], offering: OFFERING.payg });
    const { billing_account_id: billingAccountId } = await knex('charging_account').where({ id: canarian.accountId }).first('billing_account_id');
    await knex('crm_billing_account').insert({ id: billingAccountId, customer_id: randomUUID(), body: { id: billingAccountId, billStructure: { timeZone: 'Atlantic/Canary' } } });
    const evening = new Date('2026-11-04T19:30:00Z');
    await session(canarian, { eventTime: evening }).initial('60');
    expect(await bucketState(knex, canarian.buckets[0])).toEqual({ balance: '10.000000', reserved: '0.120000' });
    const [madrid] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '10.00' }], offering: OFFERING.payg });
    await session(madrid, { eventTime: evening }).initial('60');
    expect(await bucketState(knex, madrid.buckets[0])).toEqual({ balance: '10.000000', reserved: '0.060000' }); // no zone on its account: Madrid's
  });

  it("rates with the plan the subscriber's product names, and a product changed in place after the tariffs' time to live", async () => {
    const [line, sameAccount] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '10.00' }], lines: 2, offering: OFFERING.payg });
    const sms = () => session(line).send('event', [{ ratingGroup: SMS, requested: { quantity: '1' } }]);
    expect((await sms()).resultCode).toBe(RESULT.SUCCESS);
    expect(await bucketState(knex, line.buckets[0])).toEqual({ balance: '9.910000', reserved: '0.000000' }); // Pay-as-you-go: 0.09

    // The product moves to Prepaid 10 GB (0.10 an SMS) without any change to the charging account.
    const product = await knex('product_inventory').where({ id: line.productId }).first('body');
    await knex('product_inventory').where({ id: line.productId }).update({ body: { ...product.body, productOffering: OFFERING.prepaid10 } });
    const start = clock.now();
    try {
      clock.advance(59_000);
      await sms();
      expect(await bucketState(knex, line.buckets[0])).toEqual({ balance: '9.820000', reserved: '0.000000' }); // the plan as read, within its time to live
      clock.advance(2_000);
      await sms();
      expect(await bucketState(knex, line.buckets[0])).toEqual({ balance: '9.720000', reserved: '0.000000' });
      // The other line's product is still on Pay-as-you-go.
      await session(sameAccount).send('event', [{ ratingGroup: SMS, requested: { quantity: '1' } }]);
      expect(await bucketState(knex, line.buckets[0])).toEqual({ balance: '9.630000', reserved: '0.000000' });
    } finally {
      clock.set(start);
    }
  });

  it('reserves nothing when it grants nothing, though a tariff changed during the call prices what was used higher', async () => {
    const [line] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '0.11' }], offering: OFFERING.prepaid10 });
    const [cash] = line.buckets;
    const start = clock.now();
    try {
      const call = session(line, { eventTime: PEAK });
      expect((await call.initial('60')).units[0].resultCode).toBe(RESULT.SUCCESS);
      // The first minute at 0.10 (Prepaid 10 GB out of bundle); 0.01 left buys 6 s more, the last.
      expect((await call.update('60', '60')).units[0]).toMatchObject({ granted: { quantity: '6' }, finalUnit: true });
      // The product moves to Pay-as-you-go (0.12 a minute at peak): the minute used now prices 0.02
      // more than it was charged, more than the 0.01 left, so nothing is granted.
      const product = await knex('product_inventory').where({ id: line.productId }).first('body');
      await knex('product_inventory').where({ id: line.productId }).update({ body: { ...product.body, productOffering: OFFERING.payg } });
      clock.advance(61_000);
      expect((await call.update('0', '60')).units[0]).toEqual({ ratingGroup: VOICE, resultCode: RESULT.CREDIT_LIMIT_REACHED });
      expect(await bucketState(knex, cash)).toEqual({ balance: '0.010000', reserved: '0.000000' });
      await call.terminate('0');
      expect(await bucketState(knex, cash)).toMatchObject({ reserved: '0.000000' });
    } finally {
      clock.set(start);
    }
  });

  it('releases an abandoned reservation after its validity time and closes the session after its timeout', async () => {
    const [line] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '10.00' }] });
    const start = clock.now();
    clock.set(SWEPT);
    try {
      const call = session(line);
      await call.initial('60');
      expect(await bucketState(knex, line.buckets[0])).toEqual({ balance: '10.000000', reserved: '0.120000' });
      const closedIds: string[] = [];
      // Held a while past its validity, for the report a client sends when the validity ends.
      clock.advance(601_000);
      await sweepExpired(pool, clock.now(), undefined, (id) => closedIds.push(id));
      expect(await bucketState(knex, line.buckets[0])).toEqual({ balance: '10.000000', reserved: '0.120000' });
      clock.advance(30_000);
      await sweepExpired(pool, clock.now(), undefined, (id) => closedIds.push(id));
      expect(await bucketState(knex, line.buckets[0])).toEqual({ balance: '10.000000', reserved: '0.000000' });
      expect(closedIds).not.toContain(call.sessionId);
      expect(await ledgerOf(knex, line.buckets[0])).toEqual([
        ['reservation', '0.120000'],
        ['release', '0.120000'],
      ]);
      expect(await sessionState(call.sessionId)).toBe('open');
      clock.advance(1_800_000);
      await sweepExpired(pool, clock.now(), undefined, (id) => closedIds.push(id));
      expect(await sessionState(call.sessionId)).toBe('closed');
      // Told, so that what the front ends and the engine keep of it goes (others' sessions may be swept too).
      expect(closedIds).toContain(call.sessionId);
      expect((await call.update('30', '60')).resultCode).toBe(RESULT.UNKNOWN_SESSION_ID);

      // Kept a day after closing (a late retransmission still gets its answer), then deleted.
      clock.advance(86_400_000);
      const ended = session(line);
      await ended.send('event', [{ ratingGroup: SMS, requested: { quantity: '1' } }]);
      await purgeClosedSessions(pool, new Date(clock.now().getTime() - 1));
      expect(await sessionState(call.sessionId)).toBeUndefined();
      expect(await sessionState(ended.sessionId)).toBe('closed');
      const repeated = await ended.send('event', [{ ratingGroup: SMS, requested: { quantity: '1' } }], 0);
      expect(repeated.resultCode).toBe(RESULT.SUCCESS);
      expect(await ledgerOf(knex, line.buckets[0])).toEqual([
        ['reservation', '0.120000'],
        ['release', '0.120000'],
        ['debit', '0.090000'],
      ]);
      const releaseRow = await knex('charging_ledger').where({ bucket_id: line.buckets[0], kind: 'release' }).first('rating_group');
      expect(releaseRow.rating_group).toBe(VOICE);
    } finally {
      clock.set(start);
    }
  });

  it('looks again later at a session whose reservation was renewed, without changing what a request reads', async () => {
    const [line] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '10.00' }] });
    const call = session(line);
    const start = clock.now();
    clock.set(SWEPT);
    const row = () => knex('charging_session').where({ id: call.sessionId }).first('sweep_at', 'revision');
    try {
      await call.initial('60');
      // Renewed 5 minutes in: the new reservation runs to 15 minutes (and the grace of 30 s), the
      // sweeper's look stays at 10 (and 30 s).
      clock.advance(300_000);
      await call.update('60', '60');
      expect(await row()).toEqual({ sweep_at: new Date(SWEPT.getTime() + 630_000), revision: 1 });
      clock.advance(331_000);
      expect(await sweepExpired(pool, clock.now())).toMatchObject({ released: 0, closed: 0 });
      expect(await row()).toEqual({ sweep_at: new Date(SWEPT.getTime() + 930_000), revision: 1 });
      expect(await bucketState(knex, line.buckets[0])).toEqual({ balance: '9.880000', reserved: '0.120000' });
    } finally {
      clock.set(start);
    }
  });

  it('never grants more than a shared balance holds to 200 concurrent sessions, and the ledger reconciles to the cent', async () => {
    const lines = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '10.00' }], lines: 20 });
    const cash = lines[0].buckets[0];
    const calls = Array.from({ length: 200 }, (_, i) => session(lines[i % lines.length]));
    // Each asks for a minute (0.12): 24.00 asked of 10.00.
    const answers = await Promise.all(calls.map((c) => c.initial('60')));
    const granted = answers.filter((a) => a.units[0].resultCode === RESULT.SUCCESS);
    expect(granted.length).toBe(83); // 83 × 0.12 = 9.96; the 84th would need 0.12 of the 0.04 left
    expect(answers.filter((a) => a.units[0].resultCode === RESULT.CREDIT_LIMIT_REACHED).length).toBe(117);
    expect(await bucketState(knex, cash)).toEqual({ balance: '10.000000', reserved: '9.960000' });
    // All of it held by the 83 sessions granted.
    expect((await reconcileHolders(pool)).filter((d) => d.bucketId === cash)).toEqual([]);
    // A reservation no session holds (written in a transaction rolled back) is found, ledger and all.
    const leak = await pool.connect();
    try {
      await leak.query('BEGIN');
      await leak.query(`UPDATE charging_bucket SET reserved = reserved + 0.02 WHERE id = $1`, [cash]);
      await leak.query(`INSERT INTO charging_ledger (bucket_id, kind, amount, reference, created_at) VALUES ($1, 'reservation', 0.02, 'nobody#0', now())`, [cash]);
      expect((await reconcileLedger(leak)).filter((d) => d.bucketId === cash)).toEqual([]);
      expect((await reconcileHolders(leak)).filter((d) => d.bucketId === cash)).toEqual([{ bucketId: cash, chargingAccountId: lines[0].accountId, reserved: '9.980000', held: '9.960000' }]);
    } finally {
      await leak.query('ROLLBACK');
      leak.release();
    }

    await Promise.all(calls.map((c, i) => c.terminate(answers[i].units[0].resultCode === RESULT.SUCCESS ? '60' : '0')));
    expect(await bucketState(knex, cash)).toEqual({ balance: '0.040000', reserved: '0.000000' });
    const mine = (await reconcileLedger(pool)).filter((d) => d.bucketId === cash);
    expect(mine).toEqual([]);
    expect((await reconcileHolders(pool)).filter((d) => d.bucketId === cash)).toEqual([]);
  });

  it.each([
    // destination, start, seconds, amount: per-second after the first minute, rounded to the cent
    [NATIONAL, PEAK, '1', '0.12'],
    [NATIONAL, PEAK, '60', '0.12'],
    [NATIONAL, PEAK, '61', '0.12'],
    [NATIONAL, PEAK, '89', '0.18'],
    [NATIONAL, new Date('2026-11-07T11:00:00Z'), '61', '0.06'],
    ['+447700900123', PEAK, '125', '1.25'],
    ['+34806123456', PEAK, '1', '0.45'],
    ['+34900123456', PEAK, '600', '0.00'],
  ])('rates a call to %s at %s of %s s at %s, as offline rating does', async (destination, start, seconds, amount) => {
    const [line] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '50.00' }] });
    const call = session(line, { destination, eventTime: start });
    await call.initial('30');
    await call.update(String(Math.min(30, Number(seconds))), '600');
    await call.terminate(String(Math.max(0, Number(seconds) - 30)));
    const offline = rateUsage(paygVoice(), { usageType: 'voice', quantity: seconds, startTime: start, destination }, 'Europe/Madrid');
    expect(roundToCent(money(offline.amount)).toFixed(2)).toBe(amount);
    expect(money('50').minus(money((await bucketState(knex, line.buckets[0])).balance)).toFixed(2)).toBe(amount);
  });

  it('splits a call that crosses the peak/off-peak boundary there, as offline rating does', async () => {
    // 19:59 in Madrid: the first minute at peak (0.12), the second off-peak (0.06); all at peak would be 0.24.
    const start = new Date('2026-11-04T18:59:00Z');
    const [line] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '5.00' }] });
    const call = session(line, { eventTime: start });
    await call.initial('60');
    await call.update('60', '60');
    await call.terminate('60');
    const offline = rateCall(paygVoice(), { usageType: 'voice', quantity: '120', startTime: start, destination: NATIONAL }, 'Europe/Madrid');
    expect(offline.amount).toBe('0.180000');
    expect(await bucketState(knex, line.buckets[0])).toEqual({ balance: '4.820000', reserved: '0.000000' });
  });

  describe('the same call online as offline, with a national voice allowance', () => {
    /** What offline rating charges for a call of `seconds` to `destination` at `start` when `allowance` seconds are left. */
    function offline(destination: string, start: Date, seconds: string, allowance: string): string {
      const tariff: SubscriberTariff = {
        subscriptionId: 'offline',
        billingAccountId: 'offline',
        msisdn: '+34600000000',
        timeZone: 'Europe/Madrid',
        billCycleDay: 1,
        prices: { voice: { priceId: 'payg-voice', version: '1.0', rating: paygVoice(), currency: 'EUR' } },
        allowances: { voice: allowance },
      };
      const call = { source: 'test', recordId: 'r', msisdn: tariff.msisdn, usageType: 'voice' as const, startTime: start, quantity: seconds, destination };
      const placed = placeUsage(tariff, call);
      if ('reason' in placed) throw new Error(placed.reason);
      return roundToCent(money(rateWithAllowance(placed, tariff, call, '0').amount)).toFixed(6);
    }
    /** A line with 600 s of allowance and 10.00; a call of `seconds` to `destination` at `start`, reported as it goes. */
    async function call(destination: string, start: Date, seconds: number) {
      const [line] = await createPrepaidAccount(knex, { buckets: [{ type: 'voice', amount: '600' }, { type: 'money', amount: '10.00' }] });
      const c = session(line, { destination, eventTime: start });
      expect((await c.initial('300')).resultCode).toBe(RESULT.SUCCESS);
      let left = seconds;
      let n = 1;
      while (left > 300) {
        expect((await c.update('300', '300')).units[0].resultCode).toBe(RESULT.SUCCESS);
        left -= 300;
        n++;
      }
      // The termination names no destination (TS 32.299 does not ask it again): it is the session's.
      const last = await engine.charge({ sessionId: c.sessionId, requestNumber: n, type: 'termination', subscriber: { msisdn: line.msisdn }, eventTime: start, units: [{ ratingGroup: VOICE, used: { quantity: String(left) } }] });
      expect(last.units[0].resultCode).toBe(RESULT.SUCCESS);
      const [minutes, cash] = line.buckets;
      return { minutes: await bucketState(knex, minutes), cash: await bucketState(knex, cash) };
    }
    const paid = (amount: string) => money('10').minus(amount).toFixed(6);

    it.each([
      ['premium', '+34806123456'],
      ['international', '+447700900123'],
    ])('leaves the allowance alone for a %s call and charges it as money', async (_kind, destination) => {
      const { minutes, cash } = await call(destination, PEAK, 240);
      expect(minutes).toEqual({ balance: '600.000000', reserved: '0.000000' });
      expect(cash).toEqual({ balance: paid(offline(destination, PEAK, '240', '600')), reserved: '0.000000' });
      expect(Number(cash.balance)).toBeLessThan(10);
    });

    it('charges a freephone call nothing, and leaves the allowance alone', async () => {
      expect(await call('+34900123456', PEAK, 240)).toEqual({ minutes: { balance: '600.000000', reserved: '0.000000' }, cash: { balance: '10.000000', reserved: '0.000000' } });
    });

    it('pays a national call from the allowance first, and prices what money pays from when the allowance ran out', async () => {
      // 19:50 in Madrid: the allowance pays 19:50–20:00, money 20:00–20:10 at the off-peak price.
      const start = new Date('2026-11-04T18:50:00Z');
      const { minutes, cash } = await call(NATIONAL, start, 1200);
      expect(minutes).toEqual({ balance: '0.000000', reserved: '0.000000' });
      expect(offline(NATIONAL, start, '1200', '600')).toBe('0.600000');
      expect(cash).toEqual({ balance: paid('0.60'), reserved: '0.000000' });
    });
  });

  it('grants a low balance what it buys across the peak/off-peak boundary, at the prices the debit will use', async () => {
    // 19:59 in Madrid with 0.30: the first minute at peak (0.12), then off-peak at 0.001/s: 180 s more.
    // At the peak price alone 0.30 would buy 150 s.
    const start = new Date('2026-11-04T18:59:00Z');
    const [line] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '0.30' }] });
    const call = session(line, { eventTime: start });
    expect((await call.initial('300')).units[0]).toEqual({ ratingGroup: VOICE, resultCode: RESULT.SUCCESS, granted: { quantity: '240' }, validityTime: 600, finalUnit: true });
    expect(await bucketState(knex, line.buckets[0])).toEqual({ balance: '0.300000', reserved: '0.300000' });
    await call.terminate('240');
    expect(await bucketState(knex, line.buckets[0])).toEqual({ balance: '0.000000', reserved: '0.000000' });
    expect(rateCall(paygVoice(), { usageType: 'voice', quantity: '241', startTime: start, destination: NATIONAL }, 'Europe/Madrid').amount).toBe('0.301000');
  });

  it('grants at most an hour of voice whatever is asked, and refuses (5031) a report of a call longer than 31 days, changing nothing', async () => {
    const [line] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '1000.00' }] });
    const call = session(line);
    // CC-Time's largest value asks for 136 years: the grant is the hour the engine gives at most (7.20 at peak).
    expect((await call.initial('4294967295')).units[0]).toEqual({ ratingGroup: VOICE, resultCode: RESULT.SUCCESS, granted: { quantity: '3600' }, validityTime: 600 });
    const reserved = { balance: '1000.000000', reserved: '7.200000' };
    expect(await bucketState(knex, line.buckets[0])).toEqual(reserved);
    const ledger = await ledgerOf(knex, line.buckets[0]);

    const absurd = await call.update('4294967295', '60');
    expect(absurd).toEqual({ sessionId: call.sessionId, requestNumber: 1, resultCode: RESULT.RATING_FAILED, units: [] });
    expect(await bucketState(knex, line.buckets[0])).toEqual(reserved);
    expect(await ledgerOf(knex, line.buckets[0])).toEqual(ledger);

    // The same request number with what was really used goes through: the refusal was not stored.
    expect((await call.send('termination', [{ ratingGroup: VOICE, used: { quantity: '3600' } }], 1)).resultCode).toBe(RESULT.SUCCESS);
    expect(await bucketState(knex, line.buckets[0])).toEqual({ balance: '992.800000', reserved: '0.000000' });
  });

  it('refuses (5012) a request that names one rating group twice (its reservations would be released twice) and an event without units, changing nothing', async () => {
    const [line] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '5.00' }] });
    const call = session(line);
    await call.initial('60');
    const before = { state: await bucketState(knex, line.buckets[0]), ledger: await ledgerOf(knex, line.buckets[0]) };
    const unit = { ratingGroup: VOICE, used: { quantity: '60' }, requested: { quantity: '60' } };
    expect(await call.send('update', [unit, { ratingGroup: DATA, requested: {} }, unit])).toEqual({ sessionId: call.sessionId, requestNumber: 1, resultCode: RESULT.UNABLE_TO_COMPLY, units: [] });
    expect({ state: await bucketState(knex, line.buckets[0]), ledger: await ledgerOf(knex, line.buckets[0]) }).toEqual(before);
    expect((await call.send('update', [unit], 1)).resultCode).toBe(RESULT.SUCCESS);
    // An event without units would pass free.
    expect((await session(line).send('event', [])).resultCode).toBe(RESULT.UNABLE_TO_COMPLY);
  });

  it('refuses (5012) a session id longer than it keeps, writing nothing', async () => {
    const [line] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '5.00' }] });
    // Random text does not compress: as the session's key it would not fit an index entry.
    const sessionId = randomBytes(600).toString('base64');
    const answer = await engine.charge({ sessionId, requestNumber: 0, type: 'initial', subscriber: { msisdn: line.msisdn }, eventTime: clock.now(), destination: NATIONAL, units: [{ ratingGroup: VOICE, requested: {} }] });
    expect(answer).toEqual({ sessionId, requestNumber: 0, resultCode: RESULT.UNABLE_TO_COMPLY, units: [] });
    expect(await knex('charging_session').where({ id: sessionId })).toHaveLength(0);
    expect(await bucketState(knex, line.buckets[0])).toEqual({ balance: '5.000000', reserved: '0.000000' });
  });

  it("refuses (5012) a session id that begins as balance management's ledger references (unique per bucket), writing nothing", async () => {
    const [line] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '5.00' }] });
    const sessionId = `topup:${randomUUID()}`;
    // Two rating groups reserving on the one money bucket: two entries of one reference and kind.
    const answer = await engine.charge({ sessionId, requestNumber: 0, type: 'initial', subscriber: { msisdn: line.msisdn }, eventTime: clock.now(), destination: NATIONAL, units: [{ ratingGroup: VOICE, requested: {} }, { ratingGroup: DATA, requested: {} }] });
    expect(answer).toEqual({ sessionId, requestNumber: 0, resultCode: RESULT.UNABLE_TO_COMPLY, units: [] });
    expect(await knex('charging_session').where({ id: sessionId })).toHaveLength(0);
    expect(await bucketState(knex, line.buckets[0])).toEqual({ balance: '5.000000', reserved: '0.000000' });
  });

  it('sends a data session to the top-up portal once its final units are used, where one is configured; a call still ends', async () => {
    const portal = 'https://topup.example.com/prepaid';
    const redirecting = createChargingEngine({ pool, clock, config: { finalUnitRedirect: portal } });
    const ask = async (balance: string, ratingGroup: number, quantity: string) => {
      const [line] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: balance }] });
      const units = [{ ratingGroup, requested: { quantity } }];
      return redirecting.charge({ sessionId: `test-${randomUUID()}`, requestNumber: 0, type: 'initial', subscriber: { msisdn: line.msisdn }, eventTime: clock.now(), destination: NATIONAL, units });
    };
    // 0.05 buys 1706 KB at 0.03 a MB in 1 KB steps (0.049980; 1707 KB would cost 0.050009).
    expect((await ask('0.05', DATA, '10485760')).units[0]).toEqual({
      ratingGroup: DATA,
      resultCode: RESULT.SUCCESS,
      granted: { quantity: '1746944' },
      validityTime: 600,
      finalUnit: true,
      redirectTo: portal,
    });
    // With nothing left, the data session is refused (4012) and redirected at once, for the validity time.
    expect((await ask('0.00', DATA, '10485760')).units[0]).toEqual({ ratingGroup: DATA, resultCode: RESULT.CREDIT_LIMIT_REACHED, validityTime: 600, finalUnit: true, redirectTo: portal });
    // 0.30 buys a call of 150 s, which ends when they are used; with nothing left, a call is refused.
    expect((await ask('0.30', VOICE, '600')).units[0]).toEqual({ ratingGroup: VOICE, resultCode: RESULT.SUCCESS, granted: { quantity: '150' }, validityTime: 600, finalUnit: true });
    expect((await ask('0.00', VOICE, '600')).units[0]).toEqual({ ratingGroup: VOICE, resultCode: RESULT.CREDIT_LIMIT_REACHED });
    // Without a portal configured, the data session ends (TERMINATE).
    const [other] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '0.05' }] });
    expect((await session(other).initial('10485760', DATA)).units[0]).toEqual({ ratingGroup: DATA, resultCode: RESULT.SUCCESS, granted: { quantity: '1746944' }, validityTime: 600, finalUnit: true });
  });

  it('restricts a data session to a filter once its final units are used, where one is configured (with a portal: what stays reachable besides it)', async () => {
    const ask = async (config: Partial<EngineConfig>, balance: string) => {
      const [line] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: balance }] });
      const units = [{ ratingGroup: DATA, requested: { quantity: '10485760' } }];
      const answer = await createChargingEngine({ pool, clock, config }).charge({ sessionId: `test-${randomUUID()}`, requestNumber: 0, type: 'initial', subscriber: { msisdn: line.msisdn }, eventTime: clock.now(), units });
      return answer.units[0];
    };
    const restricting = { finalUnitFilterId: 'topup-and-care' };
    expect(await ask(restricting, '0.05')).toEqual({ ratingGroup: DATA, resultCode: RESULT.SUCCESS, granted: { quantity: '1746944' }, validityTime: 600, finalUnit: true, filterId: 'topup-and-care' });
    // Nothing payable: refused (4012), restricted at once for the validity time.
    expect(await ask(restricting, '0.00')).toEqual({ ratingGroup: DATA, resultCode: RESULT.CREDIT_LIMIT_REACHED, validityTime: 600, finalUnit: true, filterId: 'topup-and-care' });
    const both = { ...restricting, finalUnitRedirect: 'https://topup.example.com/' };
    expect(await ask(both, '0.00')).toEqual({ ratingGroup: DATA, resultCode: RESULT.CREDIT_LIMIT_REACHED, validityTime: 600, finalUnit: true, filterId: 'topup-and-care', redirectTo: 'https://topup.example.com/' });
  });

  it('tells the client when to ask again (a share of the grant left) and when to give an idle data quota back, where configured; not with final units, nor for SMS', async () => {
    const hints = { quotaThresholdPercent: 20, quotaHoldingTime: 120 };
    const engine = createChargingEngine({ pool, clock, config: hints });
    const ask = async (balance: string, ratingGroup: number, quantity: string) => {
      const [line] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: balance }] });
      const units = [{ ratingGroup, requested: { quantity } }];
      return (await engine.charge({ sessionId: `test-${randomUUID()}`, requestNumber: 0, type: 'initial', subscriber: { msisdn: line.msisdn }, eventTime: clock.now(), destination: '+34612345678', units })).units[0];
    };
    // 300 s of a call: ask again with 60 s left; 10 MB of data: with 2 MB left, and give it back after 2 idle minutes.
    expect(await ask('10.00', VOICE, '300')).toEqual({ ratingGroup: VOICE, resultCode: RESULT.SUCCESS, granted: { quantity: '300' }, validityTime: 600, quotaThreshold: '60' });
    expect(await ask('10.00', DATA, '10485760')).toEqual({ ratingGroup: DATA, resultCode: RESULT.SUCCESS, granted: { quantity: '10485760' }, validityTime: 600, quotaThreshold: '2097152', quotaHoldingTime: 120 });
    // A grant too small for a whole unit's threshold gets none; the final units get neither (there is no more to ask for).
    expect(await ask('10.00', VOICE, '4')).toEqual({ ratingGroup: VOICE, resultCode: RESULT.SUCCESS, granted: { quantity: '4' }, validityTime: 600 });
    expect(await ask('0.30', VOICE, '600')).toEqual({ ratingGroup: VOICE, resultCode: RESULT.SUCCESS, granted: { quantity: '150' }, validityTime: 600, finalUnit: true });
    expect(await ask('10.00', SMS, '1')).toEqual({ ratingGroup: SMS, resultCode: RESULT.SUCCESS, granted: { quantity: '1' }, validityTime: 600 });
  });

  it('rates data in 1 KB steps and rounds the debit to the cent', async () => {
    const [line] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '5.00' }] });
    const flow = session(line, { destination: '' });
    await flow.initial('1048576', DATA);
    await flow.terminate('1048577', DATA);
    // 1 MB + 1 octet is 1025 KB at 0.03 per MB: 0.030029, debited as 0.03.
    expect(await ledgerOf(knex, line.buckets[0])).toEqual([
      ['reservation', '0.030000'],
      ['release', '0.030000'],
      ['debit', '0.030000'],
    ]);
  });
});

function paygVoice(): Rating {
  const price = (catalogSeed.productOfferingPrice as Array<{ name: string; rating?: Rating }>).find((p) => p.name === 'Pay-as-you-go calls');
  return price!.rating!;
}

async function sessionState(id: string): Promise<string | undefined> {
  return (await knex('charging_session').where({ id }).first('state'))?.state;
}
