/**
 * The Diameter peer state machine of the Gy server over real TCP: capabilities exchange (and its
 * refusals), requests before CER, device watchdog both ways, and disconnects started by either end.
 */
import { avp, valueOf } from '../network/diameter/codec';
import { DiameterClient } from '../network/diameter/client';
import { startGyServer, type GyServer } from '../ocs/diameter/server';
import { FakeEngine } from './gy/fake-engine';
import { cerAvps, RawPeer } from './gy/raw-peer';

const origin = { originHost: 'ocs.test', originRealm: 'test' };

async function waitFor(check: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
  expect(check()).toBe(true);
}

describe('Gy server: peer state machine', () => {
  let server: GyServer;
  /** A second server with a short Tw for the watchdog cases. */
  let quick: GyServer;
  const raws: RawPeer[] = [];
  const open = async (port = server.port) => {
    const raw = await RawPeer.open(port);
    raws.push(raw);
    return raw;
  };

  beforeAll(async () => {
    server = await startGyServer({ engine: new FakeEngine(), port: 0, host: '127.0.0.1', ...origin, productName: 'ocs-test', vendorId: 0 });
    quick = await startGyServer({ engine: new FakeEngine(), port: 0, host: '127.0.0.1', ...origin, watchdogMs: 1000 });
  });
  afterAll(async () => {
    raws.forEach((r) => r.end());
    await Promise.all([server.close(), quick.close()]);
  });

  it('answers CER with a CEA naming itself and credit control', async () => {
    const raw = await open();
    const cer = raw.request(257, 0, cerAvps([4]));
    const cea = await raw.ask(cer);
    expect(cea.flags).toEqual({ request: false, proxiable: false, error: false, retransmit: false });
    expect([cea.commandCode, cea.applicationId, cea.hopByHop, cea.endToEnd]).toEqual([257, 0, cer.hopByHop, cer.endToEnd]);
    expect(cea.avps.slice(0, 6)).toEqual([
      avp('Result-Code', 2001),
      avp('Origin-Host', 'ocs.test'),
      avp('Origin-Realm', 'test'),
      avp('Host-IP-Address', '127.0.0.1'),
      avp('Vendor-Id', 0),
      avp('Product-Name', 'ocs-test'),
    ]);
    expect(cea.avps.slice(7)).toEqual([avp('Auth-Application-Id', 4)]);
    await waitFor(() => server.peers().some((p) => p.remote?.originHost === 'raw.test' && p.state === 'open'));
  });

  it('accepts the relay application and a Vendor-Specific-Application-Id naming credit control', async () => {
    expect(valueOf<number>((await (await open()).exchangeCapabilities([0xffffffff])).avps, 'Result-Code')).toBe(2001);
    const raw = await open();
    const vsai = avp('Vendor-Specific-Application-Id', [avp('Vendor-Id', 10415), avp('Auth-Application-Id', 4)]);
    const cea = await raw.ask(raw.request(257, 0, [...cerAvps([]), vsai]));
    expect(valueOf<number>(cea.avps, 'Result-Code')).toBe(2001);
  });

  it('refuses a CER with no common application (5010) and closes', async () => {
    const raw = await open();
    const cea = await raw.exchangeCapabilities([16777238]);
    expect(valueOf<number>(cea.avps, 'Result-Code')).toBe(5010);
    expect(cea.flags.error).toBe(false);
    await raw.whenClosed();
  });

  it('refuses a CER without Origin-Host (5005, Failed-AVP) and closes', async () => {
    const raw = await open();
    const cea = await raw.ask(raw.request(257, 0, cerAvps([4]).slice(1)));
    expect(valueOf<number>(cea.avps, 'Result-Code')).toBe(5005);
    expect(cea.avps.at(-1)).toEqual(avp('Failed-AVP', [avp('Origin-Host', '')]));
    await raw.whenClosed();
  });

  it('closes a connection whose first request is not CER', async () => {
    const raw = await open();
    raw.send(raw.request(280, 0, [avp('Origin-Host', 'raw.test'), avp('Origin-Realm', 'test')]));
    await raw.whenClosed();
    expect(raw.closed).toBe(true);
  });

  it('answers DWR with DWA', async () => {
    const raw = await open();
    await raw.exchangeCapabilities();
    const dwr = raw.request(280, 0, [avp('Origin-Host', 'raw.test'), avp('Origin-Realm', 'test')]);
    const dwa = await raw.ask(dwr);
    expect([dwa.commandCode, dwa.flags.request, dwa.hopByHop, dwa.endToEnd]).toEqual([280, false, dwr.hopByHop, dwr.endToEnd]);
    expect(dwa.avps.slice(0, 3)).toEqual([avp('Result-Code', 2001), avp('Origin-Host', 'ocs.test'), avp('Origin-Realm', 'test')]);
  });

  it('sends DWR after Tw of silence and keeps a peer that answers it', async () => {
    const raw = await open(quick.port);
    await raw.exchangeCapabilities();
    for (let i = 0; i < 3; i++) {
      const dwr = await raw.next();
      expect([dwr.commandCode, dwr.flags.request]).toEqual([280, true]);
      expect(dwr.avps.slice(0, 2)).toEqual([avp('Origin-Host', 'ocs.test'), avp('Origin-Realm', 'test')]);
      raw.send({ ...dwr, flags: { ...dwr.flags, request: false }, avps: [avp('Result-Code', 2001), avp('Origin-Host', 'raw.test'), avp('Origin-Realm', 'test')] });
    }
    expect(raw.closed).toBe(false);
  });

  it('closes a peer that leaves its DWR unanswered', async () => {
    const raw = await open(quick.port);
    await raw.exchangeCapabilities();
    expect((await raw.next()).commandCode).toBe(280);
    await raw.whenClosed();
  });

  it('closes a connection that never sends CER', async () => {
    const raw = await open(quick.port);
    await raw.whenClosed();
  });

  it('answers DPR with DPA and the connection ends', async () => {
    const raw = await open();
    await raw.exchangeCapabilities();
    const dpr = raw.request(282, 0, [avp('Origin-Host', 'raw.test'), avp('Origin-Realm', 'test'), avp('Disconnect-Cause', 0)]);
    const dpa = await raw.ask(dpr);
    expect([dpa.commandCode, dpa.flags.request, dpa.hopByHop]).toEqual([282, false, dpr.hopByHop]);
    expect(dpa.avps).toEqual([avp('Result-Code', 2001), avp('Origin-Host', 'ocs.test'), avp('Origin-Realm', 'test')]);
    await raw.whenClosed();
  });

  it('lets a client connect, exchange capabilities and disconnect with DPR/DPA', async () => {
    const client = await DiameterClient.connect({ host: '127.0.0.1', port: server.port, originHost: 'client.test', originRealm: 'test' });
    expect(client.remote).toEqual({ originHost: 'ocs.test', originRealm: 'test', productName: 'ocs-test', applicationIds: [4] });
    await waitFor(() => server.peers().some((p) => p.remote?.originHost === 'client.test'));
    await client.close();
    expect(client.peer.closeReason).toBe('disconnected (DPR/DPA)');
    await waitFor(() => !server.peers().some((p) => p.remote?.originHost === 'client.test'));
  });
});

describe('Gy server: shutting down', () => {
  it('sends DPR to its peers, which answer and close', async () => {
    const server = await startGyServer({ engine: new FakeEngine(), port: 0, host: '127.0.0.1', ...origin });
    const client = await DiameterClient.connect({ host: '127.0.0.1', port: server.port, originHost: 'client.test', originRealm: 'test' });
    await server.close();
    await client.peer.whenClosed();
    expect(server.peers()).toEqual([]);
  });

  it('refuses to open when the server does not offer the client application', async () => {
    const server = await startGyServer({ engine: new FakeEngine(), port: 0, host: '127.0.0.1', ...origin });
    try {
      await expect(DiameterClient.connect({ host: '127.0.0.1', port: server.port, originHost: 'c', originRealm: 'test', authApplicationIds: [16777238] })).rejects.toThrow(/5010/);
    } finally {
      await server.close();
    }
  });
});
