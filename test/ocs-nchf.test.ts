/** Nchf_ConvergedCharging over a real HTTP/2 connection: create, update, release, events and errors. */
import http2 from 'node:http2';
import pg from 'pg';
import { createKnex } from '../db/knex';
import { ManualClock } from '../domain/clock';
import { createChargingEngine, EngineOverloaded } from '../ocs/engine';
import { startNchfServer, type NchfServer } from '../ocs/nchf';
import { bucketState, createPrepaidAccount, ledgerOf } from './helpers/charging';
import { FakeEngine } from './gy/fake-engine';

const knex = createKnex(process.env.DATABASE_URL!);
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 5 });
const clock = new ManualClock('2026-11-04T11:00:00Z');
const BASE = '/nchf-convergedcharging/v3/chargingdata';
let server: NchfServer;
let client: http2.ClientHttp2Session;

beforeAll(async () => {
  server = await startNchfServer({ engine: createChargingEngine({ pool, clock }), port: 0, host: '127.0.0.1' });
  client = http2.connect(`http://127.0.0.1:${server.port}`);
});
afterAll(async () => {
  client.close();
  await server.stop();
  await pool.end();
  await knex.destroy();
});

interface Response {
  status: number;
  headers: http2.IncomingHttpHeaders;
  body: Record<string, unknown> | undefined;
}

function post(path: string, body: unknown, method = 'POST', via = client): Promise<Response> {
  return new Promise((resolve, reject) => {
    const stream = via.request({ ':method': method, ':path': path, 'content-type': 'application/json' }, { endStream: method === 'GET' });
    let headers: http2.IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    stream.on('response', (h) => (headers = h));
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('error', reject);
    stream.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      resolve({ status: Number(headers[':status']), headers, body: text ? JSON.parse(text) : undefined });
    });
    if (method !== 'GET') stream.end(typeof body === 'string' ? body : JSON.stringify(body));
  });
}

const request = (msisdn: string, n: number, units: unknown[], extra: Record<string, unknown> = {}) => ({
  subscriberIdentifier: `msisdn-${msisdn.slice(1)}`,
  nfConsumerIdentification: { nodeFunctionality: 'SMF', nFName: 'smf-1' },
  invocationTimeStamp: '2026-11-04T11:00:00Z',
  invocationSequenceNumber: n,
  iMSChargingInformation: { calledPartyAddress: 'tel:+34612345678' },
  multipleUnitUsage: units,
  ...extra,
});

