/** The OCS's health, as a load balancer reads it on the metrics port. */
import { Registry } from 'prom-client';
import { ocsHealth } from './health';
import { startMetricsServer } from './metrics';

const answering = { query: () => Promise.resolve({ rows: [{ '?column?': 1 }] }) } as never;
const failing = { query: () => Promise.reject(new Error('connection refused')) } as never;
const hanging = { query: () => new Promise(() => undefined) } as never;

describe('OCS health', () => {
  it('is up while PostgreSQL answers, down naming why when it fails or keeps silent, stopping once a stop begins', async () => {
    expect(await ocsHealth(answering, () => false)).toEqual({ status: 'up', checks: { postgres: { status: 'up' } } });
    expect(await ocsHealth(failing, () => false)).toEqual({ status: 'down', checks: { postgres: { status: 'down', error: 'connection refused' } } });
    expect(await ocsHealth(hanging, () => false, 50)).toEqual({ status: 'down', checks: { postgres: { status: 'down', error: 'no answer within 50 ms' } } });
    expect(await ocsHealth(answering, () => true)).toEqual({ status: 'stopping', checks: { postgres: { status: 'up' } } });
  });

  it('is served as GET /health on the metrics port: 200 when up, 503 otherwise', async () => {
    let stopping = false;
    const server = await startMetricsServer(new Registry(), 0, '127.0.0.1', () => ocsHealth(answering, () => stopping));
    try {
      const up = await fetch(`http://127.0.0.1:${server.port}/health`);
      expect([up.status, await up.json()]).toEqual([200, { status: 'up', checks: { postgres: { status: 'up' } } }]);
      stopping = true;
      const draining = await fetch(`http://127.0.0.1:${server.port}/health`);
      expect([draining.status, ((await draining.json()) as { status: string }).status]).toEqual([503, 'stopping']);
      expect((await fetch(`http://127.0.0.1:${server.port}/metrics`)).status).toBe(200);
    } finally {
      await server.stop();
    }
  });
});
