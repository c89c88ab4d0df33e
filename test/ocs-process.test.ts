/** The OCS process as `npm run ocs` starts it: configuration from the environment, Nchf, metrics and health up, clean stop. */
import http2 from 'node:http2';
import { loadOcsConfig } from '../ocs/config';
import { startOcs } from '../ocs/main';
import { testOcsEnv } from './helpers/ocs-process';

describe('OCS process', () => {
  it('reads its configuration from the environment, with defaults', () => {
    const config = loadOcsConfig({ DATABASE_URL: 'postgres://x/y', OCS_QUOTA_VOICE: '120', OCS_VALIDITY_TIME: '30' });
    expect(config.nchf).toEqual({ port: 8090, host: '0.0.0.0', publicUrl: undefined });
    expect(config.gy).toEqual({ port: 3868, host: '0.0.0.0', originHost: 'ocs.bss.local', originRealm: 'bss.local' });
    expect(config.metrics).toEqual({ port: 9464, host: '0.0.0.0' });
    expect(config.engine.defaultQuota).toEqual({ voice: '120', data: '10485760', sms: '1' });
    expect(config.engine.validityTime).toBe(30);
    expect(() => loadOcsConfig({ OCS_NCHF_PORT: 'eighty' })).toThrow(/DATABASE_URL.*OCS_NCHF_PORT|OCS_NCHF_PORT.*DATABASE_URL/);
  });

  it('serves Nchf over HTTP/2, and its metrics and health over HTTP, until stopped', async () => {
    const ocs = await startOcs(testOcsEnv());
    expect(ocs.gyPort).toBeGreaterThan(0);
    const client = http2.connect(`http://127.0.0.1:${ocs.nchfPort}`);
    try {
      const status = await new Promise<number>((resolve, reject) => {
        const stream = client.request({ ':method': 'POST', ':path': '/nchf-convergedcharging/v3/chargingdata/unknown/release', 'content-type': 'application/json' });
        let code = 0;
        stream.on('response', (h) => (code = Number(h[':status'])));
        stream.on('error', reject);
        stream.on('end', () => resolve(code));
        stream.resume();
        stream.end(JSON.stringify({ subscriberIdentifier: 'msisdn-34600000001', nfConsumerIdentification: {}, invocationTimeStamp: '2026-11-04T11:00:00Z', invocationSequenceNumber: 1 }));
      });
      expect(status).toBe(404);
      // The release of an unknown session: answered 5002 by the engine after one read, nothing written.
      const metrics = await (await fetch(`http://127.0.0.1:${ocs.metricsPort}/metrics`)).text();
      expect(metrics).toContain('ocs_charge_requests_total{type="termination",result_code="5002"} 1');
      expect(metrics).toContain('ocs_charge_duration_seconds_count{type="termination"} 1');
      expect(metrics).toMatch(/ocs_batch_statement_duration_seconds_count\{statement="read"\} [1-9]/);
      expect(metrics).toContain('ocs_state_requests_total{source="read"} 1');
      expect(metrics).toContain('process_cpu_seconds_total');
      expect((await fetch(`http://127.0.0.1:${ocs.metricsPort}/other`)).status).toBe(404);
      // Its health: serving, and PostgreSQL answers.
      const health = await fetch(`http://127.0.0.1:${ocs.metricsPort}/health`);
      expect([health.status, await health.json()]).toEqual([200, { status: 'up', checks: { postgres: { status: 'up' } } }]);
    } finally {
      client.close();
      await ocs.stop();
    }
  });
});
