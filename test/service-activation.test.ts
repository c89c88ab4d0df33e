/**
 * TMF640 Service Activation and Configuration on the dev server: requests through the API, their
 * workflow on a worker, the network simulator, and what the monitor and the service end up with.
 */
import { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { randomInt, randomUUID } from 'node:crypto';
import request from 'supertest';
import { iccidFor, imsiFor } from '../domain/inventory/sim';
import { NetworkClient } from '../network/client';
import { startNetworkSimulator, type NetworkSimulator } from '../network/simulator';
import { startWorker, type WorkerHandle } from '../worker/main';
import { bearer, createTestApi, tokenFor, type TestApi, testTaskQueue } from './helpers/api';
import { freePort } from './helpers/ports';
import { recordHistory } from './workflows/histories';

const BASE = '/tmf-api/ServiceActivationAndConfiguration/v4';
const SERVICES = `${BASE}/service`;
const MONITORS = `${BASE}/monitor`;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A mobile line nobody else uses: number, IMSI and a Luhn-valid ICCID from one random serial. */
function mobileLine() {
  const serial = randomInt(1, 9_999_999);
  return { msisdn: `+3469${String(serial).padStart(7, '0')}`, imsi: imsiFor('21499', serial), iccid: iccidFor('893499', serial) };
}

const characteristics = (values: Record<string, unknown>) => Object.entries(values).map(([name, value]) => ({ name, value }));

function mobileService(line: ReturnType<typeof mobileLine>, state = 'active', extra: Record<string, unknown> = {}) {
  return {
    name: `Mobile line ${line.msisdn}`,
    state,
    serviceSpecification: { id: 'mobile-voice-data', name: 'Mobile voice and data' },
    serviceCharacteristic: characteristics({ serviceKind: 'mobile', ...line, paymentType: 'prepaid', downlinkMbps: 150, uplinkMbps: '40', ...extra }),
  };
}

/** The monitor's id from the `Link: <href>; rel="monitor"` header of an answer. */
function monitorIdOf(res: request.Response): string {
  const link = String(res.headers.link ?? '');
  const match = /^<([^>]+)\/monitor\/([0-9a-f-]{36})>; rel="monitor"$/.exec(link);
  if (!match) throw new Error(`no monitor link in ${JSON.stringify(res.headers)}`);
  return match[2];
}

describe('TMF640 service activation', () => {
  const taskQueue = testTaskQueue('activation');
  let api: TestApi;
  let knex: Knex;
  let worker: WorkerHandle;
  let network: NetworkSimulator;
  let netops: Record<string, string>;
  let agent: Record<string, string>;
  let admin: Record<string, string>;

  beforeAll(async () => {
    network = await startNetworkSimulator({ port: await freePort() });
    api = await createTestApi(undefined, { taskQueue });
    knex = api.knex;
    worker = await startWorker({ ...process.env, NETWORK_URL: network.url, TEMPORAL_TASK_QUEUE: taskQueue }, { workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE! }, schedules: false });
    netops = bearer(await tokenFor('network'));
    agent = bearer(await tokenFor('agent'));
    admin = bearer(await tokenFor('admin'));
  });

  afterAll(async () => {
    await worker.stop();
    await api.close();
    await network.stop();
  });

  /** Waits for the monitor to end (Completed or InError) and records its workflow's history. */
  async function finished(monitorId: string, history: string, timeoutMs = 60_000): Promise<Json> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { body } = await request(api.app).get(`${MONITORS}/${monitorId}`).set(agent).expect(200);
      if (body.state !== 'InProgress') {
        const handle = new Client({ connection: api.temporal }).workflow.getHandle(`serviceActivation-${monitorId}`);
        await handle.result();
        await recordHistory(`serviceActivation ${history}`, handle);
        return body;
      }
      if (Date.now() > deadline) throw new Error(`monitor ${monitorId} still InProgress`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** The state the monitor was created with (its MonitorCreateEvent, written in the request's transaction). */
  async function createdAs(monitorId: string): Promise<Json> {
    const row = await knex('event_outbox').where({ event_type: 'MonitorCreateEvent' }).whereRaw(`payload #>> '{event,monitor,id}' = ?`, [monitorId]).first();
    return row.payload.event.monitor;
  }

  it('activates a mobile subscriber: HLR and PCRF, the monitor completes with commands and replies, the service becomes active', async () => {
    const line = mobileLine();
    const res = await request(api.app).post(SERVICES).set(netops).send(mobileService(line)).expect(201);
    // The answer is the service as it is now; the network has not acted yet.
    expect(res.body).toMatchObject({ state: 'designed', '@type': 'Service', href: expect.stringContaining(`${SERVICES}/${res.body.id}`) });
    expect(res.headers.location).toBe(res.body.href);
    const monitorId = monitorIdOf(res);
    const created = await createdAs(monitorId);
    expect(created).toMatchObject({ state: 'InProgress', sourceHref: res.body.href, '@type': 'Monitor' });
    expect(created.request).toMatchObject({ method: 'activate', to: 'HLR,PCRF' });
    expect(created.request.body).toBe(
      `HLR activate: CREATE SUBSCRIBER: MSISDN=${line.msisdn}, IMSI=${line.imsi}, ICCID=${line.iccid}, PROFILE=PREPAID, VOICE=YES, SMS=YES, DATA=YES;\n` +
        `PCRF activate: SET DATAPOLICY: IMSI=${line.imsi}, DOWNLINK=150, UPLINK=40;`,
    );

    const monitor = await finished(monitorId, 'activates a mobile subscriber');
    expect(monitor).toMatchObject({ id: monitorId, state: 'Completed', sourceHref: res.body.href, response: { statusCode: '0' } });
    expect(monitor.response.body).toMatch(/HLR activate: CREATE SUBSCRIBER: CTAG=\d+, MSISDN=\+3469\d+.*\nRESP: CTAG=\d+, RETCODE=0/);
    expect(monitor.response.body).toMatch(/PCRF activate: SET DATAPOLICY: CTAG=\d+, IMSI=\d+, DOWNLINK=150, UPLINK=40;\nRESP: CTAG=\d+, RETCODE=0/);

    // The network has the subscriber and its data policy; the log keeps both commands.
    expect(network.subscriber(line.imsi)).toMatchObject({ msisdn: line.msisdn, iccid: line.iccid, profile: 'PREPAID', barring: 'NONE' });
    expect(network.dataPolicy(line.imsi)).toEqual({ imsi: line.imsi, downlinkMbps: 150, uplinkMbps: 40 });
    const log = await knex('provisioning_log').where({ order_id: monitorId }).orderBy('seq');
    expect(log.map((r) => [r.service_id, r.element, r.operation, r.status])).toEqual([
      [res.body.id, 'HLR', 'activate', 'succeeded'],
      [res.body.id, 'PCRF', 'activate', 'succeeded'],
    ]);

    const service = (await request(api.app).get(`${SERVICES}/${res.body.id}`).set(agent).expect(200)).body;
    expect(service).toMatchObject({ state: 'active', hasStarted: true, isServiceEnabled: true, startDate: expect.any(String) });
    // Listeners hear of the service's state change and of the monitor's.
    const events = await knex('event_outbox').whereRaw(`payload #>> '{event,service,id}' = ? or payload #>> '{event,monitor,id}' = ?`, [res.body.id, monitorId]).orderBy('seq');
    expect(events.map((e) => e.event_type)).toEqual(expect.arrayContaining(['ServiceCreateEvent', 'MonitorCreateEvent', 'ServiceStateChangeEvent', 'MonitorStateChangeEvent']));

    // Reads: monitors of a service by sourceHref, fields= keeps id and href.
    const list = await request(api.app).get(MONITORS).query({ sourceHref: res.body.href, fields: 'state' }).set(netops).expect(200);
    expect(list.headers['x-total-count']).toBe('1');
    expect(list.body).toEqual([{ id: monitorId, href: monitor.href, state: 'Completed' }]);
  });

  it('fails the monitor with the reason when the network refuses, and leaves the service as it was', async () => {
    const line = mobileLine();
    const other = mobileLine();
    // Another subscriber already has this number on the HLR: the create is refused, not retried.
    const client = NetworkClient.fromUrl(network.url);
    await client.send({ verb: 'CREATE', object: 'SUBSCRIBER', params: { MSISDN: line.msisdn, IMSI: other.imsi, ICCID: other.iccid, PROFILE: 'POSTPAID', VOICE: 'YES', SMS: 'YES', DATA: 'YES' } });
    await client.close();

    const res = await request(api.app).post(SERVICES).set(agent).send(mobileService(line)).expect(201);
    const monitor = await finished(monitorIdOf(res), 'fails the monitor when the network refuses');
    expect(monitor.state).toBe('InError');
    expect(monitor.response.statusCode).toBe('1003');
    expect(monitor.response.body).toMatch(new RegExp(`^HLR refused CREATE SUBSCRIBER: CTAG=\\d+, MSISDN=\\${line.msisdn}.* with RESP: CTAG=\\d+, RETCODE=1003, DESC="MSISDN=\\${line.msisdn} belongs to subscriber IMSI=${other.imsi}";`));

    const service = (await request(api.app).get(`${SERVICES}/${res.body.id}`).set(agent).expect(200)).body;
    expect(service.state).toBe('designed');
    expect(service.hasStarted).toBeUndefined();
    // Nothing of ours is left in the network; the other subscriber is untouched.
    expect(network.subscriber(line.imsi)).toBeUndefined();
    expect(network.dataPolicy(line.imsi)).toBeUndefined();
    expect(network.subscriber(other.imsi)).toMatchObject({ msisdn: line.msisdn, barring: 'NONE' });
    const log = await knex('provisioning_log').where({ order_id: monitor.id }).orderBy('seq');
    expect(log.map((r) => [r.element, r.operation, r.status])).toEqual([
      ['HLR', 'activate', 'rejected'],
      ['PCRF', 'deactivate', 'succeeded'],
      ['HLR', 'deactivate', 'succeeded'],
    ]);
  });

  it('suspends and restores a line, refuses a second request while one is in progress, and terminates it', async () => {
    const line = mobileLine();
    const created = await request(api.app).post(SERVICES).set(netops).send(mobileService(line)).expect(201);
    const id = created.body.id as string;
    await finished(monitorIdOf(created), 'activates a line before suspending it');

    // Suspension: the answer is the service still active, with its monitor.
    const suspend = await request(api.app).patch(`${SERVICES}/${id}`).set(agent).send({ state: 'inactive', description: 'unpaid bill' }).expect(200);
    expect(suspend.body).toMatchObject({ state: 'active', description: 'unpaid bill' });
    const suspended = await finished(monitorIdOf(suspend), 'suspends a line');
    expect(suspended).toMatchObject({ state: 'Completed', request: { method: 'suspend', to: 'HLR' } });
    expect(suspended.response.body).toMatch(/^HLR suspend: SUSPEND SUBSCRIBER: CTAG=\d+, IMSI=\d+;\nRESP: CTAG=\d+, RETCODE=0/);
    expect(network.subscriber(line.imsi)?.barring).toBe('OUTGOING');
    expect((await request(api.app).get(`${SERVICES}/${id}`).set(agent).expect(200)).body).toMatchObject({ state: 'inactive', isServiceEnabled: false });

    // Restoration, slowed down on the HLR: a second change of state meanwhile is a conflict.
    network.setFault('HLR', { mode: 'SLOW', delayMs: 3000, count: 1 });
    const restore = await request(api.app).patch(`${SERVICES}/${id}`).set(netops).send({ state: 'active' }).expect(200);
    expect(restore.body.state).toBe('inactive');
    const busy = await request(api.app).patch(`${SERVICES}/${id}`).set(netops).send({ state: 'terminated' }).expect(409);
    expect(busy.body).toMatchObject({ code: '409', status: '409', message: expect.stringContaining('in progress') });
    await request(api.app).delete(`${SERVICES}/${id}`).set(admin).expect(409);
    const restored = await finished(monitorIdOf(restore), 'restores a line');
    expect(restored).toMatchObject({ state: 'Completed', request: { method: 'restore' } });
    expect(network.subscriber(line.imsi)?.barring).toBe('NONE');
    expect((await request(api.app).get(`${SERVICES}/${id}`).set(agent).expect(200)).body).toMatchObject({ state: 'active', isServiceEnabled: true });

    // Termination takes the subscriber and its data policy away.
    const terminate = await request(api.app).patch(`${SERVICES}/${id}`).set(netops).send({ state: 'terminated' }).expect(200);
    const terminated = await finished(monitorIdOf(terminate), 'terminates a line');
    expect(terminated).toMatchObject({ state: 'Completed', request: { method: 'deactivate', to: 'PCRF,HLR' } });
    expect(network.subscriber(line.imsi)).toBeUndefined();
    expect(network.dataPolicy(line.imsi)).toBeUndefined();
    expect((await request(api.app).get(`${SERVICES}/${id}`).set(agent).expect(200)).body).toMatchObject({ state: 'terminated', endDate: expect.any(String) });
    // A terminated service is final.
    const again = await request(api.app).patch(`${SERVICES}/${id}`).set(netops).send({ state: 'active' }).expect(409);
    expect(again.body.message).toContain('terminated is final');
  });

  it('provisions a line barred from the start when a new service asks for inactive', async () => {
    const line = mobileLine();
    const res = await request(api.app).post(SERVICES).set(netops).send(mobileService(line, 'inactive', { data: 'false' })).expect(201);
    const monitor = await finished(monitorIdOf(res), 'provisions a line barred from the start');
    expect(monitor).toMatchObject({ state: 'Completed', request: { method: 'activate+suspend', to: 'HLR' } });
    expect(network.subscriber(line.imsi)).toMatchObject({ barring: 'OUTGOING', data: false });
    expect(network.dataPolicy(line.imsi)).toBeUndefined();
    expect((await request(api.app).get(`${SERVICES}/${res.body.id}`).set(agent).expect(200)).body.state).toBe('inactive');
  });

  it('activates an FTTH port for the service the network knows (networkServiceId)', async () => {
    const node = `OLT-T${randomInt(1000, 9999)}`;
    const res = await request(api.app)
      .post(SERVICES)
      .set(netops)
      .send({
        state: 'active',
        serviceSpecification: { id: 'ftth-1g' },
        serviceCharacteristic: characteristics({ serviceKind: 'ftth', networkServiceId: 'tmf638-service-1', accessNode: node, port: '1/1/7', downlinkMbps: '1000', uplinkMbps: 500 }),
      })
      .expect(201);
    const monitor = await finished(monitorIdOf(res), 'activates an FTTH port');
    expect(monitor).toMatchObject({ state: 'Completed', request: { method: 'activate', to: 'OLT' } });
    expect(network.accessPort(node, '1/1/7')).toEqual({ node, port: '1/1/7', downlinkMbps: 1000, uplinkMbps: 500, service: 'tmf638-service-1', adminState: 'UP' });
  });

  it('stores a service that asks for no network state without a request', async () => {
    const res = await request(api.app).post(SERVICES).set(agent).send({ state: 'reserved', serviceSpecification: { id: 'ftth-1g' } }).expect(201);
    expect(res.body.state).toBe('reserved');
    expect(res.headers.link).toBeUndefined();
    const monitors = await request(api.app).get(MONITORS).query({ sourceHref: res.body.href }).set(agent).expect(200);
    expect(monitors.body).toEqual([]);
    await request(api.app).delete(`${SERVICES}/${res.body.id}`).set(agent).expect(403);
    await request(api.app).delete(`${SERVICES}/${res.body.id}`).set(admin).expect(204);
    await request(api.app).get(`${SERVICES}/${res.body.id}`).set(agent).expect(404);
  });

  it('answers 400 naming each bad field, and stores nothing', async () => {
    // Only what these requests would have written is counted: other test files activate services
    // in the same tables meanwhile. The one service stored here is told by its description.
    const description = `before ${randomUUID()}`;
    const ours = () =>
      knex('activation_service')
        .whereRaw(`body->'serviceSpecification'->>'id' = 'x' or body->>'state' = 'running' or body::text like '%8934010000000000002%' or body->>'description' in (?, 'after')`, [description])
        .select('id');
    const monitorsOf = async (services: Array<{ id: string }>) =>
      knex('activation_monitor')
        .whereRaw('source_href like any (?)', [services.map((s) => `%/${s.id}`)])
        .count<Array<{ n: string }>>({ n: '*' });
    const before = await ours();

    const bad = await request(api.app)
      .post(SERVICES)
      .set(netops)
      .send({
        state: 'active',
        serviceSpecification: { id: 'mobile' },
        serviceCharacteristic: characteristics({ serviceKind: 'mobile', imsi: '2140100', iccid: '8934010000000000002', paymentType: 'monthly', voice: 'maybe', downlinkMbps: 0 }),
      })
      .expect(400);
    expect(bad.body).toMatchObject({ code: '400', reason: 'Bad Request', status: '400' });
    for (const field of ['msisdn', 'imsi', 'iccid', 'paymentType', 'voice', 'downlinkMbps']) expect(bad.body.message).toContain(`serviceCharacteristic.${field}:`);
    expect(bad.body.message).toContain('serviceCharacteristic.msisdn: required for a mobile service');

    const noKind = await request(api.app).post(SERVICES).set(netops).send({ state: 'active', serviceSpecification: { id: 'x' } }).expect(400);
    expect(noKind.body.message).toContain('serviceCharacteristic.serviceKind:');

    const ftth = await request(api.app)
      .post(SERVICES)
      .set(netops)
      .send({ state: 'active', serviceSpecification: { id: 'x' }, serviceCharacteristic: characteristics({ serviceKind: 'ftth', accessNode: 'OLT MAD', port: '1-1-7', downlinkMbps: 1000 }) })
      .expect(400);
    expect(ftth.body.message).toBe(
      'serviceCharacteristic.accessNode: an access node name, e.g. OLT-MAD-01; serviceCharacteristic.port: frame/slot/port, e.g. 1/1/7; serviceCharacteristic.uplinkMbps: required for a ftth service',
    );

    const shape = await request(api.app).post(SERVICES).set(netops).send({ state: 'running' }).expect(400);
    expect(shape.body.message).toContain('state:');
    expect(shape.body.message).toContain('serviceSpecification:');

    // A change that asks for a network state is checked the same way, and changes nothing.
    const stored = await request(api.app).post(SERVICES).set(agent).send({ state: 'designed', serviceSpecification: { id: 'mobile' }, description }).expect(201);
    const patch = await request(api.app).patch(`${SERVICES}/${stored.body.id}`).set(agent).send({ state: 'active', description: 'after', serviceCharacteristic: characteristics({ serviceKind: 'content', entitlement: 'video premium' }) }).expect(400);
    expect(patch.body.message).toBe(
      'serviceCharacteristic.subscriberId: required for a content service; serviceCharacteristic.entitlement: upper-case letters, digits, _ and -, e.g. VIDEO-PREMIUM',
    );
    expect((await request(api.app).get(`${SERVICES}/${stored.body.id}`).set(agent).expect(200)).body).toMatchObject({ state: 'designed', description });

    const after = await ours();
    expect(after.map((s) => s.id).sort()).toEqual([...before.map((s) => s.id), stored.body.id].sort());
    expect(Number((await monitorsOf(after))[0].n)).toBe(0);
  });

  it('is described in the OpenAPI document: the monitor link, and monitors read only', async () => {
    const doc = (await request(api.app).get('/openapi.json').set(agent).expect(200)).body;
    expect(doc.paths[SERVICES].post.responses['201'].headers).toHaveProperty('Link');
    expect(doc.paths[`${SERVICES}/{id}`].patch.responses['200'].headers).toHaveProperty('Link');
    expect(Object.keys(doc.paths[MONITORS])).toEqual(['get']);
    expect(Object.keys(doc.paths[`${MONITORS}/{id}`])).toEqual(['get']);
    expect(doc.components.schemas.Monitor.properties.state.enum).toEqual(['InProgress', 'Completed', 'InError']);
  });

  it('refuses customers and writes to monitors', async () => {
    const customer = bearer(await tokenFor('customer', { customerId: 'cust-activation' }));
    const technician = bearer(await tokenFor('technician'));
    const line = mobileLine();
    for (const who of [customer, technician]) {
      const post = await request(api.app).post(SERVICES).set(who).send(mobileService(line)).expect(403);
      expect(post.body).toMatchObject({ code: '403', reason: 'Forbidden' });
      await request(api.app).get(SERVICES).set(who).expect(403);
      await request(api.app).get(MONITORS).set(who).expect(403);
    }
    expect(network.subscriber(line.imsi)).toBeUndefined();
    expect(await knex('activation_service').whereRaw(`body ->> 'name' = ?`, [`Mobile line ${line.msisdn}`])).toHaveLength(0);

    const post = await request(api.app).post(MONITORS).set(admin).send({ sourceHref: 'x', state: 'Completed' }).expect(405);
    expect(post.headers.allow).toBe('GET');
    expect(post.body).toMatchObject({ code: '405' });
    await request(api.app).delete(`${MONITORS}/00000000-0000-4000-8000-000000000000`).set(admin).expect(405);
    await request(api.app).get(`${MONITORS}/00000000-0000-4000-8000-000000000000`).set(admin).expect(404);
  });
});
