import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runCtk } from './helpers/ctk';
import { createTestApi, tokenFor, type TestApi } from './helpers/api';

/**
 * The kit orders an item without a productOffering for an Individual "456-dd-df45" that does not
 * exist: the API checks the shape of an order only (api/schemas/tmf622.ts), references are checked
 * by the fulfilment workflow, which runs on a worker this test does not start.
 */
describe('TM Forum TMF622 v4 conformance kit', () => {
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
    const base = `http://127.0.0.1:${port}/tmf-api/productOrderingManagement/v4/`;
    const result = await runCtk('TMF622', 'Product_Ordering', base, await tokenFor('admin'));
    expect(result.failures).toEqual([]);
    expect(result.assertions).toBeGreaterThanOrEqual(40);
  }, 120_000);
});
