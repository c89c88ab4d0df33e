/**
 * Provisioning activities against the network simulator and the run's PostgreSQL: every command
 * and its outcome is in the provisioning log; timeouts and lost connections are retryable and
 * logged; refusals are non-retryable; a retried activation changes nothing in the network; the
 * log is readable through the API by staff only.
 */
import { ApplicationFailure } from '@temporalio/common';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { createActivities } from '../activities';
import { createProvisioningActivities, INVALID_SERVICE, PROVISIONING_REJECTED } from '../activities/provisioning';
import { createKnex } from '../db/knex';
import { completeProvisioningLogEntry, insertProvisioningLogEntry, listProvisioningLog, type ProvisioningLogEntry } from '../db/provisioning-log';
import { systemClock } from '../domain/clock';
import type { ServiceToProvision } from '../domain/provisioning/commands';
import { NetworkClient, NetworkCommandError, NetworkConnectionError, NetworkTimeoutError } from '../network/client';
import { startNetworkSimulator, type NetworkSimulator } from '../network/simulator';
import { bearer, createTestApi, tokenFor, type TestApi } from './helpers/api';
import { freePort } from './helpers/ports';
import { provisionService } from './workflows/provision-service';

let serial = Math.floor(Math.random() * 9000);
/** A mobile service with numbers of its own. */
function mobileService(overrides: Partial<Extract<ServiceToProvision, { kind: 'mobile' }>> = {}): Extract<ServiceToProvision, { kind: 'mobile' }> {
  const n = String(++serial).padStart(6, '0');
  return {
    kind: 'mobile',
    serviceId: `svc-${randomUUID()}`,
    msisdn: `+34611${n}`,
    imsi: `214010000${n}`,
    iccid: `8934010000000${n}`,
    paymentType: 'postpaid',
    voice: true,
    sms: true,
    data: true,
    downlinkMbps: 150,
    uplinkMbps: 50,
    ...overrides,
  };
}

async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a failure');
}

