/**
 * The OCS bench's Gy load generator in C (bench/gy-load.c, driven by bench/gy-native.ts) against our
 * Gy server with a fake engine: each session is the traffic generator's (CCR-I, three CCR-U, CCR-T),
 * every patched field reaches the engine as it should (session, subscriber, event time moving by the
 * seconds used, units used never more than granted), and a refusal fails the run with its codes.
 * Needs a C compiler, as the freeDiameter test does.
 */
import { nativeGyLoad } from '../bench/gy-native';
import { startGyServer, type GyServer } from '../ocs/diameter/server';
import type { ChargingRequest } from '../ocs/engine/types';
import { FakeEngine, grantAll } from './gy/fake-engine';

const EVENT_TIME = new Date('2026-11-04T11:00:00Z');
const msisdns = Array.from({ length: 8 }, (_, i) => `+3460000000${i}`);

describe('the bench\'s Gy load generator in C', () => {
  let server: GyServer;
  let engine: FakeEngine;
  let load: ReturnType<typeof nativeGyLoad>;

  beforeAll(async () => {
    engine = new FakeEngine();
    server = await startGyServer({ engine, port: 0, host: '127.0.0.1', originHost: 'ocs.test', originRealm: 'bss.local' });
    load = nativeGyLoad({ port: server.port, connections: 2, originHost: 'bench.gy.local', originRealm: 'gy.local', destinationRealm: 'bss.local', msisdns, destination: '+34612345678', eventTime: EVENT_TIME });
  }, 60_000);
  afterAll(async () => {
    load?.close();
    await server?.close();
  });
  beforeEach(() => {
    engine.requests.length = 0;
    engine.respond = grantAll;
  });

  const bySession = () => {
    const sessions = new Map<string, ChargingRequest[]>();
    for (const r of engine.requests) sessions.set(r.sessionId, [...(sessions.get(r.sessionId) ?? []), r]);
    return sessions;
  };
  const at = (seconds: number) => new Date(EVENT_TIME.getTime() + seconds * 1000);

  it('plays each session as the traffic generator does, on subscribers one session at a time, each request answered', async () => {
    const figures = await load.run({ sessions: 20, concurrency: 5 });
    expect(figures.requests).toBe(100);
    expect(figures.p50).toBeGreaterThan(0);
    expect(figures.p99).toBeGreaterThanOrEqual(figures.p50);
    const sessions = bySession();
    expect(sessions.size).toBe(20);
    for (const [id, requests] of sessions) {
      expect(id).toMatch(new RegExp(`^bench\\.gy\\.local;${process.pid};\\d{12}$`));
      const [first] = requests;
      expect(msisdns).toContain(first.subscriber.msisdn);
      expect(requests).toEqual([
        { sessionId: id, requestNumber: 0, type: 'initial', subscriber: first.subscriber, eventTime: at(0), destination: '+34612345678', units: [{ ratingGroup: 100, requested: { quantity: '60' } }] },
        ...[1, 2, 3].map((n) => ({ sessionId: id, requestNumber: n, type: 'update', subscriber: first.subscriber, eventTime: at(60 * n), destination: '+34612345678', units: [{ ratingGroup: 100, requested: { quantity: '60' }, used: { quantity: '60' } }] })),
        { sessionId: id, requestNumber: 4, type: 'termination', subscriber: first.subscriber, eventTime: at(240), destination: '+34612345678', units: [{ ratingGroup: 100, used: { quantity: '60' } }] },
      ]);
    }
    // No subscriber had two sessions at once: the engine saw no two open sessions of one number.
    const open = new Map<string, string>();
    for (const r of engine.requests) {
      const msisdn = r.subscriber.msisdn!;
      if (r.type === 'initial') {
        expect(open.get(msisdn)).toBeUndefined();
        open.set(msisdn, r.sessionId);
      } else if (r.type === 'termination') open.delete(msisdn);
    }
    // The next run goes on numbering its sessions: none is sent twice.
    await load.run({ sessions: 4, concurrency: 4, sessionsPerSecond: 200 });
    expect(bySession().size).toBe(24);
  });

  it('reports what was granted, no more, and moves the event time by it', async () => {
    engine.respond = (r) => ({ ...grantAll(r), units: grantAll(r).units.map((u) => (u.granted ? { ...u, granted: { quantity: '25' } } : u)) });
    await load.run({ sessions: 1, concurrency: 1 });
    const [requests] = [...bySession().values()];
    expect(requests.map((r) => [r.type, r.eventTime, r.units[0].used?.quantity])).toEqual([
      ['initial', at(0), undefined],
      ['update', at(25), '25'],
      ['update', at(50), '25'],
      ['update', at(75), '25'],
      ['termination', at(100), '25'],
    ]);
  });

  it('fails the run on a refused request, with its result codes', async () => {
    engine.respond = (r) => ({ sessionId: r.sessionId, requestNumber: r.requestNumber, resultCode: 4012, units: [{ ratingGroup: 100, resultCode: 4012 }] });
    await expect(load.run({ sessions: 2, concurrency: 2 })).rejects.toThrow(/answered 4012\/4012/);
  });
});
