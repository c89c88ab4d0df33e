/** Diameter Gy over the real charging engine: a call's CCR-I/U/T debit the balance as Nchf's would. */
import Decimal from 'decimal.js';
import pg from 'pg';
import { createKnex } from '../db/knex';
import { ManualClock } from '../domain/clock';
import { avp, findAvp, membersOf, valueOf, type DiameterMessage } from '../network/diameter/codec';
import { DiameterClient } from '../network/diameter/client';
import { buildCcr, readCca, type CcrUnit } from '../network/diameter/gy-client-messages';
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

  it('answers a balance check and a price enquiry from the balance as it is, changing nothing; the price quoted is what a debit then charges', async () => {
    const [rich] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '10.00' }] });
    const [broke] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '0.00' }] });
    const [bundled] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '0.00' }, { type: 'voice', amount: '600' }] });
    const client = await DiameterClient.connect({ host: '127.0.0.1', port: server.port, originHost: 'ivr.test.local', originRealm: 'test.local' });
    let n = 0;
    const event = (msisdn: string, action: number, units: CcrUnit[]) =>
      client.creditControl([
        ...buildCcr({ sessionId: `ivr.test.local;${++n};${msisdn}`, originHost: 'ivr.test.local', originRealm: 'test.local', destinationRealm: 'test.local', type: 'event', requestNumber: 0, msisdn, destination: '+34612345678', units }),
        avp('Requested-Action', action),
      ]);
    const call = [{ ratingGroup: 100, unit: 'CC-Time' as const, requested: 120 }];
    const sms = [{ ratingGroup: 200, unit: 'CC-Service-Specific-Units' as const, requested: 1 }];
    const checkBalance = async (msisdn: string, units: CcrUnit[]) => valueOf<number>((await event(msisdn, 2, units)).avps, 'Check-Balance-Result');
    const priceOf = async (msisdn: string, units: CcrUnit[]) => {
      const cost = membersOf(findAvp((await event(msisdn, 3, units)).avps, 'Cost-Information')!);
      const unit = membersOf(findAvp(cost, 'Unit-Value')!);
      return { digits: valueOf<bigint>(unit, 'Value-Digits'), exponent: valueOf<number>(unit, 'Exponent'), currency: valueOf<number>(cost, 'Currency-Code') };
    };
    try {
      // A two-minute call: 0.12 for the first minute, 60 s at 0.002.
      expect(await priceOf(rich.msisdn, call)).toEqual({ digits: 24n, exponent: -2, currency: 978 });
      expect(await priceOf(broke.msisdn, call)).toEqual({ digits: 24n, exponent: -2, currency: 978 }); // priced whether or not it can pay
      expect(await priceOf(bundled.msisdn, call)).toEqual({ digits: 0n, exponent: undefined, currency: 978 }); // the allowance pays
      expect(await checkBalance(rich.msisdn, call)).toBe(0); // ENOUGH_CREDIT
      expect(await checkBalance(broke.msisdn, call)).toBe(1); // NO_CREDIT
      expect(await checkBalance(bundled.msisdn, call)).toBe(0);
      expect(readCca(await event('+34999999999', 3, call)).resultCode).toBe(5030);
      await knex('charging_subscriber').where({ msisdn: broke.msisdn }).update({ status: 'suspended' });
      expect(readCca(await event(broke.msisdn, 2, call)).resultCode).toBe(4010); // barred, not unknown
      expect(readCca(await event(broke.msisdn, 0, sms)).resultCode).toBe(4010);
      expect(readCca(await event(rich.msisdn, 3, [{ ratingGroup: 999, unit: 'CC-Service-Specific-Units', requested: 1 }])).resultCode).toBe(5031);
      // Nothing changed: no ledger row, no reservation, no session kept.
      for (const line of [rich, broke, bundled]) expect(await ledgerOf(knex, line.buckets[0])).toEqual([]);
      expect(await bucketState(knex, rich.buckets[0])).toEqual({ balance: '10.000000', reserved: '0.000000' });
      expect(await knex('charging_session').where('id', 'like', 'ivr.test.local;%').count({ n: '*' })).toEqual([{ n: '0' }]);

      // The price of an SMS, then the SMS sent: debited exactly that.
      const price = await priceOf(rich.msisdn, sms);
      expect(readCca(await event(rich.msisdn, 0, sms)).resultCode).toBe(2001);
      const [[kind, amount]] = await ledgerOf(knex, rich.buckets[0]);
      expect(kind).toBe('debit');
      expect(new Decimal(amount).equals(new Decimal(`${price.digits}e${price.exponent ?? 0}`))).toBe(true);
    } finally {
      await client.close();
    }
  });

  it('charges a client without Multiple-Services-Credit-Control (single-service, RFC 4006): units and answers at command level', async () => {
    const [line] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '0.24' }] });
    const client = await DiameterClient.connect({ host: '127.0.0.1', port: server.port, originHost: 'msc.test.local', originRealm: 'test.local' });
    const ccr = (type: 'initial' | 'termination', requestNumber: number, unit: Parameters<typeof avp>) => [
      ...buildCcr({ sessionId: `msc.test.local;1;${line.msisdn}`, originHost: 'msc.test.local', originRealm: 'test.local', destinationRealm: 'test.local', type, requestNumber, msisdn: line.msisdn, destination: '+34612345678', serviceContextId: '32260@3gpp.org', units: [] }),
      avp(...unit),
    ];
    try {
      // 0.24 pays two minutes of a national call: 300 s asked, 120 granted as final units.
      const initial = await client.creditControl(ccr('initial', 0, ['Requested-Service-Unit', [avp('CC-Time', 300)]]));
      expect(valueOf(initial.avps, 'Result-Code')).toBe(2001);
      expect(valueOf<number>(membersOf(findAvp(initial.avps, 'Granted-Service-Unit')!), 'CC-Time')).toBe(120);
      expect(valueOf(membersOf(findAvp(initial.avps, 'Final-Unit-Indication')!), 'Final-Unit-Action')).toBe(0);
      expect(findAvp(initial.avps, 'Multiple-Services-Credit-Control')).toBeUndefined();
      const termination = await client.creditControl(ccr('termination', 1, ['Used-Service-Unit', [avp('CC-Time', 90)]]));
      expect(valueOf(termination.avps, 'Result-Code')).toBe(2001);
      // 90 s: the first minute whole and 30 s more, 0.18; the rest released.
      expect(await bucketState(knex, line.buckets[0])).toEqual({ balance: '0.060000', reserved: '0.000000' });
    } finally {
      await client.close();
    }
  });

  it('refunds an SMS it could not deliver: the CCA of the SMS carries Refund-Information, a REFUND_ACCOUNT naming it credits the charge back once', async () => {
    const [line] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '10.00' }] });
    const [other] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '10.00' }] });
    const client = await DiameterClient.connect({ host: '127.0.0.1', port: server.port, originHost: 'smsc.test.local', originRealm: 'test.local' });
    let n = 0;
    const sms = [{ ratingGroup: 200, unit: 'CC-Service-Specific-Units' as const, requested: 1 }];
    const ccr = (msisdn: string, extra: Parameters<typeof avp>[] = []) => [
      ...buildCcr({ sessionId: `smsc.test.local;${++n};${msisdn}`, originHost: 'smsc.test.local', originRealm: 'test.local', destinationRealm: 'test.local', type: 'event', requestNumber: 0, msisdn, destination: '+34612345678', units: extra.length ? [] : sms }),
      ...extra.map((args) => avp(...args)),
    ];
    const refund = (msisdn: string, info: Buffer | undefined) =>
      client.creditControl(ccr(msisdn, [['Requested-Action', 1], ['Multiple-Services-Credit-Control', [avp('Rating-Group', 200), ...(info ? [avp('Refund-Information', info)] : [])]]]));
    try {
      const sent = await client.creditControl(ccr(line.msisdn));
      const mscc = membersOf(findAvp(sent.avps, 'Multiple-Services-Credit-Control')!);
      const info = valueOf<Buffer>(mscc, 'Refund-Information')!;
      expect(info.toString('utf8')).toBe(`smsc.test.local;1;${line.msisdn}#event`);
      expect(await bucketState(knex, line.buckets[0])).toEqual({ balance: '9.910000', reserved: '0.000000' });

      // Without Refund-Information (5005), or naming another subscriber's SMS (5004, Failed-AVP): nothing is credited.
      expect(readCca(await refund(line.msisdn, undefined)).resultCode).toBe(5005);
      const foreign = await refund(other.msisdn, info);
      expect(readCca(foreign).resultCode).toBe(5004);
      expect(valueOf<Buffer>(membersOf(findAvp(foreign.avps, 'Failed-AVP')!), 'Refund-Information')).toEqual(info);
      expect(await bucketState(knex, line.buckets[0])).toEqual({ balance: '9.910000', reserved: '0.000000' });

      const refunded = readCca(await refund(line.msisdn, info));
      expect(refunded).toMatchObject({ resultCode: 2001, units: [{ ratingGroup: 200, resultCode: 2001 }] });
      expect(readCca(await refund(line.msisdn, info)).resultCode).toBe(2001);
      expect(await bucketState(knex, line.buckets[0])).toEqual({ balance: '10.000000', reserved: '0.000000' });
      expect(await ledgerOf(knex, line.buckets[0])).toEqual([
        ['debit', '0.090000'],
        ['credit', '0.090000'],
      ]);
    } finally {
      await client.close();
    }
  });
  it('finds a line whether the network sends its number without the + (international format, as network elements do) or with it, and prices a called number either way alike', async () => {
    const [line] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '10.00' }] });
    const client = await DiameterClient.connect({ host: '127.0.0.1', port: server.port, originHost: 'ims.test.local', originRealm: 'test.local' });
    let n = 0;
    // A price enquiry for a two-minute call, with the subscriber's and the called party's numbers as given.
    const enquiry = (subscriptionIdData: string, calledPartyAddress: string) =>
      client.creditControl([
        ...buildCcr({ sessionId: `ims.test.local;${++n}`, originHost: 'ims.test.local', originRealm: 'test.local', destinationRealm: 'test.local', type: 'event', requestNumber: 0, units: [{ ratingGroup: 100, unit: 'CC-Time', requested: 120 }] }),
        avp('Subscription-Id', [avp('Subscription-Id-Type', 0), avp('Subscription-Id-Data', subscriptionIdData)]),
        avp('Service-Information', [avp('IMS-Information', [avp('Called-Party-Address', calledPartyAddress)])]),
        avp('Requested-Action', 3),
      ]);
    const cents = (cca: DiameterMessage) => valueOf<bigint>(membersOf(findAvp(membersOf(findAvp(cca.avps, 'Cost-Information')!), 'Unit-Value')!), 'Value-Digits');
    try {
      const withoutPlus = await enquiry(line.msisdn.slice(1), 'tel:+34612345678');
      expect(readCca(withoutPlus).resultCode).toBe(2001);
      // A national call: 0.12 for the first minute, 60 s at 0.002.
      expect(cents(withoutPlus)).toBe(24n);
      expect(cents(await enquiry(line.msisdn, 'tel:34612345678'))).toBe(24n);
      expect(cents(await enquiry(line.msisdn, 'sip:0034612345678@ims.example;user=phone'))).toBe(24n);
      // Not an E.164 number: refused, naming it.
      expect(readCca(await enquiry(`tel:${line.msisdn}`, 'tel:+34612345678')).resultCode).toBe(5004);
    } finally {
      await client.close();
    }
  });
});
