/**
 * Re-authorisation after a credit: a Gy session on its final units (or refused for credit) gets a
 * RAR once its account gains credit, and the CCR-U that follows is granted in full; an Nchf session
 * gets a REAUTHORIZATION notify at its notifyUri. After a bar (a subscriber suspended or closed),
 * every open session of it is asked to re-authorise (Gy) or told to abort (Nchf), and granted nothing
 * more. The triggers behind it notify
 * credits by anyone but the engine, and bars.
 */
import { randomUUID } from 'node:crypto';
import http2 from 'node:http2';
import net from 'node:net';
import pg from 'pg';
import { createKnex } from '../db/knex';
import { addBucket } from '../db/charging';
import { applyLedgerEntry } from '../db/prepay-balance';
import { ManualClock } from '../domain/clock';
import { avp, valueOf, type DiameterMessage } from '../network/diameter/codec';
import { DiameterClient } from '../network/diameter/client';
import { DIAMETER_RESULT } from '../network/diameter/dictionary';
import { buildCcr, readCca, type CcrStep } from '../network/diameter/gy-client-messages';
import { answerTo } from '../network/diameter/message';
import { startGyServer, type GyServer } from '../ocs/diameter/server';
import { startNchfServer, type NchfServer } from '../ocs/nchf';
import { createChargingEngine } from '../ocs/engine';
import { startOcs } from '../ocs/main';
import { BARRED_CHANNEL, CREDIT_CHANNEL, reauthorizeAll, reauthorizeOnChange, WAITING_CHANNEL, watchAccounts, type AccountWatcher } from '../ocs/reauth/account-watcher';
import { OtherInstancesWaiting } from '../ocs/reauth/other-instances';
import { bucketState, createPrepaidAccount } from './helpers/charging';
import { testOcsEnv } from './helpers/ocs-process';

const knex = createKnex(process.env.DATABASE_URL!);
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 5 });
const clock = new ManualClock('2026-11-04T11:00:00Z');
let server: GyServer;
let nchf: NchfServer;
let watcher: AccountWatcher;
/** The watcher's connection, told from any other OCS's of a test running beside. */
const WATCHER = `ocs-account-watcher-${process.pid}`;

beforeAll(async () => {
  // As ocs/main.ts wires it: the engine's own writes that free credit are told to the front ends,
  // and other OCS instances told of waits and of credit freed for theirs.
  const others = new OtherInstancesWaiting({ ttlMs: 600_000, now: () => clock.now().getTime(), notify: (channel, ids) => watcher.notify(channel, ids) });
  const engine = createChargingEngine({
    pool,
    clock,
    onCreditFreed: (ids) => reauthorizeAll([server, nchf], ids, 'credit'),
    others,
  });
  server = await startGyServer({ engine, port: 0, host: '127.0.0.1', originHost: 'ocs.test.local', originRealm: 'test.local', clock });
  nchf = await startNchfServer({ engine, port: 0, host: '127.0.0.1', notifyTimeoutMs: 1000 });
  // As ocs/main.ts starts it.
  const onClosed = (id: string) => {
    engine.sessionClosed(id);
    server.sessionClosed(id);
    nchf.sessionClosed(id);
  };
  watcher = reauthorizeOnChange([server, nchf], { connectionString: process.env.DATABASE_URL!, pool, waitingOn: (ids) => engine.sessionsWaitingOn(ids), onClosed, others, reconnectMs: 50, applicationName: WATCHER });
  await watcher.ready;
});
afterAll(async () => {
  await watcher.stop();
  await nchf.stop();
  await server.close();
  await pool.end();
  await knex.destroy();
});

/** A prepaid line whose creation (new buckets: a credit) has been handled, so that only what the test does next counts. */
async function settledLine(buckets: Parameters<typeof createPrepaidAccount>[1]['buckets']) {
  const [created] = await createPrepaidAccount(knex, { buckets });
  await watcher.settled();
  return created;
}

const topUp = (bucketId: string, amount: string, reference: string) => knex.transaction((trx) => applyLedgerEntry(trx, { bucketId, kind: 'credit', amount, reference, now: clock.now() }));

/** A Gy client that answers every RAR with `resultCode` and keeps them. */
async function clientAnsweringRar(originHost: string, resultCode: number = DIAMETER_RESULT.LIMITED_SUCCESS) {
  const rars: DiameterMessage[] = [];
  const waiters: Array<() => void> = [];
  const client = await DiameterClient.connect({
    host: '127.0.0.1',
    port: server.port,
    originHost,
    originRealm: 'gw.test.local',
    onRequest: ({ message }, peer) => {
      rars.push(message);
      peer.send(answerTo(message, [avp('Session-Id', valueOf<string>(message.avps, 'Session-Id')!), avp('Result-Code', resultCode), avp('Origin-Host', originHost), avp('Origin-Realm', 'gw.test.local')]));
      waiters.splice(0).forEach((w) => w());
    },
  });
  /** Resolves once `n` RARs have come. */
  const rarsReceived = async (n: number) => {
    while (rars.length < n) await new Promise<void>((resolve) => waiters.push(resolve));
    return rars;
  };
  return { client, rars, rarsReceived };
}

