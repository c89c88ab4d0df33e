/**
 * The traffic generator's `--subscribers-from`: the active prepaid lines of a running BSS, read
 * page by page from its TMF654 API over HTTP, so that the generated calls are of subscribers the
 * OCS knows; a token that may not read them fails with the API's answer.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetchPrepaidMsisdns } from '../network/prepaid-lines';
import { numbersFrom, planSession } from '../network/traffic-generator';
import { createTestApi, tokenFor, type TestApi } from './helpers/api';
import { createPrepaidAccount } from './helpers/charging';

describe('the traffic generator\'s subscribers from a running BSS', () => {
  let api: TestApi;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    api = await createTestApi();
    server = api.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await api?.close();
  });

  it('reads the active prepaid lines, a shared account\'s every line, and not a closed one', async () => {
    const [single] = await createPrepaidAccount(api.knex, { buckets: [{ type: 'money', amount: '5.00' }] });
    const family = await createPrepaidAccount(api.knex, { buckets: [{ type: 'money', amount: '5.00' }, { type: 'data', amount: '1000000' }], lines: 2 });
    const [closed] = await createPrepaidAccount(api.knex, { buckets: [{ type: 'money', amount: '5.00' }] });
    await api.knex('charging_subscriber').where({ msisdn: closed.msisdn }).update({ status: 'closed' });

    const msisdns = await fetchPrepaidMsisdns(base, await tokenFor('admin'));
    expect(msisdns).toEqual(expect.arrayContaining([single.msisdn, ...family.map((l) => l.msisdn)]));
    expect(msisdns).not.toContain(closed.msisdn);
    // Each once (the family's account has two buckets), in order.
    expect(msisdns).toEqual([...new Set(msisdns)].sort());
    // The generator plays them in turn.
    const options = { mix: { voice: 1 }, msisdns, updates: 1, startTime: new Date(), runId: 'r' };
    expect([0, 1, msisdns.length].map((i) => planSession(i, options).subscriber.msisdn)).toEqual([msisdns[0], msisdns[1], msisdns[0]]);
  });

  it('fails with the API\'s answer when the token may not read them', async () => {
    await expect(fetchPrepaidMsisdns(base, 'not-a-token')).rejects.toThrow(/401/);
  });

  it('makes a range of numbers without a BSS', () => {
    expect(numbersFrom(34600000000n, 3)).toEqual(['34600000000', '34600000001', '34600000002']);
  });
});
