/**
 * The traffic generator's Nchf driver against a stub HTTP/2 server (the real Nchf front end is
 * tested on its own): the paths and bodies of a session's create, update and release, an SMS as
 * a one-time event, and the answers read back.
 */
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { nchfDriver } from '../network/nchf-driver';

interface Seen {
  path: string;
  body: Record<string, unknown>;
}

describe('Nchf driver', () => {
  let server: http2.Http2Server;
  let baseUrl: string;
  const seen: Seen[] = [];

  beforeAll(async () => {
    server = http2.createServer();
    server.on('stream', (stream, headers) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const path = String(headers[':path']);
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
        seen.push({ path, body });
        const units = body.multipleUnitUsage as Array<{ ratingGroup: number }>;
        if (path.endsWith('/release')) {
          stream.respond({ ':status': 204 });
          stream.end();
          return;
        }
        const number = body.invocationSequenceNumber as number;
        const info = { ratingGroup: units[0].ratingGroup, resultCode: 'SUCCESS', grantedUnit: { time: 60 }, ...(number === 1 ? { finalUnitIndication: { finalUnitAction: 'TERMINATE' } } : {}) };
        const created = path === '/nchf-convergedcharging/v3/chargingdata' && !body.oneTimeEvent;
        stream.respond({ ':status': created ? 201 : 200, 'content-type': 'application/json', ...(created ? { location: `${baseUrl}/nchf-convergedcharging/v3/chargingdata/ref-7` } : {}) });
        stream.end(JSON.stringify({ invocationSequenceNumber: number, multipleUnitInformation: [info] }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('plays a voice call as create, update (final units) and release, and an SMS as a one-time event', async () => {
    const driver = nchfDriver({ baseUrl });
    const start = new Date('2026-03-02T09:00:00Z');
    const call = await driver.runSession({ sessionId: 'n;1', subscriber: { msisdn: '34600000007' }, service: 'voice', destination: '+34911234567', startTime: start, updates: 3, requested: 60n, usedPerStep: 45n });
    const sms = await driver.runSession({ sessionId: 'n;2', subscriber: { imsi: '214010000000001' }, service: 'sms', startTime: start, updates: 0, requested: 1n, usedPerStep: 1n });
    await driver.close();
    const common = { nfConsumerIdentification: { nodeFunctionality: 'IMS_NODE' }, iMSChargingInformation: { iMSChargingIdentifier: 'n;1', calledPartyAddress: 'tel:+34911234567' }, subscriberIdentifier: 'msisdn-34600000007' };
    expect(seen).toEqual([
      { path: '/nchf-convergedcharging/v3/chargingdata', body: { ...common, invocationTimeStamp: '2026-03-02T09:00:00.000Z', invocationSequenceNumber: 0, multipleUnitUsage: [{ ratingGroup: 100, requestedUnit: { time: 60 } }] } },
      {
        path: '/nchf-convergedcharging/v3/chargingdata/ref-7/update',
        body: { ...common, invocationTimeStamp: '2026-03-02T09:00:45.000Z', invocationSequenceNumber: 1, multipleUnitUsage: [{ ratingGroup: 100, requestedUnit: { time: 60 }, usedUnitContainer: [{ time: 45, localSequenceNumber: 1 }] }] },
      },
      { path: '/nchf-convergedcharging/v3/chargingdata/ref-7/release', body: { ...common, invocationTimeStamp: '2026-03-02T09:01:30.000Z', invocationSequenceNumber: 2, multipleUnitUsage: [{ ratingGroup: 100, usedUnitContainer: [{ time: 45, localSequenceNumber: 2 }] }] } },
      {
        path: '/nchf-convergedcharging/v3/chargingdata',
        body: { subscriberIdentifier: 'imsi-214010000000001', nfConsumerIdentification: { nodeFunctionality: 'IMS_NODE' }, invocationTimeStamp: '2026-03-02T09:00:00.000Z', invocationSequenceNumber: 0, oneTimeEvent: true, oneTimeEventType: 'IEC', iMSChargingInformation: { iMSChargingIdentifier: 'n;2' }, multipleUnitUsage: [{ ratingGroup: 200, requestedUnit: { serviceSpecificUnits: 1 } }] },
      },
    ]);
    expect(call.requests.map((r) => [r.type, r.resultCode, r.unitResultCode, r.granted])).toEqual([
      ['initial', 2001, 2001, 60n],
      ['update', 2001, 2001, 60n],
      ['termination', 2001, undefined, undefined],
    ]);
    expect(sms.requests.map((r) => [r.type, r.resultCode])).toEqual([['event', 2001]]);
  });
});