describe('re-authorisation after a credit (Gy RAR)', () => {
  it('sends a RAR for a call on its final units once the account is topped up, and the CCR-U after it is granted in full', async () => {
    const prepaid = await settledLine([{ type: 'money', amount: '0.50' }]);
    const { client, rars, rarsReceived } = await clientAnsweringRar('pgw1.gw.test.local');
    const sessionId = `pgw1.gw.test.local;1;${prepaid.msisdn}`;
    const ccr = (step: CcrStep) => client.creditControl(buildCcr({ sessionId, originHost: 'pgw1.gw.test.local', originRealm: 'gw.test.local', destinationRealm: 'test.local', msisdn: prepaid.msisdn, destination: '+34612345678', ...step }));
    try {
      const initial = readCca(await ccr({ type: 'initial', requestNumber: 0, units: [{ ratingGroup: 100, unit: 'CC-Time', requested: 600 }] }));
      expect(initial.units[0]).toMatchObject({ resultCode: 2001, finalUnitAction: 0 });
      expect(server.waitingForCredit()).toBe(true);

      await topUp(prepaid.buckets[0], '10.00', 'test-topup-1');
      const [rar] = await rarsReceived(1);
      expect(rar.commandCode).toBe(258);
      expect(rar.applicationId).toBe(4);
      expect(rar.flags).toMatchObject({ request: true, proxiable: true });
      expect(valueOf(rar.avps, 'Session-Id')).toBe(sessionId);
      expect(valueOf(rar.avps, 'Origin-Host')).toBe('ocs.test.local');
      expect(valueOf(rar.avps, 'Destination-Host')).toBe('pgw1.gw.test.local');
      expect(valueOf(rar.avps, 'Destination-Realm')).toBe('gw.test.local');
      expect(valueOf(rar.avps, 'Auth-Application-Id')).toBe(4);
      expect(valueOf(rar.avps, 'Re-Auth-Request-Type')).toBe(0);
      expect(valueOf(rar.avps, 'Rating-Group')).toBe(100);

      // The client re-authorises: what it used, and the next quota, now paid in full.
      const update = readCca(await ccr({ type: 'update', requestNumber: 1, units: [{ ratingGroup: 100, unit: 'CC-Time', requested: 600, used: 120 }] }));
      expect(update.units[0]).toMatchObject({ resultCode: 2001, granted: 600n });
      expect(update.units[0].finalUnitAction).toBeUndefined();
      // Granted in full, the session no longer waits: a later credit sends it no RAR.
      expect(server.waitingForCredit()).toBe(false);
      expect(rars).toHaveLength(1);
    } finally {
      await client.close();
    }
  });

  it('sends a RAR for a session whose refusal another instance wrote and this one gave again (the client failed over)', async () => {
    const prepaid = await settledLine([{ type: 'money', amount: '0.00' }]);
    const { client, rarsReceived } = await clientAnsweringRar('pgw11.gw.test.local');
    const sessionId = `pgw11.gw.test.local;1;${prepaid.msisdn}`;
    const initial: CcrStep = { type: 'initial', requestNumber: 0, units: [{ ratingGroup: 100, unit: 'CC-Time', requested: 60 }] };
    // Another instance answered the CCR-I 4012 and then went away before its client had the answer.
    const elsewhere = createChargingEngine({ pool, clock });
    const first = await elsewhere.charge({ sessionId, requestNumber: 0, type: 'initial', subscriber: { msisdn: prepaid.msisdn }, eventTime: clock.now(), destination: '+34612345678', units: [{ ratingGroup: 100, requested: { quantity: '60' } }] });
    expect(first.units[0].resultCode).toBe(4012);
    try {
      const again = readCca(await client.creditControl(buildCcr({ sessionId, originHost: 'pgw11.gw.test.local', originRealm: 'gw.test.local', destinationRealm: 'test.local', msisdn: prepaid.msisdn, destination: '+34612345678', ...initial })));
      expect(again.units[0].resultCode).toBe(4012);
      await topUp(prepaid.buckets[0], '1.00', `test-topup-${randomUUID()}`);
      const [rar] = await rarsReceived(1);
      expect(valueOf(rar.avps, 'Session-Id')).toBe(sessionId);
    } finally {
      await client.close();
    }
  });

  it('asks no session another instance ended meanwhile, and forgets it', async () => {
    const prepaid = await settledLine([{ type: 'money', amount: '0.00' }]);
    const { client, rars } = await clientAnsweringRar('pgw12.gw.test.local');
    const sessionId = `pgw12.gw.test.local;1;${prepaid.msisdn}`;
    try {
      const initial = readCca(await client.creditControl(buildCcr({ sessionId, originHost: 'pgw12.gw.test.local', originRealm: 'gw.test.local', destinationRealm: 'test.local', msisdn: prepaid.msisdn, destination: '+34612345678', type: 'initial', requestNumber: 0, units: [{ ratingGroup: 100, unit: 'CC-Time', requested: 60 }] })));
      expect(initial.units[0].resultCode).toBe(4012);
      const kept = server.sessionCounts().open;
      // The client failed over, and its termination was answered by another instance.
      const elsewhere = createChargingEngine({ pool, clock });
      expect((await elsewhere.charge({ sessionId, requestNumber: 1, type: 'termination', subscriber: { msisdn: prepaid.msisdn }, eventTime: clock.now(), units: [{ ratingGroup: 100, used: { quantity: '0' } }] })).resultCode).toBe(2001);
      await topUp(prepaid.buckets[0], '1.00', `test-topup-${randomUUID()}`);
      await watcher.settled();
      expect(rars).toEqual([]);
      expect(server.sessionCounts().open).toBe(kept - 1);
    } finally {
      await client.close();
    }
  });

  it('sends a RAR for a data session refused for credit (4012) once a data pass is bought, and the CCR-U after it draws on the pass', async () => {
    const prepaid = await settledLine([{ type: 'money', amount: '0.00' }]);
    const { client, rarsReceived } = await clientAnsweringRar('pgw2.gw.test.local');
    const sessionId = `pgw2.gw.test.local;1;${prepaid.msisdn}`;
    const ccr = (step: CcrStep) => client.creditControl(buildCcr({ sessionId, originHost: 'pgw2.gw.test.local', originRealm: 'gw.test.local', destinationRealm: 'test.local', msisdn: prepaid.msisdn, ...step }));
    try {
      const initial = readCca(await ccr({ type: 'initial', requestNumber: 0, units: [{ ratingGroup: 300, unit: 'CC-Total-Octets', requested: true }] }));
      expect(initial.units[0].resultCode).toBe(4012);
      await addBucket(knex, { chargingAccountId: prepaid.accountId, origin: `test-pass:${prepaid.accountId}`, type: 'data', unit: 'octets', amount: '1000000000', priority: 10, validFrom: clock.now() });
      const [rar] = await rarsReceived(1);
      expect(valueOf(rar.avps, 'Session-Id')).toBe(sessionId);
      expect(valueOf(rar.avps, 'Rating-Group')).toBe(300);
      const update = readCca(await ccr({ type: 'update', requestNumber: 1, units: [{ ratingGroup: 300, unit: 'CC-Total-Octets', requested: true }] }));
      expect(update.units[0]).toMatchObject({ resultCode: 2001, granted: 10_485_760n });
      expect(update.units[0].finalUnitAction).toBeUndefined();
    } finally {
      await client.close();
    }
  });

  it("answers with each outcome: the client's Result-Code, or why there was none; a session that does not wait is not asked", async () => {
    const prepaid = await settledLine([{ type: 'money', amount: '0.00' }]);
    const { client } = await clientAnsweringRar('pgw4.gw.test.local', DIAMETER_RESULT.UNKNOWN_SESSION_ID);
    const sessionId = `pgw4.gw.test.local;1;${prepaid.msisdn}`;
    const initial = readCca(await client.creditControl(buildCcr({ sessionId, originHost: 'pgw4.gw.test.local', originRealm: 'gw.test.local', destinationRealm: 'test.local', msisdn: prepaid.msisdn, type: 'initial', requestNumber: 0, units: [{ ratingGroup: 300, unit: 'CC-Total-Octets', requested: true }] })));
    expect(initial.units[0].resultCode).toBe(4012);
    expect(await server.reauthorize(['pgw4.gw.test.local;not-waiting'])).toEqual([]);
    expect(await server.reauthorize([sessionId])).toEqual([{ sessionId, answer: 5002 }]);
    // Asked once: it waits again only if an answer says so.
    expect(await server.reauthorize([sessionId])).toEqual([]);
    // Closed by the sweeper: forgotten, not asked even when barred.
    expect((await server.reauthorize([sessionId], 'barred')).map((o) => o.sessionId)).toEqual([sessionId]);
    server.sessionClosed(sessionId);
    expect(await server.reauthorize([sessionId], 'barred')).toEqual([]);

    await client.creditControl(buildCcr({ sessionId: `${sessionId};2`, originHost: 'pgw4.gw.test.local', originRealm: 'gw.test.local', destinationRealm: 'test.local', msisdn: prepaid.msisdn, type: 'initial', requestNumber: 0, units: [{ ratingGroup: 300, unit: 'CC-Total-Octets', requested: true }] }));
    await client.close();
    expect(await server.reauthorize([`${sessionId};2`])).toEqual([{ sessionId: `${sessionId};2`, error: 'pgw4.gw.test.local is not connected' }]);
  });
  it("sends the RAR of a session relayed by a Diameter agent over the agent's connection, to the client named in its CCRs", async () => {
    const prepaid = await settledLine([{ type: 'money', amount: '0.00' }]);
    // The connection is the agent's (dra); the CCRs are the gateway's (pgw6), as a relay forwards them.
    const { client: agent, rarsReceived } = await clientAnsweringRar('dra.test.local');
    const sessionId = `pgw6.gw.test.local;1;${prepaid.msisdn}`;
    try {
      const initial = readCca(await agent.creditControl(buildCcr({ sessionId, originHost: 'pgw6.gw.test.local', originRealm: 'gw6.test.local', destinationRealm: 'test.local', msisdn: prepaid.msisdn, type: 'initial', requestNumber: 0, units: [{ ratingGroup: 300, unit: 'CC-Total-Octets', requested: true }] })));
      expect(initial.units[0].resultCode).toBe(4012);
      await topUp(prepaid.buckets[0], '5.00', 'test-topup-relayed');
      const [rar] = await rarsReceived(1);
      expect([valueOf(rar.avps, 'Destination-Host'), valueOf(rar.avps, 'Destination-Realm')]).toEqual(['pgw6.gw.test.local', 'gw6.test.local']);
    } finally {
      await agent.close();
    }
  });

  it("sends a RAR for a line of a shared account refused for credit once another line's call ends and gives back what it held", async () => {
    // 0.24 pays one two-minute call: the first line reserves all of it, the second is refused.
    const [first, second] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '0.24' }], lines: 2 });
    await watcher.settled();
    const { client, rars, rarsReceived } = await clientAnsweringRar('pgw8.gw.test.local');
    const ccr = (line: typeof first, n: number, step: CcrStep) =>
      client.creditControl(buildCcr({ sessionId: `pgw8.gw.test.local;${n};${line.msisdn}`, originHost: 'pgw8.gw.test.local', originRealm: 'gw.test.local', destinationRealm: 'test.local', msisdn: line.msisdn, destination: '+34612345678', ...step }));
    try {
      expect(readCca(await ccr(first, 1, { type: 'initial', requestNumber: 0, units: [{ ratingGroup: 100, unit: 'CC-Time', requested: 120 }] })).units[0]).toMatchObject({ resultCode: 2001, granted: 120n });
      expect(readCca(await ccr(second, 2, { type: 'initial', requestNumber: 0, units: [{ ratingGroup: 100, unit: 'CC-Time', requested: 60 }] })).units[0].resultCode).toBe(4012);
      // The first call ends after 30 s: 0.12 debited, 0.24 released, so 0.12 is free again.
      expect(readCca(await ccr(first, 1, { type: 'termination', requestNumber: 1, units: [{ ratingGroup: 100, unit: 'CC-Time', used: 30 }] })).resultCode).toBe(2001);
      const [rar] = await rarsReceived(1);
      expect(valueOf(rar.avps, 'Session-Id')).toBe(`pgw8.gw.test.local;2;${second.msisdn}`);
      expect(readCca(await ccr(second, 2, { type: 'update', requestNumber: 1, units: [{ ratingGroup: 100, unit: 'CC-Time', requested: 60 }] })).units[0]).toMatchObject({ resultCode: 2001, granted: 60n });
      expect(rars).toHaveLength(1);
    } finally {
      await client.close();
    }
  });

  it('sends a RAR for a line refused for credit here once another OCS instance ends a call of the same shared account', async () => {
    // Instances are sharded by subscriber: the first line is answered by another OCS (as `npm run ocs` starts it), the second by this one.
    const [first, second] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '0.24' }], lines: 2 });
    await watcher.settled();
    const other = await startOcs(
      { ...testOcsEnv(), OCS_DB_POOL: '2' },
      clock,
    );
    // What this instance says of its waits, as the other hears it.
    const listener = new pg.Client({ connectionString: process.env.DATABASE_URL });
    const announced: string[] = [];
    listener.on('notification', (n) => announced.push(n.payload!));
    await listener.connect();
    await listener.query(`LISTEN ${WAITING_CHANNEL}`);
    const here = await clientAnsweringRar('pgw9.gw.test.local');
    const there = await DiameterClient.connect({ host: '127.0.0.1', port: other.gyPort, originHost: 'pgw10.gw.test.local', originRealm: 'gw.test.local' });
    const ccr = (client: DiameterClient, originHost: string, line: typeof first, step: CcrStep) =>
      client.creditControl(buildCcr({ sessionId: `${originHost};1;${line.msisdn}`, originHost, originRealm: 'gw.test.local', destinationRealm: client.remote.originRealm, msisdn: line.msisdn, destination: '+34612345678', ...step }));
    try {
      expect(readCca(await ccr(there, 'pgw10.gw.test.local', first, { type: 'initial', requestNumber: 0, units: [{ ratingGroup: 100, unit: 'CC-Time', requested: 120 }] })).units[0]).toMatchObject({ resultCode: 2001, granted: 120n });
      expect(readCca(await ccr(here.client, 'pgw9.gw.test.local', second, { type: 'initial', requestNumber: 0, units: [{ ratingGroup: 100, unit: 'CC-Time', requested: 60 }] })).units[0].resultCode).toBe(4012);
      // Once the wait is said (after the answer's commit), the other instance has heard it when what it committed before is handled.
      for (const deadline = Date.now() + 30_000; !announced.includes(second.accountId); ) {
        if (Date.now() > deadline) throw new Error(`no wait announced for ${second.accountId}: ${announced.join(', ')}`);
        await new Promise((r) => setTimeout(r, 10));
      }
      await other.settled();
      // The first call ends after 30 s on the other instance: 0.12 debited, 0.24 released, so 0.12 is free again.
      expect(readCca(await ccr(there, 'pgw10.gw.test.local', first, { type: 'termination', requestNumber: 1, units: [{ ratingGroup: 100, unit: 'CC-Time', used: 30 }] })).resultCode).toBe(2001);
      const [rar] = await here.rarsReceived(1);
      expect(valueOf(rar.avps, 'Session-Id')).toBe(`pgw9.gw.test.local;1;${second.msisdn}`);
      expect(readCca(await ccr(here.client, 'pgw9.gw.test.local', second, { type: 'update', requestNumber: 1, units: [{ ratingGroup: 100, unit: 'CC-Time', requested: 60 }] })).units[0]).toMatchObject({ resultCode: 2001, granted: 60n });
      await watcher.settled();
      expect(here.rars).toHaveLength(1);
    } finally {
      await here.client.close();
      await there.close();
      await listener.end();
      await other.stop();
    }
  });

  it('takes a connection that stops answering without a word (a path gone dead) as lost, and listens again on a new one', async () => {
    // A TCP relay to PostgreSQL that can go silent: it then passes nothing either way and closes nothing.
    const target = new URL(process.env.DATABASE_URL!);
    const relays: Array<{ frozen: boolean }> = [];
    const relay = net.createServer((inbound) => {
      const state = { frozen: false };
      relays.push(state);
      const outbound = net.connect(Number(target.port), target.hostname);
      inbound.on('data', (chunk) => !state.frozen && outbound.write(chunk));
      outbound.on('data', (chunk) => !state.frozen && inbound.write(chunk));
      const end = () => (inbound.destroy(), outbound.destroy());
      inbound.on('error', end).on('close', end);
      outbound.on('error', end).on('close', end);
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    const relayed = new URL(process.env.DATABASE_URL!);
    relayed.hostname = '127.0.0.1';
    relayed.port = String((relay.address() as net.AddressInfo).port);
    // The accounts whose credit it heard.
    const credited: string[] = [];
    const waitingOn = (ids: Iterable<string>) => (credited.push(...ids), []);
    const silentWatcher = watchAccounts({ connectionString: relayed.toString(), pool, waitingOn, onSessions: () => undefined, reconnectMs: 50, heartbeatMs: 200 });
    try {
      await silentWatcher.ready;
      relays[0].frozen = true;
      // The heartbeat goes unanswered: a second connection listens, and hears the next credit.
      for (const deadline = Date.now() + 10_000; relays.length < 2; await new Promise((r) => setTimeout(r, 20))) if (Date.now() > deadline) throw new Error('no new connection');
      await silentWatcher.settled();
      const prepaid = await settledLine([{ type: 'money', amount: '0.00' }]);
      await topUp(prepaid.buckets[0], '1.00', `test-topup-${randomUUID()}`);
      await silentWatcher.settled();
      expect(credited).toContain(prepaid.accountId);
    } finally {
      await silentWatcher.stop();
      relay.close();
    }
  });

  it('listens again after losing its connection (PostgreSQL restarted), and re-authorises on the credits after it', async () => {
    const prepaid = await settledLine([{ type: 'money', amount: '0.00' }]);
    const listenerPid = async () => (await pool.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [WATCHER])).rows[0]?.pid;
    const before = await listenerPid();
    expect(before).toBeDefined();
    await pool.query('SELECT pg_terminate_backend($1)', [before]);
    for (let pid = await listenerPid(); pid === undefined || pid === before; pid = await listenerPid()) await new Promise((r) => setTimeout(r, 20));
    await watcher.settled();

    const { client, rarsReceived } = await clientAnsweringRar('pgw5.gw.test.local');
    const sessionId = `pgw5.gw.test.local;1;${prepaid.msisdn}`;
    try {
      const initial = readCca(await client.creditControl(buildCcr({ sessionId, originHost: 'pgw5.gw.test.local', originRealm: 'gw.test.local', destinationRealm: 'test.local', msisdn: prepaid.msisdn, type: 'initial', requestNumber: 0, units: [{ ratingGroup: 300, unit: 'CC-Total-Octets', requested: true }] })));
      expect(initial.units[0].resultCode).toBe(4012);
      await topUp(prepaid.buckets[0], '5.00', 'test-topup-reconnect');
      const [rar] = await rarsReceived(1);
      expect(valueOf(rar.avps, 'Session-Id')).toBe(sessionId);
    } finally {
      await client.close();
    }
  });
});

