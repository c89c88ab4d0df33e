/**
 * The Diameter peer state machine of the Gy server over real TCP: capabilities exchange (and its
 * refusals), requests before CER, device watchdog both ways, disconnects started by either end
 * (with requests in flight), and a peer that does not read its answers.
 */
import { avp, valueOf, type DiameterMessage } from '../network/diameter/codec';
import { DiameterClient } from '../network/diameter/client';
import { buildCcr } from '../network/diameter/gy-client-messages';
import { startGyServer, type GyServer } from '../ocs/diameter/server';
import { FakeEngine } from './gy/fake-engine';
import { cerAvps, RawPeer } from './gy/raw-peer';

const origin = { originHost: 'ocs.test', originRealm: 'test' };
const ccrAvps = (sessionId: string) => buildCcr({ sessionId, originHost: 'raw.test', originRealm: 'test', destinationRealm: 'test', msisdn: '34600000001', type: 'initial', requestNumber: 0, units: [{ ratingGroup: 100, unit: 'CC-Time', requested: 60 }] });
const resultOf = (m: DiameterMessage) => valueOf<number>(m.avps, 'Result-Code');
const dprAvps = [avp('Origin-Host', 'raw.test'), avp('Origin-Realm', 'test'), avp('Disconnect-Cause', 0)];

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

  it('answers a second CER on an open connection with a CEA, and goes on serving it (RFC 6733 §5.6)', async () => {
    const raw = await open();
    await raw.exchangeCapabilities();
    const cea = await raw.exchangeCapabilities();
    expect([cea.commandCode, cea.flags.request, cea.flags.error, resultOf(cea)]).toEqual([257, false, false, 2001]);
    expect(cea.avps.slice(1, 3)).toEqual([avp('Origin-Host', 'ocs.test'), avp('Origin-Realm', 'test')]);
    expect(resultOf(await raw.ask(raw.request(272, 4, ccrAvps('cer2;1'))))).toBe(2001);
  });

  it('answers the CCRs it is charging before the DPA of a DPR received meanwhile, and a CCR sent after the DPR 3004', async () => {
    const engine = new FakeEngine();
    const release = engine.hold();
    const held = await startGyServer({ engine, port: 0, host: '127.0.0.1', ...origin });
    try {
      const raw = await open(held.port);
      await raw.exchangeCapabilities();
      const ccr = raw.request(272, 4, ccrAvps('dpr;1'));
      raw.send(ccr);
      await waitFor(() => engine.requests.length === 1);
      const dpr = raw.request(282, 0, dprAvps);
      raw.send(dpr);
      const late = raw.request(272, 4, ccrAvps('dpr;2'));
      const refused = await raw.ask(late);
      expect([refused.hopByHop, refused.flags.error, resultOf(refused)]).toEqual([late.hopByHop, true, 3004]);
      expect(engine.requests).toHaveLength(1);
      release();
      const cca = await raw.next();
      expect([cca.commandCode, cca.hopByHop, resultOf(cca)]).toEqual([272, ccr.hopByHop, 2001]);
      const dpa = await raw.next();
      expect([dpa.commandCode, dpa.flags.request, dpa.hopByHop, resultOf(dpa)]).toEqual([282, false, dpr.hopByHop, 2001]);
      await raw.whenClosed();
    } finally {
      release();
      await held.close();
    }
  });

  it('answers a DPR whose requests are still charged after Tw, without them', async () => {
    const engine = new FakeEngine();
    const release = engine.hold();
    const held = await startGyServer({ engine, port: 0, host: '127.0.0.1', ...origin, watchdogMs: 300, drainMs: 10 });
    try {
      const raw = await open(held.port);
      await raw.exchangeCapabilities();
      raw.send(raw.request(272, 4, ccrAvps('dpr-stuck;1')));
      await waitFor(() => engine.requests.length === 1);
      raw.send(raw.request(282, 0, dprAvps));
      // Its watchdog may ask first (Tw of silence is up too): left unanswered.
      let dpa = await raw.next();
      while (dpa.commandCode === 280) dpa = await raw.next();
      expect([dpa.commandCode, dpa.flags.request, resultOf(dpa)]).toEqual([282, false, 2001]);
      await raw.whenClosed();
    } finally {
      release();
      await held.close();
    }
  });

  it('stops reading a peer that does not read its answers, and serves it again once it does', async () => {
    const engine = new FakeEngine();
    const slow = await startGyServer({ engine, port: 0, host: '127.0.0.1', ...origin, maxUnsentBytes: 64 * 1024 });
    try {
      const raw = await open(slow.port);
      await raw.exchangeCapabilities();
      raw.socket.pause();
      const total = 40_000;
      for (let i = 0; i < total; i++) raw.send(raw.request(272, 4, ccrAvps(`slow;${i}`)));
      // Wait until the server takes no more requests.
      let seen = -1;
      while (seen !== engine.requests.length) {
        seen = engine.requests.length;
        await new Promise((r) => setTimeout(r, 300));
      }
      expect(engine.requests.length).toBeLessThan(total);
      const peer = slow.peers()[0];
      expect(peer.socket.isPaused()).toBe(true);
      raw.socket.resume();
      for (let i = 0; i < total; i++) expect(resultOf(await raw.next())).toBe(2001);
      expect(engine.requests).toHaveLength(total);
    } finally {
      await slow.close();
    }
  });

  it('reads on after a burst of answers past a bound smaller than the stream\'s own buffer', async () => {
    const tiny = await startGyServer({ engine: new FakeEngine(), port: 0, host: '127.0.0.1', ...origin, maxUnsentBytes: 1024 });
    try {
      const raw = await open(tiny.port);
      await raw.exchangeCapabilities();
      for (let i = 0; i < 10; i++) raw.send(raw.request(272, 4, ccrAvps(`tiny;${i}`)));
      for (let i = 0; i < 10; i++) expect(resultOf(await raw.next())).toBe(2001);
      const dwa = await raw.ask(raw.request(280, 0, [avp('Origin-Host', 'raw.test'), avp('Origin-Realm', 'test')]));
      expect([dwa.commandCode, resultOf(dwa)]).toEqual([280, 2001]);
    } finally {
      await tiny.close();
    }
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

  it('answers a CCR sent after its DPR 3004 (the client tries another OCS) rather than leaving it unanswered', async () => {
    const server = await startGyServer({ engine: new FakeEngine(), port: 0, host: '127.0.0.1', ...origin });
    const raw = await RawPeer.open(server.port);
    try {
      await raw.exchangeCapabilities();
      const closed = server.close();
      const dpr = await raw.next();
      expect([dpr.commandCode, dpr.flags.request]).toEqual([282, true]);
      const ccr = raw.request(272, 4, ccrAvps('after-dpr;1'));
      const refused = await raw.ask(ccr);
      expect([refused.hopByHop, refused.flags.error, resultOf(refused)]).toEqual([ccr.hopByHop, true, 3004]);
      raw.send({ ...dpr, flags: { ...dpr.flags, request: false }, avps: [avp('Result-Code', 2001), avp('Origin-Host', 'raw.test'), avp('Origin-Realm', 'test')] });
      await closed;
      await raw.whenClosed();
    } finally {
      raw.end();
    }
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
