/** TMF635 Usage Management: posting usage (one and a batch), reading, filters, paging and events. */
import { randomInt, randomUUID } from 'node:crypto';
import request from 'supertest';
import { createPostpaidSubscribers, POSTPAID_20_PRICES } from '../bench/postpaid-subscribers';
import { bearer, createTestApi, tokenFor, type TestApi } from './helpers/api';

const BASE = '/tmf-api/usageManagement/v4';
const msisdn = () => `+3461${randomInt(1_000_000, 9_999_999)}`;

function usage(m: string, recordId: string, over: Record<string, unknown> = {}, quantity: unknown = '90') {
  return {
    usageDate: '2026-11-04T10:00:00+01:00',
    usageType: 'voice',
    usageCharacteristic: [
      { name: 'recordId', value: recordId },
      { name: 'msisdn', value: m },
      { name: 'quantity', value: quantity },
      { name: 'destination', value: '+441632960000' },
    ],
    ...over,
  };
}

describe('TMF635 usage', () => {
  let api: TestApi;
  let network: Record<string, string>;
  let agent: Record<string, string>;
  let sub: { msisdn: string; billingAccountId: string };

  beforeAll(async () => {
    api = await createTestApi();
    network = bearer(await tokenFor('network'));
    agent = bearer(await tokenFor('agent'));
    [sub] = await createPostpaidSubscribers(api.knex, [{ msisdn: msisdn() }], new Date());
  });
  afterAll(() => api.close());

  it('rates a posted usage at once: 201 with Location, status rated and the rated product usage', async () => {
    const id = `u-${randomUUID()}`;
    const res = await request(api.app).post(`${BASE}/usage`).set(network).send(usage(sub.msisdn, id)).expect(201);
    expect(res.headers.location).toBe(res.body.href);
    expect(res.body).toMatchObject({
      '@type': 'Usage',
      usageDate: '2026-11-04T09:00:00.000Z',
      usageType: 'voice',
      status: 'rated',
      billingAccount: { id: sub.billingAccountId },
      ratedProductUsage: [
        {
          usageRatingTag: 'usage',
          offerTariffType: 'international',
          priceId: POSTPAID_20_PRICES.voice,
          cycleStart: '2026-11-01',
          quantity: '90',
          chargedQuantity: '90',
          isBilled: false,
          taxExcludedRatingAmount: { unit: 'EUR', value: 0.75 },
        },
      ],
    });
    const again = await request(api.app).post(`${BASE}/usage`).set(network).send(usage(sub.msisdn, id, {}, '300')).expect(200);
    expect(again.body.id).toBe(res.body.id);
    expect(again.body.ratedProductUsage[0].taxExcludedRatingAmount.value).toBe(0.75);
    const got = await request(api.app).get(`${BASE}/usage/${res.body.id}`).query({ fields: 'status' }).set(agent).expect(200);
    expect(got.body).toEqual({ id: res.body.id, href: res.body.href, status: 'rated' });
  });

  it('splits a record across its allowance into included and non-included usage', async () => {
    const [s] = await createPostpaidSubscribers(api.knex, [{ msisdn: msisdn() }], new Date());
    const body = { ...usage(s.msisdn, `d-${randomUUID()}`, { usageType: 'data' }, String(20 * 2 ** 30 + 2048)) };
    body.usageCharacteristic = body.usageCharacteristic.filter((c) => c.name !== 'destination');
    const res = await request(api.app).post(`${BASE}/usage`).set(network).send(body).expect(201);
    expect(res.body.ratedProductUsage.map((r: Record<string, unknown>) => [r.usageRatingTag, r.quantity, (r.taxExcludedRatingAmount as { value: number }).value])).toEqual([
      ['included usage', '21474836480', 0],
      ['non included usage', '2048', 0.00002],
    ]);
  });

  it('refuses malformed usage with 400 and stores nothing', async () => {
    const id = `bad-${randomUUID()}`;
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [usage(sub.msisdn, id, {}, '-5'), /negative quantity: -5/],
      [usage(sub.msisdn, id, {}, 'lots'), /bad quantity: lots/],
      [usage(sub.msisdn, id, {}, 12.5), /quantity as a decimal string/],
      [usage(sub.msisdn, id, { usageType: 'fax' }), /usageType/],
      [usage(sub.msisdn, id, { usageDate: 'yesterday' }), /usageDate/],
      [{ ...usage(sub.msisdn, id), usageCharacteristic: [{ name: 'msisdn', value: sub.msisdn }, { name: 'quantity', value: '1' }] }, /missing record id/],
    ];
    for (const [body, message] of cases) {
      const res = await request(api.app).post(`${BASE}/usage`).set(network).send(body).expect(400);
      expect(res.body).toMatchObject({ code: '400', status: '400' });
      expect(res.body.message).toMatch(message);
    }
    expect(await api.knex('usage_record').where({ record_id: id }).count<{ count: string }[]>('* as count')).toEqual([{ count: '0' }]);
    await request(api.app).post(`${BASE}/usage`).set(agent).send(usage(sub.msisdn, id)).expect(403);
  });

  it('stores a well-formed usage of an unknown number as rejected, with the reason', async () => {
    const stranger = msisdn();
    const res = await request(api.app).post(`${BASE}/usage`).set(network).send(usage(stranger, `x-${randomUUID()}`)).expect(201);
    expect(res.body).toMatchObject({ status: 'rejected', statusReason: `unknown subscriber: ${stranger}`, ratedProductUsage: [] });
  });

  it('takes a batch: each entry rated, rejected or a duplicate, answered in order', async () => {
    const [s] = await createPostpaidSubscribers(api.knex, [{ msisdn: msisdn() }], new Date());
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    const res = await request(api.app)
      .post(`${BASE}/usage/batch`)
      .set(network)
      .send({ usage: [usage(s.msisdn, ids[0]), usage(s.msisdn, ids[1], {}, '-1'), usage(s.msisdn, ids[0]), 'not a usage', usage(s.msisdn, ids[2], { usageType: 'sms' }, '1')] })
      .expect(200);
    expect(res.body).toMatchObject({ read: 5, rated: 2, rejected: 2, duplicates: 1, reasons: { 'negative quantity': 1, 'missing record id': 1 } });
    expect(res.body.usage.map((u: Record<string, unknown>) => [u.recordId === ids[0] ? 'a' : u.recordId === ids[1] ? 'b' : u.recordId === ids[2] ? 'c' : 'other', u.status ?? 'duplicate'])).toEqual([
      ['a', 'rated'],
      ['b', 'rejected'],
      ['a', 'duplicate'],
      ['other', 'rejected'],
      ['c', 'rated'],
    ]);
    await request(api.app).post(`${BASE}/usage/batch`).set(network).send({ usage: [] }).expect(400);

    // Filters and paging over this account's records.
    const list = await request(api.app).get(`${BASE}/usage`).query({ 'billingAccount.id': s.billingAccountId, status: 'rated', limit: 1 }).set(agent).expect(200);
    expect(list.headers['x-total-count']).toBe('2');
    expect(list.headers['x-result-count']).toBe('1');
    const next = await request(api.app).get(`${BASE}/usage`).query({ 'billingAccount.id': s.billingAccountId, status: 'rated', limit: 1, offset: 1 }).set(agent).expect(200);
    expect(new Set([list.body[0].usageType, next.body[0].usageType])).toEqual(new Set(['voice', 'sms']));
    const sms = await request(api.app).get(`${BASE}/usage`).query({ 'billingAccount.id': s.billingAccountId, usageType: 'sms', fields: 'usageType' }).set(agent).expect(200);
    expect(sms.body).toEqual([{ id: expect.any(String), href: expect.any(String), usageType: 'sms' }]);
    await request(api.app).get(`${BASE}/usage`).query({ colour: 'blue' }).set(agent).expect(400);
    // usageDate matches the instant however it is written; what is no date-time matches nothing.
    const rated = { 'billingAccount.id': s.billingAccountId, status: 'rated' };
    const countAt = async (usageDate: string) => (await request(api.app).get(`${BASE}/usage`).query({ ...rated, usageDate }).set(agent).expect(200)).headers['x-total-count'];
    expect([await countAt('2026-11-04T10:00:00+01:00'), await countAt('2026-11-04T09:00:00.000Z'), await countAt('2026-11-04T10:00:00Z'), await countAt('yesterday')]).toEqual(['2', '2', '0', '0']);
    await request(api.app).get(`${BASE}/usage/${randomUUID()}`).set(agent).expect(404);
    await request(api.app).delete(`${BASE}/usage/${list.body[0].id}`).set(network).expect(405);
  });

  it('publishes a UsageCreateEvent to hub listeners', async () => {
    const admin = bearer(await tokenFor('admin'));
    const hub = await request(api.app).post(`${BASE}/hub`).set(admin).send({ callback: 'http://listener.test/usage' }).expect(201);
    const res = await request(api.app).post(`${BASE}/usage`).set(network).send(usage(sub.msisdn, `e-${randomUUID()}`)).expect(201);
    const events = await api.knex('event_outbox').where({ api_name: 'usageManagement', event_type: 'UsageCreateEvent' }).select('payload');
    expect(events.map((e) => e.payload.event.usage.id)).toContain(res.body.id);
    await request(api.app).delete(`${BASE}/hub/${hub.body.id}`).set(admin).expect(204);
  });
});