/** HTTP/2 POST with a JSON body; resolves with the status and the parsed body. */
function post(session: http2.ClientHttp2Session, path: string, body: unknown): Promise<{ status: number; location?: string; body: Record<string, unknown> | undefined }> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/json' });
    let status = 0;
    let location: string | undefined;
    const chunks: Buffer[] = [];
    stream.on('response', (h) => {
      status = Number(h[':status']);
      location = h.location;
    });
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('error', reject);
    stream.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      resolve({ status, ...(location ? { location } : {}), body: text ? JSON.parse(text) : undefined });
    });
    stream.end(JSON.stringify(body));
  });
}

/** The chargingDataRef of a created session: the last segment of its Location. */
const refOf = (created: { location?: string }) => decodeURIComponent(created.location!.split('/').pop()!);

/** The consumer's notification endpoint (an SMF), h2c; answers `status` and keeps what it got. */
async function notifyEndpoint(status = 204) {
  const received: Array<{ path: string; body: Record<string, unknown> }> = [];
  const waiters: Array<() => void> = [];
  const endpoint = http2.createServer();
  const sessions = new Set<http2.ServerHttp2Session>();
  endpoint.on('session', (s) => sessions.add(s));
  endpoint.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      received.push({ path: String(headers[':path']), body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      stream.respond({ ':status': status });
      stream.end();
      waiters.splice(0).forEach((w) => w());
    });
  });
  await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
  const port = (endpoint.address() as { port: number }).port;
  const notificationsReceived = async (n: number) => {
    while (received.length < n) await new Promise<void>((resolve) => waiters.push(resolve));
    return received;
  };
  return { uri: (path: string) => `http://127.0.0.1:${port}${path}`, received, notificationsReceived, close: () => {
      const closed = new Promise<void>((resolve) => endpoint.close(() => resolve()));
      sessions.forEach((s) => s.destroy());
      return closed;
    },
  };
}