describe('provisioning activities', () => {
  let knex: Knex;
  let sim: NetworkSimulator;
  let client: NetworkClient;
  let activities: ReturnType<typeof createProvisioningActivities>;
  const log = async (orderId: string): Promise<ProvisioningLogEntry[]> => (await listProvisioningLog(knex, { orderId })).entries;

  beforeAll(async () => {
    knex = createKnex(process.env.DATABASE_URL!);
    sim = await startNetworkSimulator({ port: 0 });
    client = new NetworkClient({ host: '127.0.0.1', port: sim.port });
    activities = createProvisioningActivities({ knex, clock: systemClock, network: client, commandTimeoutMs: 300 });
  });

  afterAll(async () => {
    await client.close();
    await sim.stop();
    await knex.destroy();
  });

  afterEach(() => sim.clearFaults());

  it('activates a mobile service and logs each command with its reply', async () => {
    const orderId = randomUUID();
    const service = mobileService();
    const result = await activities.activateService({ orderId, service });
    expect(result.commands.map((c) => [c.element, c.retcode, c.desc])).toEqual([
      ['HLR', 0, 'Subscriber created'],
      ['PCRF', 0, 'Data policy set'],
    ]);
    expect(sim.subscriber(service.imsi)).toMatchObject({ msisdn: service.msisdn, profile: 'POSTPAID', barring: 'NONE' });
    expect(sim.dataPolicy(service.imsi)).toEqual({ imsi: service.imsi, downlinkMbps: 150, uplinkMbps: 50 });

    const entries = await log(orderId);
    expect(entries).toHaveLength(2);
    const [create, policy] = entries;
    expect(create).toMatchObject({ orderId, serviceId: service.serviceId, operation: 'activate', element: 'HLR', status: 'succeeded', retcode: 0, error: null });
    expect(create.command).toMatch(
      new RegExp(`^CREATE SUBSCRIBER: CTAG=(\\d+), MSISDN=\\${service.msisdn}, IMSI=${service.imsi}, ICCID=${service.iccid}, PROFILE=POSTPAID, VOICE=YES, SMS=YES, DATA=YES;$`),
    );
    const ctag = /CTAG=(\d+)/.exec(create.command)![1];
    expect(create.reply).toBe(`RESP: CTAG=${ctag}, RETCODE=0, DESC="Subscriber created";`);
    expect(create.answeredAt!.getTime()).toBeGreaterThanOrEqual(create.sentAt.getTime());
    expect(create.durationMs).toBe(create.answeredAt!.getTime() - create.sentAt.getTime());
    expect(policy).toMatchObject({ element: 'PCRF', status: 'succeeded' });
    expect(policy.command).toMatch(new RegExp(`^SET DATAPOLICY: CTAG=\\d+, IMSI=${service.imsi}, DOWNLINK=150, UPLINK=50;$`));
  });

  it('a retried activation changes nothing in the network, and is logged again', async () => {
    const orderId = randomUUID();
    const service = mobileService();
    await activities.activateService({ orderId, service });
    const applied = sim.stats().applied;
    const state = sim.state();
    const again = await activities.activateService({ orderId, service });
    expect(again.commands.map((c) => c.desc)).toEqual(['Subscriber already exists, unchanged', 'Data policy already set, unchanged']);
    expect(sim.stats().applied).toEqual(applied);
    expect(sim.state().subscribers).toEqual(state.subscribers);
    expect((await log(orderId)).map((e) => e.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
  });

  it('a timeout is a retryable error that leaves a log row, and the retry completes the work', async () => {
    const orderId = randomUUID();
    const service = mobileService();
    sim.setFault('PCRF', { mode: 'TIMEOUT', count: 1 });
    const err = await failure(activities.activateService({ orderId, service }));
    expect(err).toBeInstanceOf(NetworkTimeoutError);
    expect(err).not.toBeInstanceOf(ApplicationFailure);
    let entries = await log(orderId);
    expect(entries.map((e) => [e.element, e.status])).toEqual([
      ['HLR', 'succeeded'],
      ['PCRF', 'timeout'],
    ]);
    expect(entries[1]).toMatchObject({ reply: null, retcode: null, answeredAt: null });
    expect(entries[1].error).toMatch(/^no reply within 300 ms to SET DATAPOLICY: CTAG=\d+, IMSI=/);
    expect(entries[1].command).toMatch(/^SET DATAPOLICY: CTAG=\d+, /);
    expect(entries[1].durationMs).toBeGreaterThanOrEqual(0);
    expect(sim.dataPolicy(service.imsi)).toBeUndefined();

    await activities.activateService({ orderId, service });
    entries = await log(orderId);
    expect(entries.map((e) => e.status)).toEqual(['succeeded', 'timeout', 'succeeded', 'succeeded']);
    expect(entries[2].reply).toMatch(/DESC="Subscriber already exists, unchanged";$/);
    expect(sim.dataPolicy(service.imsi)).toBeDefined();
  });

  it('a command whose reply was lost takes effect once across the retry', async () => {
    const orderId = randomUUID();
    const service = mobileService({ data: false });
    const before = sim.stats().applied.HLR;
    sim.setFault('HLR', { mode: 'DROPREPLY', count: 1 });
    expect(await failure(activities.activateService({ orderId, service }))).toBeInstanceOf(NetworkTimeoutError);
    await activities.activateService({ orderId, service });
    expect(sim.stats().applied.HLR).toBe(before + 1);
    expect((await log(orderId)).map((e) => e.status)).toEqual(['timeout', 'succeeded']);
  });

  it('under failures, lost replies and timeouts, retried activations take effect exactly once', async () => {
    const services = Array.from({ length: 20 }, () => mobileService());
    const before = sim.stats().applied;
    sim.setFault('HLR', { mode: 'DROPREPLY', count: 6 });
    sim.setFault('PCRF', { mode: 'FAIL', count: 6 });
    const orderId = randomUUID();
    // Each service retried until it succeeds, as Temporal would; all at once on one connection.
    const attempts = await Promise.all(
      services.map(async (service) => {
        for (let attempt = 1; ; attempt++) {
          try {
            await activities.activateService({ orderId, service });
            return attempt;
          } catch (err) {
            if (err instanceof ApplicationFailure || attempt === 10) throw err;
          }
        }
      }),
    );
    expect(attempts.some((n) => n > 1)).toBe(true);
    const after = sim.stats().applied;
    expect(after.HLR - before.HLR).toBe(20);
    expect(after.PCRF - before.PCRF).toBe(20);
    for (const service of services) expect(sim.dataPolicy(service.imsi)).toMatchObject({ downlinkMbps: 150 });
    const statuses = (await log(orderId)).map((e) => e.status);
    expect(statuses.filter((s) => s === 'timeout')).toHaveLength(6);
    expect(statuses.filter((s) => s === 'failed')).toHaveLength(6);
  });

  it('an element failure is retryable and logged as failed', async () => {
    const orderId = randomUUID();
    sim.setFault('CONTENT', { mode: 'FAIL', count: 1 });
    const err = await failure(activities.activateService({ orderId, service: { kind: 'content', serviceId: 'svc-c', subscriberId: `cust-${randomUUID()}`, entitlement: 'VIDEO-PREMIUM' } }));
    expect(err).toBeInstanceOf(NetworkCommandError);
    expect(err).not.toBeInstanceOf(ApplicationFailure);
    expect(await log(orderId)).toEqual([expect.objectContaining({ status: 'failed', retcode: 1005, reply: expect.stringMatching(/DESC="CONTENT failure: command not executed";$/) })]);
  });

  it('a refusal is a non-retryable ProvisioningRejected naming the command and reply; nothing after it is sent', async () => {
    const orderId = randomUUID();
    const service = mobileService();
    await activities.activateService({ orderId: randomUUID(), service });
    const clash = { ...service, serviceId: `svc-${randomUUID()}`, msisdn: '+34699999999', paymentType: 'prepaid' as const };
    const err = await failure(activities.activateService({ orderId, service: clash }));
    expect(err).toBeInstanceOf(ApplicationFailure);
    const failureErr = err as ApplicationFailure;
    expect(failureErr.type).toBe(PROVISIONING_REJECTED);
    expect(failureErr.nonRetryable).toBe(true);
    expect(failureErr.message).toMatch(
      new RegExp(`^HLR refused CREATE SUBSCRIBER: CTAG=\\d+, MSISDN=\\+34699999999, .* with RESP: CTAG=\\d+, RETCODE=1003, DESC="Subscriber IMSI=${service.imsi} exists with different MSISDN, PROFILE";$`),
    );
    expect(await log(orderId)).toEqual([expect.objectContaining({ element: 'HLR', status: 'rejected', retcode: 1003 })]);
    expect(sim.subscriber(service.imsi)?.msisdn).toBe(service.msisdn);
  });

  it('a lost connection is retryable and logged', async () => {
    const dead = new NetworkClient({ host: '127.0.0.1', port: await freePort() });
    const orderId = randomUUID();
    try {
      const offline = createProvisioningActivities({ knex, clock: systemClock, network: dead });
      const err = await failure(offline.activateService({ orderId, service: mobileService() }));
      expect(err).toBeInstanceOf(NetworkConnectionError);
      const [entry] = await log(orderId);
      expect(entry).toMatchObject({ status: 'connectionError', reply: null });
      expect(entry.error).toMatch(/^cannot connect to 127\.0\.0\.1:\d+: connect ECONNREFUSED/);
    } finally {
      await dead.close();
    }
  });

  it('takes FTTH and content through activation, suspension, restoration and deactivation', async () => {
    const orderId = randomUUID();
    const node = `OLT-${randomUUID().slice(0, 8)}`;
    const ftth: ServiceToProvision = { kind: 'ftth', serviceId: `svc-${randomUUID()}`, accessNode: node, port: '1/1/7', downlinkMbps: 600, uplinkMbps: 600 };
    const subscriberId = `cust-${randomUUID()}`;
    const content: ServiceToProvision = { kind: 'content', serviceId: `svc-${randomUUID()}`, subscriberId, entitlement: 'VIDEO-PREMIUM' };
    const mobile = mobileService();
    for (const service of [ftth, content, mobile]) await activities.activateService({ orderId, service });
    expect(sim.accessPort(node, '1/1/7')).toMatchObject({ adminState: 'UP', service: ftth.serviceId });
    expect(sim.entitlements(subscriberId)).toEqual(['VIDEO-PREMIUM']);

    for (const service of [ftth, content, mobile]) await activities.suspendService({ orderId, service });
    expect(sim.accessPort(node, '1/1/7')?.adminState).toBe('DOWN');
    expect(sim.entitlements(subscriberId)).toEqual([]);
    expect(sim.subscriber(mobile.imsi)?.barring).toBe('OUTGOING');

    for (const service of [ftth, content, mobile]) await activities.restoreService({ orderId, service });
    expect(sim.accessPort(node, '1/1/7')?.adminState).toBe('UP');
    expect(sim.entitlements(subscriberId)).toEqual(['VIDEO-PREMIUM']);
    expect(sim.subscriber(mobile.imsi)?.barring).toBe('NONE');

    // Twice: a repeated deactivation finds nothing to remove and succeeds.
    for (let i = 0; i < 2; i++) for (const service of [ftth, content, mobile]) await activities.deactivateService({ orderId, service });
    expect(sim.accessPort(node, '1/1/7')).toBeUndefined();
    expect(sim.subscriber(mobile.imsi)).toBeUndefined();
    expect(sim.dataPolicy(mobile.imsi)).toBeUndefined();
    const entries = await log(orderId);
    expect(entries.map((e) => e.operation)).toEqual([
      ...Array(4).fill('activate'),
      ...Array(3).fill('suspend'),
      ...Array(3).fill('restore'),
      ...Array(8).fill('deactivate'),
    ]);
    expect(entries.every((e) => e.status === 'succeeded')).toBe(true);
    expect(entries.at(-1)!.reply).toMatch(/DESC="Subscriber does not exist, nothing to delete";$/);
  });

  it('refuses a service whose commands cannot be written, sending nothing', async () => {
    const orderId = randomUUID();
    const err = await failure(activities.activateService({ orderId, service: { kind: 'ftth', serviceId: 's', accessNode: 'OLT-1', port: '1/1/1', downlinkMbps: 0, uplinkMbps: 10 } }));
    expect(err).toMatchObject({ type: INVALID_SERVICE, nonRetryable: true, message: 'service s: downlinkMbps must be a whole number of Mbit/s from 1, not 0' });
    expect(await log(orderId)).toEqual([]);
  });

  it('createActivities without a network fails provisioning for good', async () => {
    const all = createActivities({ knex, clock: systemClock } as Parameters<typeof createActivities>[0]);
    const err = await failure(all.activateService({ orderId: randomUUID(), service: mobileService() }));
    expect(err).toMatchObject({ type: 'NoNetworkConfigured', nonRetryable: true });
  });

  describe('under Temporal', () => {
    let connection: Connection;
    let workerConnection: NativeConnection;
    let worker: Worker;
    let running: Promise<void>;
    const taskQueue = `provisioning-${randomUUID()}`;

    beforeAll(async () => {
      connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS! });
      workerConnection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS! });
      worker = await Worker.create({
        connection: workerConnection,
        taskQueue,
        workflowsPath: require.resolve('./workflows/provision-service'),
        activities,
      });
      running = worker.run();
    }, 60_000);

    afterAll(async () => {
      worker.shutdown();
      await running;
      await Promise.all([connection.close(), workerConnection.close()]);
    });

    it('retries a timed-out activation to completion, and fails a refused one at once', async () => {
      const client = new Client({ connection });
      const orderId = randomUUID();
      const service = mobileService();
      sim.setFault('HLR', { mode: 'TIMEOUT', count: 2 });
      const result = await client.workflow.execute(provisionService, { taskQueue, workflowId: `provision-${randomUUID()}`, args: [{ orderId, service }] });
      expect(result.commands.map((c) => c.desc)).toEqual(['Subscriber created', 'Data policy set']);
      expect((await log(orderId)).map((e) => e.status)).toEqual(['timeout', 'timeout', 'succeeded', 'succeeded']);

      const refusedOrder = randomUUID();
      const err = await failure(
        client.workflow.execute(provisionService, { taskQueue, workflowId: `provision-${randomUUID()}`, args: [{ orderId: refusedOrder, service: { ...service, msisdn: '+34699999998' } }] }),
      );
      expect(err).toBeInstanceOf(WorkflowFailedError);
      const cause = (err as WorkflowFailedError).cause?.cause;
      expect(cause).toBeInstanceOf(ApplicationFailure);
      expect((cause as ApplicationFailure).type).toBe(PROVISIONING_REJECTED);
      // One attempt only: a refusal is not retried.
      expect((await log(refusedOrder)).map((e) => e.status)).toEqual(['rejected']);
    }, 60_000);
  });
});

