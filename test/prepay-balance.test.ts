/**
 * TMF654 prepay balances against the real database: reading buckets with customer scoping,
 * voucher and counter top-ups, adjustments within the credit limit, reservations and their
 * expiry, the expiry of allowances, low-balance notices once per crossing, and, after all of it,
 * a ledger that reconciles with every bucket to the last decimal.
 */
import type { Express } from 'express';
import type { Knex } from 'knex';
import { randomInt, randomUUID } from 'node:crypto';
import request from 'supertest';
import { createNotificationService } from '../activities/notifications';
import { createPrepayActivities } from '../activities/prepay';
import { SimulatedPaymentGateway } from '../activities/payments/gateway';
import { loadConfig } from '../config';
import { createChargingChangeActivities } from '../activities/charging/change';
import { addChargingSubscriber } from '../db/charging';
import { applyLedgerEntry, type LedgerKind } from '../db/prepay-balance';
import { disarmLowBalance } from '../db/prepay-housekeeping';
import { insertVoucher, voucherCodeHash } from '../db/prepay-vouchers';
import { SEED_VOUCHERS, seedVouchers } from '../db/seeds/vouchers';
import { ManualClock } from '../domain/clock';
import { bearer, createTestApi, tokenFor, type TestApi } from './helpers/api';
import { newNumber } from './helpers/charging';
import { createPrepaidCustomer, ledgerMismatches, type PrepaidCustomer } from './helpers/prepaid';

const BASE = '/tmf-api/prepayBalanceManagement/v4';
const GIB = 2 ** 30;