const BASE = '/nchf-convergedcharging/v3/chargingdata';
const chargingData = (msisdn: string, n: number, units: unknown[], extra: Record<string, unknown> = {}) => ({
  subscriberIdentifier: `msisdn-${msisdn.slice(1)}`,
  nfConsumerIdentification: { nodeFunctionality: 'SMF', nFName: 'smf-1' },
  invocationTimeStamp: '2026-11-04T11:00:00Z',
  invocationSequenceNumber: n,
  multipleUnitUsage: units,
  ...extra,
});

describe('re-authorisation after a credit (Nchf notify)', () => {
  it('notifies REAUTHORIZATION at the notifyUri given at creation once the account is topped up; the update after it is granted', async () => {
    const prepaid = await settledLine([{ type: 'money', amount: '0.00' }]);
    const smf = await notifyEndpoint();
    const session = http2.connect(`http://127.0.0.1:${nchf.port}`);
    try {
      const created = await post(session, BASE, chargingData(prepaid.msisdn, 0, [{ ratingGroup: 300, requestedUnit: {} }], { notifyUri: smf.uri('/smf/notify/pdu-7') }));
      expect(created.status).toBe(201);
      expect((created.body!.multipleUnitInformation as Array<Record<string, unknown>>)[0]).toMatchObject({ ratingGroup: 300, resultCode: 'QUOTA_LIMIT_REACHED' });
      const ref = refOf(created);
      expect(nchf.waitingForCredit()).toBe(true);

      await topUp(prepaid.buckets[0], '5.00', 'nchf-topup-1');
      const [notification] = await smf.notificationsReceived(1);
      expect(notification).toEqual({ path: '/smf/notify/pdu-7', body: { notificationType: 'REAUTHORIZATION', reauthorizationDetails: [{ ratingGroup: 300 }] } });

      const updated = await post(session, `${BASE}/${encodeURIComponent(ref)}/update`, chargingData(prepaid.msisdn, 1, [{ ratingGroup: 300, requestedUnit: {} }]));
      expect(updated.status).toBe(200);
      expect((updated.body!.multipleUnitInformation as Array<Record<string, unknown>>)[0]).toMatchObject({ ratingGroup: 300, resultCode: 'SUCCESS', grantedUnit: { totalVolume: 10_485_760 } });
      expect(nchf.waitingForCredit()).toBe(false);
    } finally {
      session.close();
      await smf.close();
    }
  });

  it('refuses a notifyUri that is not an http(s) URI (400), keeps no session without one waiting, and tells why a notification could not be sent', async () => {
    const prepaid = await settledLine([{ type: 'money', amount: '0.00' }]);
    const session = http2.connect(`http://127.0.0.1:${nchf.port}`);
    try {
      const refused = await post(session, BASE, chargingData(prepaid.msisdn, 0, [{ ratingGroup: 300, requestedUnit: {} }], { notifyUri: 'ftp://smf/notify' }));
      expect(refused.status).toBe(400);
      expect(refused.body!.invalidParams).toEqual([{ param: '/notifyUri', reason: 'an http or https URI' }]);
      // Without a notifyUri there is nowhere to notify: the consumer comes back at the validity time.
      const without = await post(session, BASE, chargingData(prepaid.msisdn, 0, [{ ratingGroup: 300, requestedUnit: {} }]));
      expect((without.body!.multipleUnitInformation as Array<Record<string, unknown>>)[0]).toMatchObject({ resultCode: 'QUOTA_LIMIT_REACHED' });
      expect(nchf.waitingForCredit()).toBe(false);

      // An endpoint that is gone: the outcome says so, and the session is not notified again.
      const smf = await notifyEndpoint();
      const gone = smf.uri('/smf/notify/gone');
      await smf.close();
      const created = await post(session, BASE, chargingData(prepaid.msisdn, 0, [{ ratingGroup: 300, requestedUnit: {} }], { notifyUri: gone }));
      const ref = refOf(created);
      const [outcome] = await nchf.reauthorize([ref]);
      expect(outcome.sessionId).toBe(ref);
      expect(outcome.answer).toBeUndefined();
      expect(outcome.error).toMatch(/ECONNREFUSED/);
      expect(await nchf.reauthorize([ref])).toEqual([]);
    } finally {
      session.close();
    }
  });
});