describe('GET /api/provisioning-log', () => {
  let api: TestApi;
  const orderId = randomUUID();

  beforeAll(async () => {
    api = await createTestApi();
    for (const [i, serviceId] of ['svc-a', 'svc-b', 'svc-a'].entries()) {
      const id = await insertProvisioningLogEntry(api.knex, { orderId, serviceId, operation: 'activate', element: 'HLR', command: `DISPLAY STATS;`, sentAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)) });
      await completeProvisioningLogEntry(api.knex, id, { status: 'succeeded', command: `DISPLAY STATS: CTAG=${i + 1};`, reply: `RESP: CTAG=${i + 1}, RETCODE=0, DESC="ok";`, retcode: 0, at: new Date(Date.UTC(2026, 0, 1, 0, 0, i, 250)) });
    }
  });

  afterAll(async () => {
    await api.knex('provisioning_log').where({ order_id: orderId }).delete();
    await api.close();
  });

  it('lists an order’s commands oldest first to agents and admins', async () => {
    const res = await request(api.app).get(`/api/provisioning-log?orderId=${orderId}`).set(bearer(await tokenFor('agent')));
    expect(res.status).toBe(200);
    expect(res.headers['x-total-count']).toBe('3');
    expect(res.body.map((e: { command: string }) => e.command)).toEqual(['DISPLAY STATS: CTAG=1;', 'DISPLAY STATS: CTAG=2;', 'DISPLAY STATS: CTAG=3;']);
    expect(res.body[0]).toEqual({
      id: expect.any(String),
      orderId,
      serviceId: 'svc-a',
      operation: 'activate',
      element: 'HLR',
      command: 'DISPLAY STATS: CTAG=1;',
      reply: 'RESP: CTAG=1, RETCODE=0, DESC="ok";',
      retcode: 0,
      status: 'succeeded',
      error: null,
      sentAt: '2026-01-01T00:00:00.000Z',
      answeredAt: '2026-01-01T00:00:00.250Z',
      durationMs: 250,
    });
    const admin = await request(api.app).get(`/api/provisioning-log?orderId=${orderId}&serviceId=svc-a&limit=1&offset=1`).set(bearer(await tokenFor('admin')));
    expect(admin.status).toBe(200);
    expect(admin.headers['x-total-count']).toBe('2');
    expect(admin.body.map((e: { command: string }) => e.command)).toEqual(['DISPLAY STATS: CTAG=3;']);
  });

  it('refuses other roles, missing tokens and bad paging with TMF errors', async () => {
    for (const role of ['customer', 'technician', 'network'] as const) {
      const res = await request(api.app).get(`/api/provisioning-log?orderId=${orderId}`).set(bearer(await tokenFor(role)));
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ code: '403', reason: 'Forbidden' });
    }
    expect((await request(api.app).get('/api/provisioning-log')).status).toBe(401);
    const bad = await request(api.app).get('/api/provisioning-log?limit=0').set(bearer(await tokenFor('admin')));
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: '400', message: 'limit: an integer from 1 to 1000' });
    const twice = await request(api.app).get('/api/provisioning-log?orderId=a&orderId=b').set(bearer(await tokenFor('admin')));
    expect(twice.status).toBe(400);
    expect(twice.body.message).toBe('orderId: give it once, not empty');
  });

  it('is described in the OpenAPI document', async () => {
    const res = await request(api.app).get('/openapi.json').set(bearer(await tokenFor('admin')));
    expect(res.body.paths['/api/provisioning-log'].get.operationId).toBe('listProvisioningLog');
    expect(res.body.components.schemas.ProvisioningLogEntry.required).toContain('command');
  });
});
