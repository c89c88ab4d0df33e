/**
 * Runs a vendored TM Forum conformance kit (test/ctk/TMFxxx, copied unmodified) with newman
 * against a listening server, adding the bearer token to every request as the shared runner does.
 */
import fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createTestApi, tokenFor, type TestApi } from './api';

interface PostmanItem {
  item?: PostmanItem[];
  request?: { header?: Array<{ key: string; value: string }> } | string;
}

export interface CtkResult {
  assertions: number;
  failures: string[];
}

function withBearer(items: PostmanItem[] | undefined, token: string): void {
  for (const it of items ?? []) {
    withBearer(it.item, token);
    if (it.request && typeof it.request === 'object') {
      const headers = (it.request.header ?? []).filter((h) => h.key.toLowerCase() !== 'authorization');
      headers.push({ key: 'Authorization', value: `Bearer ${token}` });
      it.request.header = headers;
    }
  }
}

/** Runs the kit in test/ctk/<kit>; `envVar` is the collection's base URL variable. */
export async function runCtk(kit: string, envVar: string, baseUrl: string, token: string): Promise<CtkResult> {
  // newman is a test-only dependency; loaded lazily so unit tests never pay for it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const newman = require('newman') as typeof import('newman');
  const dir = path.join(__dirname, '..', 'ctk', kit);
  // Kits name their collection `*.postman_collection.json` or `*.testkit.json`.
  const file = fs.readdirSync(dir).find((f) => /(collection|testkit)\.json$/.test(f) && !/environment/.test(f));
  if (!file) throw new Error(`no collection in ${dir}`);
  const collection = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as { item: PostmanItem[] };
  withBearer(collection.item, token);
  return new Promise((resolve, reject) => {
    newman.run(
      { collection: collection as never, envVar: [{ key: envVar, value: baseUrl }], reporters: [], timeoutRequest: 30000 },
      (err, summary) => {
        if (err) return reject(err);
        const failures = summary.run.failures.map(
          (f) => `${(f.source as { name?: string } | undefined)?.name ?? '?'}: ${f.error?.name} ${f.error?.message}`,
        );
        resolve({ assertions: summary.run.stats.assertions.total ?? 0, failures });
      },
    );
  });
}

/**
 * The jest suite of one kit: the API on the kit's own database, listening on a free port, the kit
 * run against `/tmf-api/<apiName>/v4/` with an admin token, no failure allowed, and at least
 * `minAssertions` assertions made (so that a kit that stopped early cannot pass).
 */
export function describeConformanceKit(kit: { name: string; envVar: string; apiName: string; minAssertions: number }): void {
  describe(`TM Forum ${kit.name} v4 conformance kit`, () => {
    let api: TestApi;
    let server: Server;

    beforeAll(async () => {
      api = await createTestApi(undefined, { databaseUrl: process.env.CTK_DATABASE_URL });
      server = api.app.listen(0, '127.0.0.1');
      await new Promise((resolve) => server.once('listening', resolve));
    });

    afterAll(async () => {
      await new Promise((resolve) => server.close(resolve));
      await api.close();
    });

    it('passes every assertion of the kit', async () => {
      const { port } = server.address() as AddressInfo;
      const result = await runCtk(kit.name, kit.envVar, `http://127.0.0.1:${port}/tmf-api/${kit.apiName}/v4/`, await tokenFor('admin'));
      expect(result.failures).toEqual([]);
      expect(result.assertions).toBeGreaterThanOrEqual(kit.minAssertions);
    }, 120_000);
  });
}