describe('re-authorisation after a bar', () => {
  it('asks every open Gy session of a suspended subscriber to re-authorise, grants its update nothing (4010), and charges what it used', async () => {
    const prepaid = await settledLine([{ type: 'money', amount: '10.00' }]);
    const { client, rarsReceived } = await clientAnsweringRar('pgw7.gw.test.local');
    const sessionId = `pgw7.gw.test.local;1;${prepaid.msisdn}`;
    const ccr = (step: CcrStep) => client.creditControl(buildCcr({ sessionId, originHost: 'pgw7.gw.test.local', originRealm: 'gw.test.local', destinationRealm: 'test.local', msisdn: prepaid.msisdn, destination: '+34612345678', ...step }));
    try {
      expect(readCca(await ccr({ type: 'initial', requestNumber: 0, units: [{ ratingGroup: 100, unit: 'CC-Time', requested: 120 }] })).units[0]).toMatchObject({ resultCode: 2001, granted: 120n });
      expect(server.waitingForCredit()).toBe(false);

      await knex('charging_subscriber').where({ msisdn: prepaid.msisdn }).update({ status: 'suspended' });
      const [rar] = await rarsReceived(1);
      expect(valueOf(rar.avps, 'Session-Id')).toBe(sessionId);
      expect(valueOf(rar.avps, 'Rating-Group')).toBeUndefined(); // all of the session's services

      const update = readCca(await ccr({ type: 'update', requestNumber: 1, units: [{ ratingGroup: 100, unit: 'CC-Time', requested: 120, used: 90 }] }));
      expect(update.units[0]).toMatchObject({ resultCode: 4010 });
      expect(update.units[0].granted).toBeUndefined();
      expect(readCca(await ccr({ type: 'termination', requestNumber: 2, units: [{ ratingGroup: 100, unit: 'CC-Time', used: 0 }] })).resultCode).toBe(2001);
      // 90 s: 0.12 for the first minute, 30 s at 0.002.
      expect(await bucketState(knex, prepaid.buckets[0])).toEqual({ balance: '9.820000', reserved: '0.000000' });
    } finally {
      await client.close();
    }
  });

  it('tells every open Nchf session of a closed subscriber ABORT_CHARGING; its release is charged for what it used', async () => {
    const prepaid = await settledLine([{ type: 'money', amount: '10.00' }]);
    const smf = await notifyEndpoint();
    const session = http2.connect(`http://127.0.0.1:${nchf.port}`);
    try {
      const national = { iMSChargingInformation: { calledPartyAddress: 'tel:+34612345678' } };
      const created = await post(session, BASE, chargingData(prepaid.msisdn, 0, [{ ratingGroup: 100, requestedUnit: { time: 120 } }], { ...national, notifyUri: smf.uri('/smf/notify/pdu-9') }));
      expect(created.status).toBe(201);
      await knex('charging_subscriber').where({ msisdn: prepaid.msisdn }).update({ status: 'closed' });
      const [notification] = await smf.notificationsReceived(1);
      expect(notification).toEqual({ path: '/smf/notify/pdu-9', body: { notificationType: 'ABORT_CHARGING' } });
      // The consumer releases the session with what it used: 90 s, 0.12 for the first minute and 30 s at 0.002.
      const released = await post(session, `${BASE}/${encodeURIComponent(refOf(created))}/release`, chargingData(prepaid.msisdn, 1, [{ ratingGroup: 100, usedUnitContainer: [{ time: 90 }] }], national));
      expect(released.status).toBe(204);
      expect(await bucketState(knex, prepaid.buckets[0])).toEqual({ balance: '9.820000', reserved: '0.000000' });
    } finally {
      session.close();
      await smf.close();
    }
  });
});

