/** Diameter Gy over the real charging engine: a call's CCR-I/U/T debit the balance as Nchf's would. */
import pg from 'pg';
import { createKnex } from '../db/knex';
import { ManualClock } from '../domain/clock';
import { avp } from '../network/diameter/codec';
import { DiameterClient } from '../network/diameter/client';
import { buildCcr, readCca } from '../network/diameter/gy-client-messages';
import { gyDriver } from '../network/gy-driver';
import { startGyServer, type GyServer } from '../ocs/diameter/server';
import { createChargingEngine } from '../ocs/engine';
import { bucketState, createPrepaidAccount, ledgerOf } from './helpers/charging';

const knex = createKnex(process.env.DATABASE_URL!);
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 5 });
const clock = new ManualClock('2026-11-04T11:00:00Z');
let server: GyServer;

beforeAll(async () => {
  server = await startGyServer({ engine: createChargingEngine({ pool, clock }), port: 0, host: '127.0.0.1', originHost: 'ocs.test.local', originRealm: 'test.local', clock });
});
afterAll(async () => {
  await server.close();
  await pool.end();
  await knex.destroy();
});

describe('Gy over the charging engine', () => {
  it('reserves, debits per second after the first minute, and releases over CCR-I/U/T', async () => {
    const [line] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '10.00' }] });
    const gy = gyDriver({ host: '127.0.0.1', port: server.port, destinationRealm: 'test.local' });
    try {
      const result = await gy.runSession({
        sessionId: `client.test.local;1;${line.msisdn}`,
        subscriber: { msisdn: line.msisdn },
        service: 'voice',
        destination: '+34612345678',
        startTime: new Date('2026-11-04T11:00:00Z'),
        updates: 2,
        requested: 60n,
        usedPerStep: 45n,
      });
      expect(result.requests.map((r) => [r.type, r.resultCode, r.granted])).toEqual([
        ['initial', 2001, 60n],
        ['update', 2001, 60n],
        ['update', 2001, 60n],
        ['termination', 2001, undefined],
      ]);
    } finally {
      await gy.close();
    }
    // 135 s: 0.12 for the first minute, 75 s at 0.002.
    expect(await bucketState(knex, line.buckets[0])).toEqual({ balance: '9.730000', reserved: '0.000000' });
    expect((await ledgerOf(knex, line.buckets[0])).filter(([kind]) => kind === 'debit')).toEqual([
      ['debit', '0.120000'],
      ['debit', '0.060000'],
      ['debit', '0.090000'],
    ]);
  });

  it('refuses a balance check, a price enquiry and a refund (5004) without touching the balance, and debits a direct debit', async () => {
    const [line] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '10.00' }] });
    const client = await DiameterClient.connect({ host: '127.0.0.1', port: server.port, originHost: 'smsc.test.local', originRealm: 'test.local' });
    try {
      const sms = (n: number, action: number) =>
        client.creditControl([
          ...buildCcr({ sessionId: `smsc.test.local;${n};${line.msisdn}`, originHost: 'smsc.test.local', originRealm: 'test.local', destinationRealm: 'test.local', type: 'event', requestNumber: 0, msisdn: line.msisdn, destination: '+34612345678', units: [{ ratingGroup: 200, unit: 'CC-Service-Specific-Units', requested: 1 }] }),
          avp('Requested-Action', action),
        ]);
      for (const action of [1, 2, 3]) expect(readCca(await sms(action, action)).resultCode).toBe(5004);
      expect(await ledgerOf(knex, line.buckets[0])).toEqual([]);
      expect(readCca(await sms(0, 0)).resultCode).toBe(2001);
      expect((await ledgerOf(knex, line.buckets[0])).map(([kind]) => kind)).toEqual(['debit']);
    } finally {
      await client.close();
    }
  });
});