describe('TMF654 prepay balance management', () => {
  const start = new Date();
  const apiClock = new ManualClock(start);
  const jobClock = new ManualClock(start);
  let api: TestApi;
  let app: Express;
  let knex: Knex;
  let notifications: ReturnType<typeof createNotificationService>;
  let jobs: ReturnType<typeof createPrepayActivities>;
  let admin: Record<string, string>;
  let agent: Record<string, string>;
  const accounts: string[] = [];

  const customerToken = async (c: PrepaidCustomer) => bearer(await tokenFor('customer', { customerId: c.customerId }));
  async function customer(opts: Parameters<typeof createPrepaidCustomer>[1] = {}) {
    const c = await createPrepaidCustomer(knex, { now: start, ...opts });
    accounts.push(c.chargingAccountId);
    return c;
  }
  const bucketRow = (id: string) => knex('charging_bucket').where({ id }).first('balance', 'reserved');
  const ledgerOf = (bucketId: string) => knex('charging_ledger').where({ bucket_id: bucketId }).orderBy('id').select('kind', 'amount', 'reference');
  /** The balance actions (top-ups, adjustments, reservations) on these buckets: other test files write theirs in the same database meanwhile. */
  const actionCount = async (...bucketIds: string[]) =>
    Number(
      (
        await knex.raw(
          `SELECT count(*) AS n FROM (SELECT body FROM prepay_topup UNION ALL SELECT body FROM prepay_adjustment UNION ALL SELECT body FROM prepay_reservation) a
           WHERE a.body #>> '{bucket,id}' = ANY(?::text[])`,
          [bucketIds],
        )
      ).rows[0].n,
    );
  async function voucher(value: string, opts: { expiresAt?: Date; currency?: string } = {}) {
    const code = `TEST-${randomUUID()}`;
    await insertVoucher(knex, { code, serial: code, value, currency: opts.currency ?? 'EUR', expiresAt: opts.expiresAt ?? new Date(start.getTime() + 86400_000), now: start });
    return code;
  }
  async function outboxFor(email: string): Promise<Array<{ subject: string; body: string }>> {
    return knex('dev_outbox').where({ recipient: email.toLowerCase(), channel: 'email' }).orderBy('received_at').select('subject', 'body');
  }
  /** The SMTP sink stores what it receives as it arrives: wait for the count to be reached. */
  async function waitForOutbox(email: string, count: number) {
    for (let i = 0; i < 100; i++) {
      const messages = await outboxFor(email);
      if (messages.length >= count) return messages;
      await new Promise((r) => setTimeout(r, 100));
    }
    return outboxFor(email);
  }

  beforeAll(async () => {
    api = await createTestApi(apiClock);
    app = api.app;
    knex = api.knex;
    const config = loadConfig();
    notifications = createNotificationService({
      knex,
      clock: jobClock,
      publicUrl: config.publicUrl,
      mail: { smtpUrl: config.smtpUrl, from: config.mailFrom },
      sms: { smppUrl: config.smppUrl, systemId: config.smppSystemId, password: config.smppPassword, sender: config.smsSender },
    });
    jobs = createPrepayActivities({
      knex,
      clock: jobClock,
      publicUrl: config.publicUrl,
      paymentGateway: new SimulatedPaymentGateway(),
      sendNotification: notifications.activities.sendNotification,
      lowBalanceThreshold: '5.00',
    });
    admin = bearer(await tokenFor('admin'));
    agent = bearer(await tokenFor('agent'));
  });

  afterAll(async () => {
    await notifications.close();
    await api.close();
  });

  describe('buckets', () => {
    it('shows a customer its own buckets, with remaining and reserved values as quantities', async () => {
      const c = await customer({ money: '12.50' });
      const other = await customer();
      const res = await request(app).get(`${BASE}/bucket`).set(await customerToken(c)).expect(200);
      expect(res.headers['x-total-count']).toBe('2');
      expect(res.headers['x-result-count']).toBe('2');
      const money = res.body.find((b: { id: string }) => b.id === c.moneyBucketId);
      expect(money).toEqual({
        id: c.moneyBucketId,
        href: `http://bss.test${BASE}/bucket/${c.moneyBucketId}`,
        '@type': 'Bucket',
        name: 'monetary EUR',
        usageType: 'monetary',
        status: 'active',
        remainingValue: { amount: 12.5, units: 'EUR' },
        reservedValue: { amount: 0, units: 'EUR' },
        remainingValueName: '12.50 EUR',
        isShared: false,
        confirmationDate: expect.any(String),
        validFor: { startDateTime: new Date(start.getTime() - 3600_000).toISOString() },
        partyAccount: { id: c.billingAccountId, href: `http://bss.test/tmf-api/accountManagement/v4/billingAccount/${c.billingAccountId}`, '@referredType': 'BillingAccount' },
        relatedParty: [{ id: c.customerId, href: `http://bss.test/tmf-api/customerManagement/v4/customer/${c.customerId}`, role: 'customer', '@referredType': 'Customer' }],
      });
      const data = res.body.find((b: { id: string }) => b.id === c.dataBucketId);
      expect(data).toMatchObject({ usageType: 'data', remainingValue: { amount: GIB, units: 'octets' }, remainingValueName: '1 GB' });

      // Another customer's bucket does not exist for this customer; staff see it.
      await request(app).get(`${BASE}/bucket/${other.moneyBucketId}`).set(await customerToken(c)).expect(404);
      await request(app).get(`${BASE}/bucket/${other.moneyBucketId}`).set(agent).expect(200);
      const projected = await request(app).get(`${BASE}/bucket/${c.dataBucketId}?fields=usageType`).set(admin).expect(200);
      expect(projected.body).toEqual({ id: c.dataBucketId, href: `http://bss.test${BASE}/bucket/${c.dataBucketId}`, usageType: 'data' });
      const filtered = await request(app).get(`${BASE}/bucket?partyAccount.id=${c.billingAccountId}&usageType=data`).set(admin).expect(200);
      expect(filtered.body.map((b: { id: string }) => b.id)).toEqual([c.dataBucketId]);
    });

    it('totals a customer’s buckets per usage type', async () => {
      const c = await customer({ money: '7.25' });
      const res = await request(app).get(`${BASE}/accumulatedBalance`).set(await customerToken(c)).expect(200);
      expect(res.body.map((a: { usageType: string; totalBalance: unknown; bucket: unknown[] }) => [a.usageType, a.totalBalance, a.bucket.length])).toEqual([
        ['monetary', { amount: 7.25, units: 'EUR' }, 1],
        ['data', { amount: GIB, units: 'octets' }, 1],
      ]);
      const one = await request(app).get(`${BASE}/accumulatedBalance/${res.body[0].id}`).set(await customerToken(c)).expect(200);
      expect(one.body).toEqual(res.body[0]);
    });
  });

  describe('top-ups', () => {
    it('credits a voucher once, and refuses it the second time with nothing changed', async () => {
      const c = await customer({ money: '20.00' });
      const code = await voucher('10.00');
      const token = await customerToken(c);
      const res = await request(app).post(`${BASE}/topupBalance`).set(token).send({ bucket: { id: c.moneyBucketId }, voucher: code }).expect(201);
      expect(res.headers.location).toBe(res.body.href);
      expect(res.body).toMatchObject({
        '@type': 'TopupBalance',
        status: 'completed',
        usageType: 'monetary',
        amount: { amount: 10, units: 'EUR' },
        voucher: `****${code.slice(-4)}`,
        bucket: { id: c.moneyBucketId },
        relatedParty: [{ id: c.customerId, role: 'customer' }],
        requestedDate: start.toISOString(),
        confirmationDate: start.toISOString(),
      });
      expect(await bucketRow(c.moneyBucketId)).toEqual({ balance: '30.000000', reserved: '0.000000' });
      expect(await ledgerOf(c.moneyBucketId)).toEqual([{ kind: 'credit', amount: '10.000000', reference: `topup:${res.body.id}` }]);
      expect(await knex('prepay_voucher').where({ serial: code }).first('state', 'used_by_topup')).toEqual({ state: 'used', used_by_topup: res.body.id });

      const actions = await actionCount(c.moneyBucketId);
      expect(actions).toBe(1);
      const again = await request(app).post(`${BASE}/topupBalance`).set(token).send({ bucket: { id: c.moneyBucketId }, voucher: code }).expect(422);
      expect(again.body).toEqual({ code: '422', reason: 'Unprocessable Entity', message: 'voucher: already used', status: '422', '@type': 'Error' });
      expect(await bucketRow(c.moneyBucketId)).toEqual({ balance: '30.000000', reserved: '0.000000' });
      expect(await actionCount(c.moneyBucketId)).toBe(actions);

      // The ledger reads back as balance action history, and the customer sees its top-up.
      const history = await request(app).get(`${BASE}/balanceActionHistory?bucket.id=${c.moneyBucketId}`).set(token).expect(200);
      expect(history.body).toEqual([expect.objectContaining({ actionType: 'credit', amount: { amount: 10, units: 'EUR' }, reason: `topup:${res.body.id}`, status: 'completed' })]);
      await request(app).get(`${BASE}/topupBalance/${res.body.id}`).set(token).expect(200);
      await request(app).get(`${BASE}/topupBalance/${res.body.id}`).set(await customerToken(await customer())).expect(404);
    });

    it('answers 10 redemptions of a voucher sent at once with one Idempotency-Key with the one top-up', async () => {
      const c = await customer({ money: '1.00' });
      const code = await voucher('5.00');
      const token = await customerToken(c);
      const results = await Promise.all(
        Array.from({ length: 10 }, () => request(app).post(`${BASE}/topupBalance`).set(token).set('Idempotency-Key', `voucher-${code}`).send({ bucket: { id: c.moneyBucketId }, voucher: code })),
      );
      expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
      expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
      expect(await bucketRow(c.moneyBucketId)).toEqual({ balance: '6.000000', reserved: '0.000000' });
      expect(await ledgerOf(c.moneyBucketId)).toHaveLength(1);
    });

    it('burns a voucher once when 20 redemptions race for it', async () => {
      const c = await customer({ money: '1.00' });
      const code = await voucher('5.00');
      const token = await customerToken(c);
      const results = await Promise.all(
        Array.from({ length: 20 }, () => request(app).post(`${BASE}/topupBalance`).set(token).send({ bucket: { id: c.moneyBucketId }, voucher: code })),
      );
      expect(results.map((r) => r.status).sort()).toEqual([201, ...Array(19).fill(422)]);
      expect(results.filter((r) => r.status === 422).every((r) => r.body.message === 'voucher: already used')).toBe(true);
      expect(await bucketRow(c.moneyBucketId)).toEqual({ balance: '6.000000', reserved: '0.000000' });
      expect(await ledgerOf(c.moneyBucketId)).toHaveLength(1);
    });

    it('refuses what breaks a rule, with a TMF error and nothing changed', async () => {
      const c = await customer({ money: '20.00' });
      const other = await customer();
      const token = await customerToken(c);
      const unknownBucket = randomUUID();
      const buckets = [c.moneyBucketId, c.dataBucketId, other.moneyBucketId, unknownBucket];
      const before = { bucket: await bucketRow(c.moneyBucketId), actions: await actionCount(...buckets) };
      const expired = await voucher('5.00', { expiresAt: new Date(start.getTime() - 1000) });
      const usd = await voucher('5.00', { currency: 'USD' });
      const cases: Array<[Record<string, string>, Record<string, unknown>, number, string]> = [
        [token, { bucket: { id: c.moneyBucketId }, amount: { amount: 10, units: 'EUR' } }, 400, 'paymentMethod: a customer tops up by card (paymentMethod) or voucher'],
        [token, { bucket: { id: c.moneyBucketId }, voucher: 'X', paymentMethod: { id: c.paymentMethodId } }, 400, 'voucher, paymentMethod: pay by one of them'],
        [admin, { bucket: { id: c.moneyBucketId }, amount: { amount: 'ten', units: 'EUR' } }, 400, 'amount.amount'],
        [admin, { bucket: { id: c.moneyBucketId }, amount: { amount: -5, units: 'EUR' } }, 400, 'amount.amount: must be greater than zero'],
        [token, { bucket: { id: other.moneyBucketId }, voucher: 'NOPE' }, 403, 'a customer may only act on its own buckets'],
        [token, { bucket: { id: c.moneyBucketId }, voucher: 'NOPE' }, 422, 'voucher: unknown code'],
        [token, { bucket: { id: unknownBucket }, voucher: 'NOPE' }, 404, 'not found'],
        [token, { bucket: { id: c.moneyBucketId }, voucher: expired }, 422, 'voucher: expired'],
        [token, { bucket: { id: c.moneyBucketId }, voucher: usd }, 422, 'voucher: worth USD, the bucket holds EUR'],
        [token, { bucket: { id: c.dataBucketId }, voucher: usd }, 422, `bucket ${c.dataBucketId} holds octets: top-ups go to a money bucket`],
        [admin, { bucket: { id: c.moneyBucketId }, amount: { amount: 5, units: 'USD' } }, 422, `amount.units: bucket ${c.moneyBucketId} holds EUR, not USD`],
        [token, { bucket: { id: c.moneyBucketId }, paymentMethod: { id: randomUUID() }, amount: { amount: 10, units: 'EUR' } }, 422, 'is not a card of the bucket\'s customer'],
        [token, { bucket: { id: c.moneyBucketId }, paymentMethod: { id: 'card-1' }, amount: { amount: 10, units: 'EUR' } }, 422, 'card-1 is not a card of the bucket\'s customer'],
        // Paid money: in cents, and no more than a card charge holds.
        [token, { bucket: { id: c.moneyBucketId }, paymentMethod: { id: c.paymentMethodId }, amount: { amount: '10.005', units: 'EUR' } }, 400, 'amount.amount: money is paid in cents: at most 2 decimals'],
        [admin, { bucket: { id: c.moneyBucketId }, amount: { amount: '0.001', units: 'EUR' } }, 400, 'amount.amount: money is paid in cents'],
        [token, { bucket: { id: c.moneyBucketId }, paymentMethod: { id: c.paymentMethodId }, amount: { amount: '1000000000000', units: 'EUR' } }, 400, 'amount.amount: must be below 1000000000000'],
      ];
      for (const [auth, body, status, message] of cases) {
        const res = await request(app).post(`${BASE}/topupBalance`).set(auth).send(body);
        expect([res.status, res.body.code, res.body.status, res.body.message]).toEqual([status, String(status), String(status), expect.stringContaining(message)]);
        expect(res.body.message).toContain(message);
      }
      expect(await bucketRow(c.moneyBucketId)).toEqual(before.bucket);
      expect(await ledgerOf(c.moneyBucketId)).toEqual([]);
      expect(await actionCount(...buckets)).toBe(before.actions);
      expect(await knex('prepay_voucher').whereIn('serial', [expired, usd]).pluck('state')).toEqual(['unused', 'unused']);
      await request(app).get(`${BASE}/topupBalance/${randomUUID()}`).set(admin).expect(404);
    });

    it('credits a counter top-up by staff at once, and records an action on an unknown bucket as failed', async () => {
      const c = await customer({ money: '2.00' });
      const res = await request(app).post(`${BASE}/topupBalance`).set(agent).send({ partyAccount: { id: c.billingAccountId }, amount: { amount: '15.50', units: 'EUR' } }).expect(201);
      expect(res.body).toMatchObject({ status: 'completed', bucket: { id: c.moneyBucketId }, amount: { amount: 15.5, units: 'EUR' } });
      expect(await bucketRow(c.moneyBucketId)).toEqual({ balance: '17.500000', reserved: '0.000000' });

      const unknown = randomUUID();
      const failed = await request(app).post(`${BASE}/topupBalance`).set(admin).send({ bucket: { id: unknown }, amount: { amount: 5, units: 'EUR' } }).expect(201);
      expect(failed.body).toMatchObject({ status: 'failed', statusReason: `bucket ${unknown} not found` });
      expect(failed.body.confirmationDate).toBeUndefined();
    });
  });

  describe('voucher batches', () => {
    it('issues codes once to an admin, which top up like any voucher', async () => {
      const expiresAt = new Date(start.getTime() + 90 * 86400_000).toISOString();
      const res = await request(app).post('/api/prepay/vouchers').set(admin).send({ count: 2, value: '15.00', currency: 'EUR', expiresAt }).expect(201);
      expect(res.body).toMatchObject({ value: '15.00', currency: 'EUR', expiresAt });
      expect(res.body.vouchers).toHaveLength(2);
      const [first] = res.body.vouchers as Array<{ serial: string; code: string }>;
      expect(first.code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){4}$/);
      // Only the hash is kept.
      expect(JSON.stringify(await knex('prepay_voucher').where({ serial: first.serial }).first())).not.toContain(first.code);

      const c = await customer({ money: '0.00' });
      // Typed in lower case without dashes, as people do.
      await request(app).post(`${BASE}/topupBalance`).set(await customerToken(c)).send({ bucket: { id: c.moneyBucketId }, voucher: first.code.replace(/-/g, '').toLowerCase() }).expect(201);
      expect(await bucketRow(c.moneyBucketId)).toEqual({ balance: '15.000000', reserved: '0.000000' });

      await request(app).post('/api/prepay/vouchers').set(agent).send({ count: 1, value: '5', currency: 'EUR', expiresAt }).expect(403);
      const bad = await request(app).post('/api/prepay/vouchers').set(admin).send({ count: 0, value: '5', currency: 'eur', expiresAt }).expect(400);
      expect(bad.body.message).toContain('count');
      expect(bad.body.message).toContain('currency');
      for (const value of ['0.0000001', '1.1234567', '1000000000000']) {
        const refused = await request(app).post('/api/prepay/vouchers').set(admin).send({ count: 1, value, currency: 'EUR', expiresAt }).expect(400);
        expect(refused.body.message).toMatch(/^value: (money is paid in cents|must be below)/);
      }
    });
  });

  describe('demo vouchers', () => {
    it('seeds the documented codes once', async () => {
      await seedVouchers(knex);
      await seedVouchers(knex);
      const rows = await knex('prepay_voucher').whereIn('serial', SEED_VOUCHERS.map((v) => v.serial)).orderBy('serial').select('serial', 'code_hash', 'value', 'currency');
      expect(rows).toEqual(SEED_VOUCHERS.map((v) => ({ serial: v.serial, code_hash: voucherCodeHash(v.code), value: `${v.value}0000`, currency: 'EUR' })));
      expect(voucherCodeHash('bss demo 0010 eur')).toBe(voucherCodeHash('BSS-DEMO-0010-EUR'));
    });
  });

  describe('adjustments', () => {
    it('lets staff credit and debit down to the credit limit and refuses a debit beyond it', async () => {
      const c = await customer({ money: '20.00', creditLimit: '10.00' });
      const credit = await request(app).post(`${BASE}/adjustBalance`).set(agent).send({ bucket: { id: c.moneyBucketId }, amount: { amount: 2.5, units: 'EUR' }, reason: 'goodwill: dropped calls' }).expect(201);
      expect(credit.body).toMatchObject({ status: 'completed', usageType: 'monetary', reason: 'goodwill: dropped calls' });
      await request(app).post(`${BASE}/adjustBalance`).set(admin).send({ bucket: { id: c.moneyBucketId }, amount: { amount: '-30.5', units: 'EUR' }, reason: 'correction' }).expect(201);
      expect(await bucketRow(c.moneyBucketId)).toEqual({ balance: '-8.000000', reserved: '0.000000' });

      const refused = await request(app).post(`${BASE}/adjustBalance`).set(admin).send({ bucket: { id: c.moneyBucketId }, amount: { amount: -2.01, units: 'EUR' }, reason: 'correction' }).expect(422);
      expect(refused.body.message).toBe(`amount: a debit of 2.01 EUR would take bucket ${c.moneyBucketId} below its credit limit (available 2)`);
      await request(app).post(`${BASE}/adjustBalance`).set(await customerToken(c)).send({ bucket: { id: c.moneyBucketId }, amount: { amount: 100, units: 'EUR' } }).expect(403);
      await request(app).post(`${BASE}/adjustBalance`).set(admin).send({ bucket: { id: c.dataBucketId }, amount: { amount: GIB, units: 'EUR' } }).expect(422);
      await request(app).post(`${BASE}/adjustBalance`).set(admin).send({ bucket: { id: c.moneyBucketId }, amount: { amount: 0, units: 'EUR' } }).expect(400);
      // What the ledger cannot hold is refused, not rounded away or overflowed: 6 decimals, below 10^18.
      for (const [amount, message] of [
        ['0.0000001', 'amount.amount: at most 6 decimals'],
        [-1.2345678, 'amount.amount: at most 6 decimals'],
        ['1000000000000000000', 'amount.amount: must be below 10^18 in absolute value'],
        [1e30, 'amount.amount: must be below 10^18 in absolute value'],
      ] as const) {
        for (const action of ['adjustBalance', 'topupBalance']) {
          const bad = await request(app).post(`${BASE}/${action}`).set(admin).send({ bucket: { id: c.moneyBucketId }, amount: { amount, units: 'EUR' }, reason: 'correction' });
          expect([action, amount, bad.status, bad.body.message]).toEqual([action, amount, 400, message]);
        }
      }
      expect(await bucketRow(c.moneyBucketId)).toEqual({ balance: '-8.000000', reserved: '0.000000' });
      expect((await ledgerOf(c.moneyBucketId)).map((e) => [e.kind, e.amount])).toEqual([['credit', '2.500000'], ['debit', '30.500000']]);

      // A data allowance is adjusted in its own units.
      await request(app).post(`${BASE}/adjustBalance`).set(admin).send({ bucket: { id: c.dataBucketId }, amount: { amount: GIB / 2, units: 'octets' }, reason: 'network outage' }).expect(201);
      expect(await bucketRow(c.dataBucketId)).toEqual({ balance: `${1.5 * GIB}.000000`, reserved: '0.000000' });
    });
  });

  describe('reservations', () => {
    it('holds an amount until its end, and the housekeeping releases it once', async () => {
      const c = await customer({ money: '10.00' });
      const token = await customerToken(c);
      const end = new Date(start.getTime() + 10 * 60_000).toISOString();
      const res = await request(app).post(`${BASE}/reserveBalance`).set(token).send({ bucket: { id: c.moneyBucketId }, amount: { amount: 4, units: 'EUR' }, validFor: { endDateTime: end } }).expect(201);
      expect(res.body).toMatchObject({ status: 'completed', validFor: { startDateTime: start.toISOString(), endDateTime: end } });
      expect(await bucketRow(c.moneyBucketId)).toEqual({ balance: '10.000000', reserved: '4.000000' });
      const bucket = await request(app).get(`${BASE}/bucket/${c.moneyBucketId}`).set(token).expect(200);
      expect(bucket.body.reservedValue).toEqual({ amount: 4, units: 'EUR' });

      // More than is left is refused; so is an end in the past.
      const more = await request(app).post(`${BASE}/reserveBalance`).set(token).send({ bucket: { id: c.moneyBucketId }, amount: { amount: 6.01, units: 'EUR' } }).expect(422);
      expect(more.body.message).toBe(`amount: bucket ${c.moneyBucketId} has 6 EUR available`);
      await request(app).post(`${BASE}/reserveBalance`).set(token).send({ bucket: { id: c.moneyBucketId }, amount: { amount: 1, units: 'EUR' }, validFor: { endDateTime: start.toISOString() } }).expect(422);

      const only = { chargingAccountIds: [c.chargingAccountId] };
      jobClock.set(new Date(start.getTime() + 9 * 60_000));
      expect(await jobs.releaseExpiredReservations(only)).toBe(0);
      jobClock.set(new Date(start.getTime() + 11 * 60_000));
      expect(await jobs.releaseExpiredReservations(only)).toBe(1);
      expect(await jobs.releaseExpiredReservations(only)).toBe(0);
      expect(await bucketRow(c.moneyBucketId)).toEqual({ balance: '10.000000', reserved: '0.000000' });
      expect((await ledgerOf(c.moneyBucketId)).map((e) => [e.kind, e.amount, e.reference])).toEqual([
        ['reservation', '4.000000', `reservation:${res.body.id}`],
        ['release', '4.000000', `reservation:${res.body.id}`],
      ]);
      const after = await request(app).get(`${BASE}/reserveBalance/${res.body.id}`).set(token).expect(200);
      expect(after.body.releaseDate).toBe(new Date(start.getTime() + 11 * 60_000).toISOString());
      // Ended and given back: a cancel afterwards is refused, and the reservation's history stays.
      apiClock.set(new Date(start.getTime() + 20 * 60_000));
      const late = await request(app).patch(`${BASE}/reserveBalance/${res.body.id}`).set(token).send({ status: 'cancelled' }).expect(409);
      apiClock.set(start);
      expect(late.body.message).toBe(`the reservation ended at ${after.body.releaseDate} and holds nothing to cancel`);
      expect((await request(app).get(`${BASE}/reserveBalance/${res.body.id}`).set(token).expect(200)).body).toEqual(after.body);
      expect(await bucketRow(c.moneyBucketId)).toEqual({ balance: '10.000000', reserved: '0.000000' });
    });
    it('lets a cancel and the housekeeping race for a reservation past its end: one gives it back, neither fails', async () => {
      const c = await customer({ money: '10.00' });
      const token = await customerToken(c);
      const end = new Date(start.getTime() + 10 * 60_000).toISOString();
      const res = await request(app).post(`${BASE}/reserveBalance`).set(token).send({ bucket: { id: c.moneyBucketId }, amount: { amount: 3, units: 'EUR' }, validFor: { endDateTime: end } }).expect(201);
      const later = new Date(start.getTime() + 11 * 60_000);
      [jobClock, apiClock].forEach((clock) => clock.set(later));
      /** Until `n` backends of this database wait for a lock on the bucket or the reservation (5 s at most). */
      const waiting = async (n: number) => {
        for (let i = 0; i < 100; i++) {
          const { rows } = await knex.raw(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND (query LIKE '%charging_bucket%' OR query LIKE '%prepay_reservation%')`);
          if (rows[0].n >= n) return;
          await new Promise((r) => setTimeout(r, 50));
        }
      };
      // The bucket is busy (a charging write, say) while both start: they wait for it together.
      const blocker = await knex.transaction();
      try {
        await blocker('charging_bucket').where({ id: c.moneyBucketId }).forUpdate().first('id');
        const release = jobs.releaseExpiredReservations({ chargingAccountIds: [c.chargingAccountId] });
        await waiting(1);
        const cancel = request(app).patch(`${BASE}/reserveBalance/${res.body.id}`).set(token).send({ status: 'cancelled' }).then((r) => r);
        await waiting(2);
        await blocker.commit();
        const [released, cancelled] = await Promise.all([release, cancel]);
        // Whichever locked the reservation first gave it back; the other found nothing held.
        expect({ released, cancelled: cancelled.status }).toEqual(released === 1 ? { released: 1, cancelled: 409 } : { released: 0, cancelled: 200 });
      } finally {
        if (!blocker.isCompleted()) await blocker.rollback();
        [jobClock, apiClock].forEach((clock) => clock.set(start));
      }
      expect(await bucketRow(c.moneyBucketId)).toEqual({ balance: '10.000000', reserved: '0.000000' });
      expect((await ledgerOf(c.moneyBucketId)).map((e) => e.kind)).toEqual(['reservation', 'release']);
    });

    it('gives back what a cancelled reservation held, once', async () => {
      const c = await customer({ money: '10.00' });
      const token = await customerToken(c);
      const res = await request(app).post(`${BASE}/reserveBalance`).set(token).send({ bucket: { id: c.moneyBucketId }, amount: { amount: 3, units: 'EUR' } }).expect(201);
      const path = `${BASE}/reserveBalance/${res.body.id}`;
      await request(app).patch(path).set(token).send({ amount: { amount: 1, units: 'EUR' } }).expect(400);
      await request(app).patch(path).set(await customerToken(await customer())).send({ status: 'cancelled' }).expect(404);
      const cancelled = await request(app).patch(path).set(token).send({ status: 'cancelled', reason: 'purchase abandoned' }).expect(200);
      expect(cancelled.body).toMatchObject({ status: 'cancelled', cancellationReason: 'purchase abandoned', releaseDate: start.toISOString(), amount: { amount: 3, units: 'EUR' } });
      await request(app).patch(path).set(token).send({ status: 'cancelled' }).expect(200);
      await request(app).delete(path).set(admin).expect(405);
      expect(await bucketRow(c.moneyBucketId)).toEqual({ balance: '10.000000', reserved: '0.000000' });
      expect((await ledgerOf(c.moneyBucketId)).map((e) => e.kind)).toEqual(['reservation', 'release']);
      jobClock.set(new Date(start.getTime() + 16 * 60_000));
      expect(await jobs.releaseExpiredReservations({ chargingAccountIds: [c.chargingAccountId] })).toBe(0);
    });
  });

  describe('allowance expiry', () => {
    it('debits what is left of an expired allowance once, so it reads empty and the ledger still adds up', async () => {
      const c = await customer();
      await knex('charging_bucket').where({ id: c.dataBucketId }).update({ valid_until: new Date(start.getTime() + 60_000) });
      const only = { chargingAccountIds: [c.chargingAccountId] };
      jobClock.set(start);
      expect(await jobs.expireAllowanceBuckets(only)).toBe(0);
      jobClock.set(new Date(start.getTime() + 61_000));
      expect(await jobs.expireAllowanceBuckets(only)).toBe(1);
      expect(await jobs.expireAllowanceBuckets(only)).toBe(0);
      expect(await bucketRow(c.dataBucketId)).toEqual({ balance: '0.000000', reserved: '0.000000' });
      expect(await ledgerOf(c.dataBucketId)).toEqual([{ kind: 'debit', amount: `${GIB}.000000`, reference: `expiry:${c.dataBucketId}` }]);
      // The money bucket never expires this way.
      expect(await ledgerOf(c.moneyBucketId)).toEqual([]);
      apiClock.set(new Date(start.getTime() + 61_000));
      const bucket = await request(app).get(`${BASE}/bucket/${c.dataBucketId}`).set(admin).expect(200);
      apiClock.set(start);
      expect(bucket.body).toMatchObject({ status: 'expired', remainingValue: { amount: 0, units: 'octets' } });
      // A credit to it would be expired again at the next run: refused, nothing changed.
      apiClock.set(new Date(start.getTime() + 61_000));
      const credit = await request(app).post(`${BASE}/adjustBalance`).set(admin).send({ bucket: { id: c.dataBucketId }, amount: { amount: 1000, units: 'octets' }, reason: 'goodwill' });
      apiClock.set(start);
      expect([credit.status, credit.body.message]).toEqual([422, `bucket ${c.dataBucketId} is expired: a credit to it would expire`]);
      expect(await bucketRow(c.dataBucketId)).toEqual({ balance: '0.000000', reserved: '0.000000' });
    });

    it('gives an allowance back what expired of it when the plan change that ended it is undone', async () => {
      const c = await customer();
      const { msisdn, imsi } = newNumber();
      await addChargingSubscriber(knex, { msisdn, imsi, chargingAccountId: c.chargingAccountId, now: start });
      const validUntil = (await knex('charging_bucket').where({ id: c.dataBucketId }).first('valid_until')).valid_until;
      const changes = createChargingChangeActivities({ knex, clock: jobClock });
      const only = { chargingAccountIds: [c.chargingAccountId] };
      jobClock.set(new Date(start.getTime() + 60_000));
      const orderId = randomUUID();
      const { ended } = await changes.changePrepaidPlan({ orderId, itemId: '1', msisdn, originPrefixes: [`test:${c.chargingAccountId}:data`], allowances: { dataOctets: '1000', periodDays: 30 } });
      expect(ended.map((e) => e.id)).toEqual([c.dataBucketId]);
      // The housekeeping runs before a later step of the order fails.
      expect(await jobs.expireAllowanceBuckets(only)).toBe(1);
      expect(await bucketRow(c.dataBucketId)).toEqual({ balance: '0.000000', reserved: '0.000000' });
      for (let i = 0; i < 2; i++) await changes.revertPrepaidPlanChange({ orderId, ended });
      expect(await knex('charging_bucket').where({ id: c.dataBucketId }).first('balance', 'valid_until')).toEqual({ balance: `${GIB}.000000`, valid_until: validUntil });
      expect((await ledgerOf(c.dataBucketId)).map((e) => [e.kind, e.reference])).toEqual([
        ['debit', `expiry:${c.dataBucketId}`],
        ['credit', `unexpiry:expiry:${c.dataBucketId}`],
      ]);
      expect(await knex('charging_bucket').where('origin', 'like', `order:${orderId}:%`)).toEqual([]);
      expect(await jobs.expireAllowanceBuckets(only)).toBe(0);
      expect((await ledgerMismatches(knex, [c.chargingAccountId])).mismatched).toEqual([]);
    });

    it('expires later what a session gives back of an allowance it had reserved on before the end', async () => {
      const c = await customer();
      await knex('charging_bucket').where({ id: c.dataBucketId }).update({ valid_until: new Date(start.getTime() + 60_000) });
      const only = { chargingAccountIds: [c.chargingAccountId] };
      // As the charging engine writes them: a session's grant of 1000 octets, reserved before the end.
      const engineWrites = (rows: Array<[LedgerKind, number, string]>) =>
        knex.transaction(async (trx) => {
          for (const [kind, amount, reference] of rows) await applyLedgerEntry(trx, { bucketId: c.dataBucketId, kind, amount: String(amount), reference, now: start });
        });
      await engineWrites([['reservation', 1000, 'test-session#0']]);
      jobClock.set(new Date(start.getTime() + 61_000));
      expect(await jobs.expireAllowanceBuckets(only)).toBe(1);
      expect(await bucketRow(c.dataBucketId)).toEqual({ balance: '1000.000000', reserved: '1000.000000' });
      // The session reports 400 octets used after the end and gives the rest back.
      await engineWrites([
        ['release', 1000, 'test-session#1'],
        ['debit', 400, 'test-session#1'],
      ]);
      expect(await jobs.expireAllowanceBuckets(only)).toBe(1);
      expect(await jobs.expireAllowanceBuckets(only)).toBe(0);
      expect(await bucketRow(c.dataBucketId)).toEqual({ balance: '0.000000', reserved: '0.000000' });
      expect((await ledgerOf(c.dataBucketId)).filter((e) => e.reference.startsWith('expiry:'))).toEqual([
        { kind: 'debit', amount: `${GIB - 1000}.000000`, reference: `expiry:${c.dataBucketId}` },
        { kind: 'debit', amount: '600.000000', reference: `expiry:${c.dataBucketId}:2` },
      ]);
      expect((await ledgerMismatches(knex, [c.chargingAccountId])).mismatched).toEqual([]);
    });
  });

  describe('low-balance notices', () => {
    it('tells the customer once per crossing, and a top-up over the threshold arms it again', async () => {
      jobClock.set(start);
      const c = await customer({ money: '6.00' });
      const only = { chargingAccountIds: [c.chargingAccountId] };
      expect(await jobs.notifyLowBalances(only)).toBe(0);

      await request(app).post(`${BASE}/adjustBalance`).set(agent).send({ bucket: { id: c.moneyBucketId }, amount: { amount: -2, units: 'EUR' }, reason: 'test call' }).expect(201);
      expect(await jobs.notifyLowBalances(only)).toBe(1);
      expect(await jobs.notifyLowBalances(only)).toBe(0);
      const first = await waitForOutbox(c.email, 1);
      expect(first.map((m) => m.subject)).toEqual(['Your BSS balance is low: 4.00 EUR']);
      expect(first[0].body).toContain('Your balance is 4.00 EUR, below 5.00 EUR. Top up to keep using your services.');
      expect(await knex('prepay_low_balance').where({ charging_account_id: c.chargingAccountId }).first('armed', 'crossings')).toEqual({ armed: false, crossings: 1 });

      // Lifted to 9.00 by a voucher: armed again; spent down to 4.00: told again.
      await request(app).post(`${BASE}/topupBalance`).set(await customerToken(c)).send({ bucket: { id: c.moneyBucketId }, voucher: await voucher('5.00') }).expect(201);
      expect(await knex('prepay_low_balance').where({ charging_account_id: c.chargingAccountId }).first('armed')).toEqual({ armed: true });
      expect(await jobs.notifyLowBalances(only)).toBe(0);
      await request(app).post(`${BASE}/adjustBalance`).set(agent).send({ bucket: { id: c.moneyBucketId }, amount: { amount: -5, units: 'EUR' }, reason: 'test call' }).expect(201);
      expect(await jobs.notifyLowBalances(only)).toBe(1);
      expect((await waitForOutbox(c.email, 2)).map((m) => m.subject)).toEqual(['Your BSS balance is low: 4.00 EUR', 'Your BSS balance is low: 4.00 EUR']);
      expect(await knex('crm_party_interaction').whereRaw(`body->>'description' = 'Prepaid balance: lowBalance'`).andWhere({ customer_id: c.customerId }).count({ n: '*' })).toEqual([{ n: '2' }]);
    });
  });

  describe('low-balance notices of a balance with pennies', () => {
    it('tells the balance in cents down, never as the threshold it is below', async () => {
      jobClock.set(start);
      const c = await customer({ money: '6.00' });
      await request(app).post(`${BASE}/adjustBalance`).set(agent).send({ bucket: { id: c.moneyBucketId }, amount: { amount: '-1.005', units: 'EUR' }, reason: 'test call' }).expect(201);
      expect(await jobs.notifyLowBalances({ chargingAccountIds: [c.chargingAccountId] })).toBe(1);
      expect((await waitForOutbox(c.email, 1))[0].body).toContain('Your balance is 4.99 EUR, below 5.00 EUR.');
    });
  });

  describe('low-balance notices and top-ups at the same time', () => {
    it('keeps the notice armed when a top-up lifted the balance while the notice went out', async () => {
      jobClock.set(start);
      const c = await customer({ money: '4.00' });
      // The run found 4.00 under 5.00 and told the customer; a voucher of 5.00 committed meanwhile.
      await request(app).post(`${BASE}/topupBalance`).set(await customerToken(c)).send({ bucket: { id: c.moneyBucketId }, voucher: await voucher('5.00') }).expect(201);
      expect(await disarmLowBalance(knex, c.chargingAccountId, 0, '4.00', start, '5.00')).toBe(true);
      expect(await knex('prepay_low_balance').where({ charging_account_id: c.chargingAccountId }).first('armed', 'crossings')).toEqual({ armed: true, crossings: 1 });
      // So the next crossing is told.
      await request(app).post(`${BASE}/adjustBalance`).set(agent).send({ bucket: { id: c.moneyBucketId }, amount: { amount: -6, units: 'EUR' }, reason: 'test call' }).expect(201);
      expect(await jobs.notifyLowBalances({ chargingAccountIds: [c.chargingAccountId] })).toBe(1);
      expect((await waitForOutbox(c.email, 1)).map((m) => m.subject)).toEqual(['Your BSS balance is low: 3.00 EUR']);
    });
  });

  describe('low-balance thresholds', () => {
    it('lets a customer set its own threshold, which the housekeeping then uses', async () => {
      jobClock.set(start);
      const c = await customer({ money: '7.00' });
      const token = await customerToken(c);
      const path = `/api/prepay/accounts/${c.billingAccountId}/low-balance-threshold`;
      expect((await request(app).get(path).set(token).expect(200)).body).toEqual({ billingAccountId: c.billingAccountId, currency: 'EUR', threshold: null, effectiveThreshold: '5.00', armed: true });
      const set = await request(app).put(path).set(token).send({ threshold: '8' }).expect(200);
      expect(set.body).toMatchObject({ threshold: '8.00', effectiveThreshold: '8.00' });
      expect(await jobs.notifyLowBalances({ chargingAccountIds: [c.chargingAccountId] })).toBe(1);
      expect((await waitForOutbox(c.email, 1)).map((m) => m.subject)).toEqual(['Your BSS balance is low: 7.00 EUR']);

      for (const threshold of ['-1', 8, '3.005', '1000000000000000000000000000000']) await request(app).put(path).set(token).send({ threshold }).expect(400);
      await request(app).get(path).set(await customerToken(await customer())).expect(404);
      // Back to the default of 5.00, which 7.00 is above: its next crossing is told again.
      await request(app).put(path).set(agent).send({ threshold: null }).expect(200);
      expect((await request(app).get(path).set(admin).expect(200)).body).toMatchObject({ threshold: null, effectiveThreshold: '5.00', armed: true });
      await request(app).post(`${BASE}/adjustBalance`).set(agent).send({ bucket: { id: c.moneyBucketId }, amount: { amount: -3, units: 'EUR' }, reason: 'test call' }).expect(201);
      expect(await jobs.notifyLowBalances({ chargingAccountIds: [c.chargingAccountId] })).toBe(1);
      expect((await waitForOutbox(c.email, 2)).map((m) => m.subject)).toEqual(['Your BSS balance is low: 7.00 EUR', 'Your BSS balance is low: 4.00 EUR']);
    });
  });

  describe('new buckets', () => {
    it('lets an admin add a bucket to a customer’s account, and nobody else', async () => {
      const c = await customer();
      const res = await request(app).post(`${BASE}/bucket`).set(admin).send({
        usageType: 'voice',
        partyAccount: { id: c.billingAccountId },
        remainingValue: { amount: 600, units: 'seconds' },
        validFor: { endDateTime: new Date(start.getTime() + 7 * 86400_000).toISOString() },
      }).expect(201);
      expect(res.body).toMatchObject({ usageType: 'voice', status: 'active', remainingValue: { amount: 600, units: 'seconds' }, partyAccount: { id: c.billingAccountId }, relatedParty: [{ id: c.customerId }] });
      await request(app).post(`${BASE}/bucket`).set(agent).send({ usageType: 'voice' }).expect(403);
      await request(app).post(`${BASE}/bucket`).set(admin).send({ usageType: 'voice', partyAccount: { id: c.billingAccountId }, remainingValue: { amount: 600, units: 'EUR' } }).expect(422);
      const usd = await request(app).post(`${BASE}/bucket`).set(admin).send({ usageType: 'monetary', partyAccount: { id: c.billingAccountId }, creditLimit: { amount: 50, units: 'USD' } }).expect(422);
      expect(usd.body.message).toBe('creditLimit.units: this bucket holds EUR');
      await request(app).post(`${BASE}/bucket`).set(admin).send({ usageType: 'minutes' }).expect(400);
      expect(await knex('charging_bucket').where({ charging_account_id: c.chargingAccountId }).count({ n: '*' })).toEqual([{ n: '3' }]);
    });

    it("adds a bucket of one line of the account (logicalResource), and shows whose each bucket is", async () => {
      const c = await customer();
      const [mine, theirs] = ['+34611000001', '+34611000002'].map((n) => n.replace(/\d{4}$/, String(randomInt(1000, 9999))));
      for (const msisdn of [mine, theirs]) await addChargingSubscriber(knex, { msisdn, imsi: `21401${randomInt(1e9, 1e10 - 1)}`, chargingAccountId: c.chargingAccountId, now: start });
      const created = await request(app).post(`${BASE}/bucket`).set(admin).send({
        usageType: 'data',
        partyAccount: { id: c.billingAccountId },
        logicalResource: [{ id: mine }],
        remainingValue: { amount: 1073741824, units: 'octets' },
      }).expect(201);
      expect(created.body).toMatchObject({ isShared: false, logicalResource: [{ id: mine, '@referredType': 'MSISDN' }] });
      expect(await knex('charging_bucket').where({ id: created.body.id }).first('owner_msisdn')).toEqual({ owner_msisdn: mine });
      // The account's money is every line's.
      const money = (await request(app).get(`${BASE}/bucket/${c.moneyBucketId}`).set(admin).expect(200)).body;
      expect(money).toMatchObject({ isShared: true, logicalResource: [mine, theirs].sort().map((id) => ({ id })) });

      // Totals: the account's shared data, and the line's own apart (no line draws on both lines' own).
      const totals = (await request(app).get(`${BASE}/accumulatedBalance`).set(await customerToken(c)).expect(200)).body;
      expect(totals.map((a: { usageType: string; totalBalance: unknown; bucket: unknown[]; logicalResource?: unknown }) => [a.usageType, a.totalBalance, a.bucket.length, a.logicalResource])).toEqual([
        ['monetary', { amount: 20, units: 'EUR' }, 1, undefined],
        ['data', { amount: GIB, units: 'octets' }, 1, undefined],
        ['data', { amount: GIB, units: 'octets' }, 1, [{ id: mine, name: mine, '@referredType': 'MSISDN' }]],
      ]);

      // Refused, and nothing added: money of one line (money is the account's), a number not of this
      // account, two lines, a line without an account.
      const pocket = await request(app).post(`${BASE}/bucket`).set(admin).send({ usageType: 'monetary', partyAccount: { id: c.billingAccountId }, logicalResource: [{ id: theirs }] }).expect(422);
      expect(pocket.body.message).toBe("logicalResource: money is the account's, shared by its lines");
      const stranger = await request(app).post(`${BASE}/bucket`).set(admin).send({ usageType: 'voice', partyAccount: { id: c.billingAccountId }, logicalResource: [{ id: '+34699999999' }] }).expect(422);
      expect(stranger.body.message).toMatch(/^logicalResource: \+34699999999 is no active line/);
      await request(app).post(`${BASE}/bucket`).set(admin).send({ usageType: 'voice', partyAccount: { id: c.billingAccountId }, logicalResource: [{ id: mine }, { id: theirs }] }).expect(400);
      const orphan = await request(app).post(`${BASE}/bucket`).set(admin).send({ usageType: 'voice', logicalResource: [{ id: mine }] }).expect(422);
      expect(orphan.body.message).toBe("logicalResource: a line's bucket is on its partyAccount");
      expect(await knex('charging_bucket').where({ charging_account_id: c.chargingAccountId }).count({ n: '*' })).toEqual([{ n: '3' }]);
    });
  });

  it('leaves every bucket it touched reconciled with the ledger', async () => {
    const { checked, mismatched } = await ledgerMismatches(knex, accounts);
    expect(checked).toBeGreaterThanOrEqual(2 * accounts.length);
    expect(mismatched).toEqual([]);
  });
});