describe('charging_credit and charging_barred notifications', () => {
  let listener: pg.Client;
  const payloads: string[] = [];
  beforeAll(async () => {
    listener = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await listener.connect();
    listener.on('notification', (n) => n.payload && payloads.push(`${n.channel} ${n.payload}`));
    await listener.query(`LISTEN ${CREDIT_CHANNEL}; LISTEN ${BARRED_CHANNEL}`);
  });
  afterAll(() => listener.end());

  /** The notifications on `channel` for `accountId` after `change`, read once a later notification (a sentinel) has arrived. */
  /** Waits until every notice committed so far has arrived (PostgreSQL delivers them in commit order). */
  async function drained(): Promise<void> {
    const sentinel = `sentinel-${randomUUID()}`;
    await pool.query(`SELECT pg_notify($1, $2)`, [CREDIT_CHANNEL, sentinel]);
    while (!payloads.includes(`${CREDIT_CHANNEL} ${sentinel}`)) await new Promise((r) => setTimeout(r, 5));
  }

  /** The notices `change` sends on `channel` for the account (none of the changes before it counted). */
  async function notified(accountId: string, change: () => Promise<unknown>, channel = CREDIT_CHANNEL): Promise<number> {
    await drained();
    payloads.length = 0;
    await change();
    await drained();
    return payloads.filter((p) => p === `${channel} ${accountId}`).length;
  }

  it('notifies a bar when a subscriber or an account stops being active, once', async () => {
    const [line, other] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '5.00' }], lines: 2 });
    const subscriber = (msisdn: string, status: string) => () => knex('charging_subscriber').where({ msisdn }).update({ status });
    expect(await notified(line.accountId, subscriber(line.msisdn, 'suspended'), BARRED_CHANNEL)).toBe(1);
    expect(await notified(line.accountId, subscriber(line.msisdn, 'closed'), BARRED_CHANNEL)).toBe(0); // barred already
    expect(await notified(line.accountId, subscriber(other.msisdn, 'active'), BARRED_CHANNEL)).toBe(0);
    expect(await notified(line.accountId, () => knex('charging_account').where({ id: line.accountId }).update({ status: 'suspended' }), BARRED_CHANNEL)).toBe(1);
  });

  it('notifies a credit, a new bucket, a lower reservation and a higher credit limit; not a debit, a reservation or a rolled-back credit', async () => {
    const [line] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '5.00' }] });
    const [bucket] = line.buckets;
    expect(await notified(line.accountId, () => topUp(bucket, '1.00', 'n-credit'))).toBe(1);
    expect(await notified(line.accountId, () => addBucket(knex, { chargingAccountId: line.accountId, origin: `n-bucket:${line.accountId}`, type: 'sms', unit: 'events', amount: '10', priority: 10, validFrom: clock.now() }))).toBe(1);
    expect(await notified(line.accountId, () => knex.transaction((trx) => applyLedgerEntry(trx, { bucketId: bucket, kind: 'debit', amount: '1.00', reference: 'n-debit', now: clock.now() })))).toBe(0);
    expect(await notified(line.accountId, () => knex.transaction((trx) => applyLedgerEntry(trx, { bucketId: bucket, kind: 'reservation', amount: '1.00', reference: 'n-res', now: clock.now() })))).toBe(0);
    expect(await notified(line.accountId, () => knex.transaction((trx) => applyLedgerEntry(trx, { bucketId: bucket, kind: 'release', amount: '1.00', reference: 'n-rel', now: clock.now() })))).toBe(1);
    expect(await notified(line.accountId, () => knex('charging_bucket').where({ id: bucket }).update({ credit_limit: '2.00' }))).toBe(1);
    expect(await notified(line.accountId, () => knex.transaction(async (trx) => {
      await applyLedgerEntry(trx, { bucketId: bucket, kind: 'credit', amount: '1.00', reference: 'n-rollback', now: clock.now() });
      throw new Error('rolled back');
    }).catch(() => undefined))).toBe(0);
    // Two credits in one transaction: one notification.
    expect(await notified(line.accountId, () => knex.transaction(async (trx) => {
      await applyLedgerEntry(trx, { bucketId: bucket, kind: 'credit', amount: '1.00', reference: 'n-two-1', now: clock.now() });
      await applyLedgerEntry(trx, { bucketId: bucket, kind: 'credit', amount: '1.00', reference: 'n-two-2', now: clock.now() });
    }))).toBe(1);
  });

  it("does not notify the engine's own writes", async () => {
    const [line] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '5.00' }] });
    const client = await DiameterClient.connect({ host: '127.0.0.1', port: server.port, originHost: 'pgw3.gw.test.local', originRealm: 'gw.test.local' });
    const sessionId = `pgw3.gw.test.local;1;${line.msisdn}`;
    const ccr = (step: CcrStep) => client.creditControl(buildCcr({ sessionId, originHost: 'pgw3.gw.test.local', originRealm: 'gw.test.local', destinationRealm: 'test.local', msisdn: line.msisdn, destination: '+34612345678', ...step }));
    try {
      expect(await notified(line.accountId, async () => {
        await ccr({ type: 'initial', requestNumber: 0, units: [{ ratingGroup: 100, unit: 'CC-Time', requested: 60 }] });
        // The termination releases what the call did not use: the engine's write, not a credit.
        await ccr({ type: 'termination', requestNumber: 1, units: [{ ratingGroup: 100, unit: 'CC-Time', used: 30 }] });
      })).toBe(0);
    } finally {
      await client.close();
    }
  });
});
