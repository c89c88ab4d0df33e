/**
 * The traffic generator's Gy driver against our Gy server with a fake engine: the exact requests
 * of a voice call, a data session and an SMS; early ends on final units and refusals; a whole run
 * summed up; the `npm run traffic` command line.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { startGyServer, type GyServer } from '../ocs/diameter/server';
import type { ChargingRequest } from '../ocs/engine/types';
import { gyDriver } from '../network/gy-driver';
import type { ChargingDriver, SessionPlan } from '../network/charging-traffic';
import { numbersFrom, parseMix, planSession, runTraffic } from '../network/traffic-generator';
import { FakeEngine, grantAll } from './gy/fake-engine';

const start = new Date('2026-03-02T09:00:00Z');
const plan = (p: Partial<SessionPlan>): SessionPlan => ({
  sessionId: 's;1',
  subscriber: { msisdn: '34600000007' },
  service: 'voice',
  destination: '+34911234567',
  startTime: start,
  updates: 3,
  requested: 60n,
  usedPerStep: 45n,
  ...p,
});
const at = (seconds: number) => new Date(start.getTime() + seconds * 1000);

describe('traffic generator over Gy', () => {
  let server: GyServer;
  let engine: FakeEngine;
  let driver: ChargingDriver;

  beforeAll(async () => {
    engine = new FakeEngine();
    server = await startGyServer({ engine, port: 0, host: '127.0.0.1', originHost: 'ocs.test', originRealm: 'test' });
    driver = gyDriver({ host: '127.0.0.1', port: server.port, connections: 2 });
  });
  afterAll(async () => {
    await driver.close();
    await server.close();
  });
  beforeEach(() => {
    engine.requests.length = 0;
    engine.respond = grantAll;
  });

  it('plays a voice call as CCR-I, three CCR-U and CCR-T with the time moving by the seconds used', async () => {
    const result = await driver.runSession(plan({ sessionId: 'voice;1' }));
    const common = { sessionId: 'voice;1', subscriber: { msisdn: '+34600000007' }, destination: '+34911234567' };
    expect(engine.requests).toEqual<ChargingRequest[]>([
      { ...common, requestNumber: 0, type: 'initial', eventTime: at(0), units: [{ ratingGroup: 100, requested: { quantity: '60' } }] },
      { ...common, requestNumber: 1, type: 'update', eventTime: at(45), units: [{ ratingGroup: 100, requested: { quantity: '60' }, used: { quantity: '45' } }] },
      { ...common, requestNumber: 2, type: 'update', eventTime: at(90), units: [{ ratingGroup: 100, requested: { quantity: '60' }, used: { quantity: '45' } }] },
      { ...common, requestNumber: 3, type: 'update', eventTime: at(135), units: [{ ratingGroup: 100, requested: { quantity: '60' }, used: { quantity: '45' } }] },
      { ...common, requestNumber: 4, type: 'termination', eventTime: at(180), units: [{ ratingGroup: 100, used: { quantity: '45' } }] },
    ]);
    expect(result.requests.map((r) => [r.type, r.resultCode, r.granted])).toEqual([
      ['initial', 2001, 60n],
      ['update', 2001, 60n],
      ['update', 2001, 60n],
      ['update', 2001, 60n],
      ['termination', 2001, undefined],
    ]);
  });

  it('plays a data session in octets (64-bit) and an SMS as one event', async () => {
    await driver.runSession(plan({ sessionId: 'data;1', service: 'data', destination: undefined, updates: 1, requested: 6_000_000_000n, usedPerStep: 5_000_000_000n }));
    await driver.runSession(plan({ sessionId: 'sms;1', service: 'sms', requested: 1n, usedPerStep: 1n }));
    expect(engine.requests.map((r) => [r.sessionId, r.type, r.eventTime, r.units])).toEqual([
      ['data;1', 'initial', at(0), [{ ratingGroup: 300, requested: { quantity: '6000000000' } }]],
      ['data;1', 'update', at(60), [{ ratingGroup: 300, requested: { quantity: '6000000000' }, used: { quantity: '5000000000' } }]],
      ['data;1', 'termination', at(120), [{ ratingGroup: 300, used: { quantity: '5000000000' } }]],
      ['sms;1', 'event', at(0), [{ ratingGroup: 200, requested: { quantity: '1' } }]],
    ]);
    expect(engine.requests[3].destination).toBe('+34911234567');
  });

  it('goes to the termination after a final-unit grant, reporting no more than was granted', async () => {
    engine.respond = (r) => ({ ...grantAll(r), units: r.units.map((u) => ({ ratingGroup: u.ratingGroup, resultCode: 2001, ...(r.type === 'initial' ? { granted: { quantity: '30' }, finalUnit: true } : {}) })) });
    await driver.runSession(plan({ sessionId: 'voice;2' }));
    expect(engine.requests.map((r) => [r.type, r.units])).toEqual([
      ['initial', [{ ratingGroup: 100, requested: { quantity: '60' } }]],
      ['termination', [{ ratingGroup: 100, used: { quantity: '30' } }]],
    ]);
  });

  it('ends a session whose initial request is refused', async () => {
    engine.respond = (r) => ({ sessionId: r.sessionId, requestNumber: r.requestNumber, resultCode: 4012, units: [{ ratingGroup: 100, resultCode: 4012 }] });
    const result = await driver.runSession(plan({ sessionId: 'voice;3' }));
    expect(result.requests.map((r) => [r.type, r.resultCode, r.unitResultCode])).toEqual([['initial', 4012, 4012]]);
    expect(engine.requests).toHaveLength(1);
  });

  it('answers a RAR 2002 for a session it is playing and 5002 for one that has ended', async () => {
    // The first update's answer is held, so the call is still being played when it is asked.
    const release = engine.hold((r) => r.type === 'update');
    const playing = driver.runSession(plan({ sessionId: 'voice;5' }));
    while (engine.requests.length < 2) await new Promise((r) => setTimeout(r, 5));
    // Its subscriber barred meanwhile: every open session of it is asked.
    expect(await server.reauthorize(['voice;5'], 'barred')).toEqual([{ sessionId: 'voice;5', answer: 2002 }]);
    release();
    expect((await playing).requests).toHaveLength(5);
    // Its rating group refused for credit: the session ends here at once, while the OCS keeps it as waiting for credit.
    engine.respond = (r) => ({ sessionId: r.sessionId, requestNumber: r.requestNumber, resultCode: 2001, units: [{ ratingGroup: 100, resultCode: 4012 }] });
    await driver.runSession(plan({ sessionId: 'voice;6' }));
    expect(await server.reauthorize(['voice;6'], 'credit')).toEqual([{ sessionId: 'voice;6', answer: 5002 }]);
  });

  it('spreads a run over the services by the mix and sums it up', async () => {
    const options = { sessions: 100, concurrency: 16, mix: parseMix('voice=50,data=30,sms=20'), msisdns: numbersFrom(34600000000n, 40), updates: 3, startTime: start, runId: 'run1' };
    const services = Array.from({ length: 100 }, (_, i) => planSession(i, options).service);
    expect(['voice', 'data', 'sms'].map((s) => services.filter((x) => x === s).length)).toEqual([50, 30, 20]);
    expect(planSession(41, options).subscriber).toEqual({ msisdn: '34600000001' });
    const { summary, results } = await runTraffic(driver, options);
    expect(summary).toMatchObject({ sessions: 100, requests: 80 * 5 + 20, failedSessions: 0, resultCodes: { 2001: 420 } });
    expect(engine.requests).toHaveLength(420);
    expect(new Set(results.map((r) => r.sessionId)).size).toBe(100);
    expect(summary.p99Ms).toBeGreaterThanOrEqual(summary.p50Ms);
  });

  it('runs from the command line and prints its summary', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', path.join(__dirname, '..', 'network', 'traffic-generator.ts'), '--protocol', 'gy', '--port', String(server.port), '--sessions', '10', '--concurrency', '3', '--mix', 'voice=1,sms=1', '--updates', '1', '--run-id', 'cli'],
      { cwd: path.join(__dirname, '..') },
    );
    expect(JSON.parse(stdout)).toMatchObject({ protocol: 'gy', sessions: 10, requests: 5 * 3 + 5, failedSessions: 0, resultCodes: { 2001: 20 } });
  });

  it('rejects a malformed mix', () => {
    expect(() => parseMix('voice=50,fax=1')).toThrow('bad mix entry "fax=1"');
  });
});