describe('Nchf_ConvergedCharging', () => {
  it('creates charging data with a grant, updates it with usage and releases it', async () => {
    const [line] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '10.00' }] });
    const created = await post(BASE, request(line.msisdn, 0, [{ ratingGroup: 100, requestedUnit: { time: 120 } }]));
    expect(created.status).toBe(201);
    const location = String(created.headers.location);
    expect(location).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${server.port}${BASE}/[0-9a-f-]{36}$`));
    expect(created.headers['content-type']).toBe('application/json');
    expect(created.body).toMatchObject({ invocationSequenceNumber: 0, multipleUnitInformation: [{ resultCode: 'SUCCESS', ratingGroup: 100, grantedUnit: { time: 120 }, validityTime: 600 }] });
    const ref = location.split('/').pop()!;

    const updated = await post(`${BASE}/${ref}/update`, request(line.msisdn, 1, [{ ratingGroup: 100, requestedUnit: { time: 60 }, usedUnitContainer: [{ time: 50 }, { time: 40 }] }]));
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ invocationSequenceNumber: 1, multipleUnitInformation: [{ resultCode: 'SUCCESS', ratingGroup: 100, grantedUnit: { time: 60 } }] });
    // 90 s used cost 0.18; the next 60 s 0.12.
    expect(await bucketState(knex, line.buckets[0])).toEqual({ balance: '9.820000', reserved: '0.120000' });

    const again = await post(`${BASE}/${ref}/update`, request(line.msisdn, 1, [{ ratingGroup: 100, requestedUnit: { time: 60 }, usedUnitContainer: [{ time: 90 }] }]));
    expect(again.status).toBe(200);
    expect(again.body!.multipleUnitInformation).toEqual(updated.body!.multipleUnitInformation);
    expect(await bucketState(knex, line.buckets[0])).toEqual({ balance: '9.820000', reserved: '0.120000' });

    const released = await post(`${BASE}/${ref}/release`, request(line.msisdn, 2, [{ ratingGroup: 100, usedUnitContainer: [{ time: 30 }] }]));
    expect(released.status).toBe(204);
    expect(released.body).toBeUndefined();
    expect(await bucketState(knex, line.buckets[0])).toEqual({ balance: '9.760000', reserved: '0.000000' });
  });

  it('charges a one-time SMS event (200, no Location) and says when the quota is reached', async () => {
    const [line] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '0.10' }] });
    const sms = (at: string) => request(line.msisdn, 0, [{ ratingGroup: 200, requestedUnit: { serviceSpecificUnits: 1 } }], { oneTimeEvent: true, oneTimeEventType: 'IEC', invocationTimeStamp: at });
    const first = await post(BASE, sms('2026-11-04T11:00:00Z'));
    expect(first.status).toBe(200);
    expect(first.headers.location).toBeUndefined();
    expect(first.body!.multipleUnitInformation).toEqual([{ resultCode: 'SUCCESS', ratingGroup: 200, grantedUnit: { serviceSpecificUnits: 1 } }]);
    const second = await post(BASE, sms('2026-11-04T11:00:05Z'));
    expect(second.body!.multipleUnitInformation).toEqual([{ resultCode: 'QUOTA_LIMIT_REACHED', ratingGroup: 200 }]);
    // An event without units would pass free: refused.
    const unitless = await post(BASE, request(line.msisdn, 0, [], { oneTimeEvent: true, oneTimeEventType: 'IEC' }));
    expect([unitless.status, (unitless.body!.invalidParams as Array<{ param: string }>).map((p) => p.param)]).toEqual([400, ['/multipleUnitUsage']]);
    expect(await ledgerOf(knex, line.buckets[0])).toEqual([['debit', '0.090000']]);
  });

  it('answers a Create sent again (its response lost) as the first time: reserved once, an event charged once', async () => {
    const [line] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '1.00' }] });
    const create = request(line.msisdn, 0, [{ ratingGroup: 100, requestedUnit: { time: 60 } }]);
    const first = await post(BASE, create);
    // The consumer retries, flagged or not, its fields in another order: the same session and answer.
    const again = await post(BASE, { retransmissionIndicator: true, ...Object.fromEntries(Object.entries(create).reverse()) });
    const plain = await post(BASE, create);
    expect([first.status, again.status, plain.status]).toEqual([201, 201, 201]);
    expect(again.headers.location).toBe(first.headers.location);
    expect(plain.headers.location).toBe(first.headers.location);
    // (The answer's invocationTimeStamp is the time it is given.)
    const answered = (r: typeof first) => ({ ...r.body, invocationTimeStamp: undefined });
    expect(answered(again)).toEqual(answered(first));
    expect(await bucketState(knex, line.buckets[0])).toEqual({ balance: '1.000000', reserved: '0.120000' });
    // A Create that differs (another call: invoked later) is another session.
    const other = await post(BASE, { ...create, invocationTimeStamp: '2026-11-04T11:00:01Z' });
    expect(other.headers.location).not.toBe(first.headers.location);
    expect(await bucketState(knex, line.buckets[0])).toEqual({ balance: '1.000000', reserved: '0.240000' });

    // A one-time event sent again is not charged again.
    const sms = request(line.msisdn, 0, [{ ratingGroup: 200, requestedUnit: { serviceSpecificUnits: 1 } }], { oneTimeEvent: true, oneTimeEventType: 'IEC' });
    const sent = await post(BASE, sms);
    const resent = await post(BASE, { ...sms, retransmissionIndicator: true });
    expect([sent.status, resent.status]).toEqual([200, 200]);
    expect(answered(resent)).toEqual(answered(sent));
    expect((await ledgerOf(knex, line.buckets[0])).filter(([kind]) => kind === 'debit')).toEqual([['debit', '0.090000']]);
  });

  it('grants the last units with a final-unit indication', async () => {
    const [line] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '0.20' }] });
    const created = await post(BASE, request(line.msisdn, 0, [{ ratingGroup: 100, requestedUnit: { time: 600 } }]));
    expect(created.body!.multipleUnitInformation).toEqual([{ resultCode: 'SUCCESS', ratingGroup: 100, grantedUnit: { time: 100 }, validityTime: 600, finalUnitIndication: { finalUnitAction: 'TERMINATE' } }]);
  });

  it('answers 404 ProblemDetails for unknown charging data, unknown subscribers and paths, 403 for a suspended one', async () => {
    const [line] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '1.00' }] });
    const unknownRef = await post(`${BASE}/00000000-0000-4000-8000-000000000000/update`, request(line.msisdn, 1, []));
    expect(unknownRef.status).toBe(404);
    expect(unknownRef.headers['content-type']).toBe('application/problem+json');
    expect(unknownRef.body).toMatchObject({ status: 404, title: 'Not Found', cause: 'CHARGING_DATA_REF_NOT_FOUND' });
    const release = await post(`${BASE}/00000000-0000-4000-8000-000000000000/release`, request(line.msisdn, 1, []));
    expect(release.status).toBe(404);
    // A ref that is no text (a malformed escape) or longer than any session id names nothing either.
    for (const ref of ['%E0%A4%A', 'r'.repeat(600)]) {
      const odd = await post(`${BASE}/${ref}/update`, request(line.msisdn, 1, []));
      expect([odd.status, odd.body?.cause]).toEqual([404, 'CHARGING_DATA_REF_NOT_FOUND']);
    }

    const stranger = await post(BASE, request('+34999000111', 0, [{ ratingGroup: 100, requestedUnit: {} }]));
    expect(stranger.status).toBe(404);
    expect(stranger.body).toMatchObject({ cause: 'USER_UNKNOWN' });
    // A suspended line is known and barred: 403 END_USER_REQUEST_DENIED (TS 32.291 table 6.1.7.3-1), nothing kept.
    await knex('charging_subscriber').where({ msisdn: line.msisdn }).update({ status: 'suspended' });
    const barred = await post(BASE, request(line.msisdn, 0, [{ ratingGroup: 100, requestedUnit: {} }]));
    expect([barred.status, barred.headers['content-type'], barred.body?.cause]).toEqual([403, 'application/problem+json', 'END_USER_REQUEST_DENIED']);
    expect(await bucketState(knex, line.buckets[0])).toEqual({ balance: '1.000000', reserved: '0.000000' });
    const nowhere = await post('/nchf-convergedcharging/v3/elsewhere', {});
    expect(nowhere.status).toBe(404);
  });

  it('answers 400 ProblemDetails naming each bad field, and for a request out of sequence, changing nothing', async () => {
    const [line] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '1.00' }] });
    const bad = await post(BASE, { ...request(line.msisdn, 0, [{ ratingGroup: -1, requestedUnit: { time: 1.5 } }]), subscriberIdentifier: 'nai-x', invocationTimeStamp: 'yesterday' });
    expect(bad.status).toBe(400);
    expect(bad.headers['content-type']).toBe('application/problem+json');
    const params = (bad.body!.invalidParams as Array<{ param: string }>).map((p) => p.param).sort();
    expect(params).toEqual(['/invocationTimeStamp', '/multipleUnitUsage/0/ratingGroup', '/multipleUnitUsage/0/requestedUnit/time', '/subscriberIdentifier']);
    expect(bad.body!.cause).toBe('MANDATORY_IE_INCORRECT');
    // TS 29.500's causes: a mandatory IE absent; only optional IEs wrong (a wrong member makes its IE wrong).
    const { nfConsumerIdentification: _, ...headless } = request(line.msisdn, 0, [{ ratingGroup: -1, requestedUnit: {} }]);
    expect((await post(BASE, headless)).body).toMatchObject({ cause: 'MANDATORY_IE_MISSING' });
    const optional = await post(BASE, { ...request(line.msisdn, 0, [{ ratingGroup: -1, requestedUnit: {} }]), oneTimeEventType: 'SOMETIMES' });
    expect(optional.body).toMatchObject({ cause: 'OPTIONAL_IE_INCORRECT' });
    expect((optional.body!.invalidParams as Array<{ param: string }>).map((p) => p.param).sort()).toEqual(['/multipleUnitUsage/0/ratingGroup', '/oneTimeEventType']);
    expect((await post(BASE, [])).body).toMatchObject({ cause: 'MANDATORY_IE_MISSING' });
    // A national number is no MSISDN this OCS can find: refused as Gy refuses it (5004).
    const national = await post(BASE, { ...request(line.msisdn, 0, [{ ratingGroup: 100, requestedUnit: { time: 60 } }]), subscriberIdentifier: 'msisdn-0612345678' });
    expect([national.status, national.body!.cause]).toEqual([400, 'MANDATORY_IE_INCORRECT']); // a Create's subscriber is mandatory
    expect((national.body!.invalidParams as Array<{ param: string }>).map((p) => p.param)).toEqual(['/subscriberIdentifier']);
    const notJson = await post(BASE, '{');
    expect(notJson.status).toBe(400);
    expect(notJson.body).toMatchObject({ cause: 'INVALID_MSG_FORMAT' });

    const created = await post(BASE, request(line.msisdn, 0, [{ ratingGroup: 100, requestedUnit: { time: 60 } }]));
    const ref = String(created.headers.location).split('/').pop()!;
    const skipped = await post(`${BASE}/${ref}/update`, request(line.msisdn, 3, [{ ratingGroup: 100, usedUnitContainer: [{ time: 60 }] }]));
    expect(skipped.status).toBe(400);
    expect(skipped.body).toMatchObject({ cause: 'MANDATORY_IE_INCORRECT', invalidParams: [{ param: '/invocationSequenceNumber' }] });
    expect(await bucketState(knex, line.buckets[0])).toEqual({ balance: '1.000000', reserved: '0.120000' });
    // One rating group reported twice would be debited and released twice.
    const twice = await post(`${BASE}/${ref}/update`, request(line.msisdn, 1, [100, 300, 100].map((ratingGroup) => ({ ratingGroup, usedUnitContainer: [{ time: 60 }] }))));
    expect([twice.status, twice.body!.cause]).toEqual([400, 'OPTIONAL_IE_INCORRECT']);
    expect((twice.body!.invalidParams as Array<{ param: string }>).map((p) => p.param)).toEqual(['/multipleUnitUsage/2/ratingGroup']);
    expect(await bucketState(knex, line.buckets[0])).toEqual({ balance: '1.000000', reserved: '0.120000' });
    expect((await post(`${BASE}/${ref}/update`, {}, 'GET')).status).toBe(405);
  });

  describe('as network functions send it', () => {
    it('takes updates and releases that name no subscriber, and refuses a Create without one', async () => {
      const [line] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '10.00' }] });
      const { subscriberIdentifier: _, ...anonymous } = request(line.msisdn, 0, [{ ratingGroup: 100, requestedUnit: { time: 60 } }]);
      const refused = await post(BASE, anonymous);
      expect([refused.status, refused.body?.cause, refused.body?.invalidParams]).toEqual([400, 'MANDATORY_IE_MISSING', [{ param: '/subscriberIdentifier', reason: 'required on a Create' }]]);
      const ref = String((await post(BASE, request(line.msisdn, 0, [{ ratingGroup: 100, requestedUnit: { time: 60 } }]))).headers.location).split('/').pop()!;
      const { subscriberIdentifier: _u, ...update } = request(line.msisdn, 1, [{ ratingGroup: 100, requestedUnit: { time: 60 }, usedUnitContainer: [{ time: 60 }] }]);
      expect((await post(`${BASE}/${ref}/update`, update)).status).toBe(200);
      const { subscriberIdentifier: _r, ...release } = request(line.msisdn, 2, [{ ratingGroup: 100, usedUnitContainer: [{ time: 30 }] }]);
      expect((await post(`${BASE}/${ref}/release`, release)).status).toBe(204);
      // 90 s: 0.12 + 30 × 0.002.
      expect(await bucketState(knex, line.buckets[0])).toEqual({ balance: '9.820000', reserved: '0.000000' });
    });

    it('adds up a rating group reported once per UPF', async () => {
      const [line] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '10.00' }] });
      const mb = 1024 * 1024;
      const ref = String((await post(BASE, request(line.msisdn, 0, [{ ratingGroup: 300, requestedUnit: { totalVolume: 10 * mb } }]))).headers.location).split('/').pop()!;
      const perUpf = [
        { ratingGroup: 300, uPFID: 'upf-a', usedUnitContainer: [{ totalVolume: 3 * mb }] },
        { ratingGroup: 300, uPFID: 'upf-b', usedUnitContainer: [{ totalVolume: 2 * mb }] },
      ];
      const released = await post(`${BASE}/${ref}/release`, request(line.msisdn, 1, perUpf));
      expect(released.status).toBe(204);
      const debits = (await ledgerOf(knex, line.buckets[0])).filter(([kind]) => kind === 'debit');
      // 5 MB at 0.03 a MB.
      expect(debits).toEqual([['debit', '0.150000']]);
      // Twice for one UPF, or once without one beside another: refused.
      const twice = await post(BASE, request(line.msisdn, 0, [perUpf[0], { ...perUpf[0], usedUnitContainer: [] }]));
      expect([twice.status, (twice.body!.invalidParams as Array<{ param: string }>).map((p) => p.param)]).toEqual([400, ['/multipleUnitUsage/1/ratingGroup']]);
    });

    it("rates an SMSF's SMS to the recipient it names", async () => {
      const [line] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '1.00' }] });
      const { iMSChargingInformation: _, ...sms } = request(line.msisdn, 0, [{ ratingGroup: 200, requestedUnit: { serviceSpecificUnits: 1 } }], {
        oneTimeEvent: true,
        oneTimeEventType: 'IEC',
        sMSChargingInformation: { recipientInfo: [{ recipientGPSI: 'msisdn-34612345678' }] },
      });
      expect((await post(BASE, sms)).status).toBe(200);
      // A national SMS (0.09), not the international price.
      expect(await ledgerOf(knex, line.buckets[0])).toEqual([['debit', '0.090000']]);
    });

    it('names the Location by the address it was reached at, and takes the chargingData spelling', async () => {
      const [line] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '1.00' }] });
      const created = await new Promise<http2.IncomingHttpHeaders>((resolve, reject) => {
        const stream = client.request({ ':method': 'POST', ':path': '/nchf-convergedcharging/v3/chargingData', ':authority': 'chf.operator.example:8090', 'content-type': 'application/json' });
        stream.on('response', resolve);
        stream.on('error', reject);
        stream.resume();
        stream.end(JSON.stringify(request(line.msisdn, 0, [{ ratingGroup: 100, requestedUnit: { time: 60 } }])));
      });
      expect(created[':status']).toBe(201);
      expect(String(created.location)).toMatch(new RegExp(`^http://chf\\.operator\\.example:8090${BASE}/[0-9a-f-]{36}$`));
    });

    it('refuses what is not JSON (415), JSON nested past 64 levels (400), and cuts a body that never ends', async () => {
      const [line] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '1.00' }] });
      const text = await new Promise<number>((resolve, reject) => {
        const stream = client.request({ ':method': 'POST', ':path': BASE, 'content-type': 'text/plain' });
        stream.on('response', (h) => resolve(Number(h[':status'])));
        stream.on('error', reject);
        stream.resume();
        stream.end(JSON.stringify(request(line.msisdn, 0, [])));
      });
      expect(text).toBe(415);
      // 20,000 arrays deep in an extension field (40 KB), written out by hand: too deep to stringify.
      const valid = JSON.stringify(request(line.msisdn, 0, [{ ratingGroup: 100, requestedUnit: { time: 60 } }]));
      const nested = await post(BASE, `${valid.slice(0, -1)},"pDUSessionChargingInformation":${'['.repeat(20_000)}1${']'.repeat(20_000)}}`);
      expect([nested.status, nested.body?.cause]).toEqual([400, 'INVALID_MSG_FORMAT']);
      expect(await ledgerOf(knex, line.buckets[0])).toEqual([]);

      const quick = await startNchfServer({ engine: new FakeEngine(), port: 0, host: '127.0.0.1', bodyTimeoutMs: 200 });
      const via = http2.connect(`http://127.0.0.1:${quick.port}`);
      try {
        const stream = via.request({ ':method': 'POST', ':path': BASE, 'content-type': 'application/json' });
        stream.write('{"subscriberIdentifier": ');
        const closed = await new Promise<number>((resolve) => stream.on('close', () => resolve(stream.rstCode)));
        expect(closed).toBe(http2.constants.NGHTTP2_CANCEL);
      } finally {
        via.close();
        await quick.stop();
      }
    });

    it('keeps a session it refused to release as open, for its re-authorisation', async () => {
      const [line] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '1.00' }] });
      const own = await startNchfServer({ engine: createChargingEngine({ pool, clock }), port: 0, host: '127.0.0.1' });
      const via = http2.connect(`http://127.0.0.1:${own.port}`);
      try {
        const created = await post(BASE, request(line.msisdn, 0, [{ ratingGroup: 100, requestedUnit: { time: 60 } }], { notifyUri: 'http://smf.example/notify' }), 'POST', via);
        const ref = String(created.headers.location).split('/').pop()!;
        expect(own.sessionCounts().open).toBe(1);
        const outOfSequence = await post(`${BASE}/${ref}/release`, request(line.msisdn, 5, []), 'POST', via);
        expect(outOfSequence.status).toBe(400);
        expect(own.sessionCounts().open).toBe(1);
        expect((await post(`${BASE}/${ref}/release`, request(line.msisdn, 1, []), 'POST', via)).status).toBe(204);
        expect(own.sessionCounts().open).toBe(0);
      } finally {
        via.close();
        await own.stop();
      }
    });
  });

  it('answers the requests it is charging before it stops, and takes no new connection meanwhile', async () => {
    const engine = new FakeEngine();
    const release = engine.hold();
    const stopping = await startNchfServer({ engine, port: 0, host: '127.0.0.1' });
    const via = http2.connect(`http://127.0.0.1:${stopping.port}`);
    via.on('error', () => undefined);
    try {
      const charged = post(BASE, request('+34600000001', 0, [{ ratingGroup: 100, requestedUnit: { time: 60 } }]), 'POST', via);
      while (engine.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
      let stoppedYet = false;
      const stopped = stopping.stop().then(() => (stoppedYet = true));
      // A new connection is refused at once (a restart: the consumer goes to another OCS).
      const late = http2.connect(`http://127.0.0.1:${stopping.port}`);
      await expect(new Promise((resolve, reject) => late.once('connect', resolve).once('error', reject))).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      await new Promise((r) => setTimeout(r, 50));
      expect(stoppedYet).toBe(false); // still waiting for the charge in flight
      release();
      const answered = await charged;
      expect([answered.status, answered.body?.multipleUnitInformation]).toEqual([201, [{ resultCode: 'SUCCESS', ratingGroup: 100, grantedUnit: { time: 60 }, validityTime: 300 }]]);
      await stopped;
    } finally {
      via.close();
      await stopping.stop();
    }
  });

  it('answers 429 NF_CONGESTION_RISK with Retry-After when the engine is overloaded', async () => {
    const overloaded = await startNchfServer({ engine: { charge: () => Promise.reject(new EngineOverloaded(10_000)), quote: () => Promise.reject(new EngineOverloaded(10_000)), refund: () => Promise.reject(new EngineOverloaded(10_000)) }, port: 0, host: '127.0.0.1' });
    const via = http2.connect(`http://127.0.0.1:${overloaded.port}`);
    try {
      const res = await post(BASE, request('+34600000001', 0, [{ ratingGroup: 100, requestedUnit: {} }]), 'POST', via);
      expect(res.status).toBe(429);
      expect(res.headers['retry-after']).toBe('1');
      expect(res.body).toEqual({ title: 'Too Many Requests', status: 429, detail: 'the charging function is overloaded', cause: 'NF_CONGESTION_RISK' });
    } finally {
      via.close();
      await overloaded.stop();
    }
  });
});
