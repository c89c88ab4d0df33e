/**
 * Operations endpoints: `/health` (up against the run's servers, 503 within the check timeout when
 * they cannot be reached), request ids, and the Prometheus metrics.
 */
import { randomUUID } from 'node:crypto';
import { Connection } from '@temporalio/client';
import request from 'supertest';
import { createApp } from '../api/app';
import { createKnex } from '../db/knex';
import { systemClock } from '../domain/clock';
import { bearer, createTestApi, testAppDeps, tokenFor, type TestApi } from './helpers/api';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const OFFERING = '/tmf-api/productCatalogManagement/v4/productOffering';
const SEEDED_OFFERING_ID = '0ffe0000-0000-4000-8000-000000000001';

describe('operations endpoints', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await createTestApi();
  });

  afterAll(async () => {
    await api.close();
  });

  describe('GET /health', () => {
    it('answers 200 when PostgreSQL and Temporal both answer', async () => {
      const res = await request(api.app).get('/health');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'up', checks: { postgres: { status: 'up' }, temporal: { status: 'up' } } });
    });

    describe('when neither server can be reached', () => {
      // The probe connection has no retry interceptor (as in api/main.ts): closing it right after
      // a failed check must not leave a retry behind that throws on the closed channel.
      const unreachable = {
        knex: createKnex('postgres://x:y@127.0.0.1:1/db'),
        temporal: Connection.lazy({ address: '127.0.0.1:1' }),
        temporalProbe: Connection.lazy({ address: '127.0.0.1:1', interceptors: [] }),
      };

      afterAll(async () => {
        await Promise.all([unreachable.knex.destroy(), unreachable.temporal.close(), unreachable.temporalProbe.close()]);
        // Long enough for a background retry (up to ~4 s) to have thrown, had there been one.
        await new Promise((resolve) => setTimeout(resolve, 4500));
      });

      it('answers 503 naming both as down', async () => {
        const app = createApp({ ...testAppDeps(), ...unreachable, clock: systemClock });
        // knex reports the refused connection on console.log; that is expected here.
        const knexLog = jest.spyOn(console, 'log').mockImplementation(() => undefined);
        const res = await Promise.resolve(request(app).get('/health')).finally(() => knexLog.mockRestore());

        expect(res.status).toBe(503);
        expect(res.body).toEqual({
          status: 'down',
          checks: {
            postgres: { status: 'down', error: expect.any(String) },
            temporal: { status: 'down', error: expect.any(String) },
          },
        });
      });
    });
  });

  describe('X-Request-Id', () => {
    it('echoes the id the client sent', async () => {
      const id = `client-${randomUUID()}`;
      const res = await request(api.app).get('/health').set('X-Request-Id', id);
      expect(res.headers['x-request-id']).toBe(id);
    });

    it('generates a uuid when the client sent none', async () => {
      const res = await request(api.app).get('/health');
      expect(res.headers['x-request-id']).toMatch(UUID);
    });

    it('replaces an id that is not a safe token with a uuid', async () => {
      const res = await request(api.app).get('/health').set('X-Request-Id', 'a b "quoted" <script>');
      expect(res.headers['x-request-id']).toMatch(UUID);
    });

    it('is sent on error responses too', async () => {
      const res = await request(api.app).get(OFFERING).set('X-Request-Id', 'req-401');
      expect(res.status).toBe(401);
      expect(res.headers['x-request-id']).toBe('req-401');
    });
  });

  describe('GET /metrics', () => {
    it('reports request durations by route template, and the process metrics', async () => {
      const read = await request(api.app).get(`${OFFERING}/${SEEDED_OFFERING_ID}`).set(bearer(await tokenFor('agent')));
      expect(read.status).toBe(200);

      const res = await request(api.app).get('/metrics').set(bearer(await tokenFor('admin')));
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      const lines = res.text.split('\n');
      const byIdBuckets = lines.filter(
        (l) =>
          l.startsWith('http_request_duration_seconds_bucket{') &&
          l.includes(`route="${OFFERING}/:id"`) &&
          l.includes('method="GET"') &&
          l.includes('status_code="200"'),
      );
      expect(byIdBuckets.length).toBeGreaterThan(0);
      // The raw path with the id never becomes a label value.
      expect(res.text).not.toContain(SEEDED_OFFERING_ID);
      expect(lines.some((l) => l.startsWith('process_cpu_user_seconds_total'))).toBe(true);
    });
  });
});
