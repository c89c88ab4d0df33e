import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runCtk } from './helpers/ctk';
import { createTestApi, tokenFor, type TestApi } from './helpers/api';

describe('TM Forum TMF639 v4 conformance kit', () => {
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
    // The kit's environment names the base URL `Resource_Inventory`, with a trailing slash.
    const base = `http://127.0.0.1:${port}/tmf-api/resourceInventoryManagement/v4/`;
    const result = await runCtk('TMF639', 'Resource_Inventory', base, await tokenFor('admin'));
    expect(result.failures).toEqual([]);
    expect(result.assertions).toBeGreaterThanOrEqual(40);
  }, 120_000);
});
