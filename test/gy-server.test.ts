/**
 * The Gy server over real TCP with a fake engine: each CCR type mapped to the exact engine request
 * and the engine's answer to the exact CCA, retransmissions passed through, 500 requests in flight
 * on one connection answered out of order, and malformed input answered with the right Diameter
 * error or a closed connection while other peers are still served.
 */
import { avp, encodeAvp, encodeAvps, encodeMessage, findAvp, valueOf, type Avp, type DiameterMessage } from '../network/diameter/codec';
import { DiameterClient, DiameterTimeoutError } from '../network/diameter/client';
import { buildCcr, readCca, type CcrParams } from '../network/diameter/gy-client-messages';
import { startGyServer, type GyServer } from '../ocs/diameter/server';
import { ManualClock } from '../domain/clock';
import { EngineOverloaded, type ChargingRequest } from '../ocs/engine/types';
import { FakeEngine, grantAll } from './gy/fake-engine';
import { cerAvps, RawPeer } from './gy/raw-peer';
import { plainAvps } from './gy/plain-avps';

const origin = { originHost: 'ocs.test', originRealm: 'test' };
const ccr = (p: Partial<CcrParams> & Pick<CcrParams, 'type' | 'requestNumber' | 'units'>): Avp[] =>
  buildCcr({ sessionId: 'pgw.test;1;1', originHost: 'pgw.test', originRealm: 'test', destinationRealm: 'test', msisdn: '34600000001', ...p });

describe('Gy server: credit control', () => {
  let server: GyServer;
  let engine: FakeEngine;
  let client: DiameterClient;
  const clock = new ManualClock('2026-03-01T12:00:00Z');

  beforeAll(async () => {
    engine = new FakeEngine();
    server = await startGyServer({ engine, port: 0, host: '127.0.0.1', ...origin, clock });
    client = await DiameterClient.connect({ host: '127.0.0.1', port: server.port, originHost: 'pgw.test', originRealm: 'test' });
  });
  afterAll(async () => {
    await client.close();
    await server.close();
  });
  beforeEach(() => {
    engine.requests.length = 0;
    engine.respond = grantAll;
  });

  it('maps a voice CCR-I to an initial request and the grant to a CCA with Validity-Time', async () => {
    const cca = await client.creditControl(
      ccr({ sessionId: 'voice;1', type: 'initial', requestNumber: 0, imsi: '214010000000001', eventTime: new Date('2026-03-01T08:59:59Z'), destination: '+4930123456', units: [{ ratingGroup: 100, serviceIdentifier: 1000, unit: 'CC-Time', requested: 300 }] }),
    );
    expect(engine.requests).toEqual<ChargingRequest[]>([
      {
        sessionId: 'voice;1',
        requestNumber: 0,
        type: 'initial',
        subscriber: { msisdn: '+34600000001', imsi: '214010000000001' },
        eventTime: new Date('2026-03-01T08:59:59Z'),
        destination: '+4930123456',
        units: [{ ratingGroup: 100, serviceIdentifier: 1000, requested: { quantity: '300' } }],
      },
    ]);
    expect([cca.commandCode, cca.applicationId, cca.flags.request, cca.flags.error, cca.flags.proxiable]).toEqual([272, 4, false, false, true]);
    expect(plainAvps(cca.avps)).toEqual([
      avp('Session-Id', 'voice;1'),
      avp('Result-Code', 2001),
      avp('Origin-Host', 'ocs.test'),
      avp('Origin-Realm', 'test'),
      avp('Auth-Application-Id', 4),
      avp('CC-Request-Type', 1),
      avp('CC-Request-Number', 0),
      avp('Multiple-Services-Credit-Control', [
        avp('Granted-Service-Unit', [avp('CC-Time', 300)]),
        avp('Service-Identifier', 1000),
        avp('Rating-Group', 100),
        avp('Validity-Time', 300),
        avp('Result-Code', 2001),
      ]),
    ]);
  });

  it('maps a data CCR-U with 64-bit used octets (input + output) and the final-unit grant', async () => {
    engine.respond = (r) => ({
      sessionId: r.sessionId,
      requestNumber: r.requestNumber,
      resultCode: 2001,
      units: [{ ratingGroup: 300, resultCode: 2001, granted: { quantity: '1048576.9' }, validityTime: 600, finalUnit: true }],
    });
    const used = avp('Used-Service-Unit', [avp('CC-Input-Octets', 4_000_000_000n), avp('CC-Output-Octets', 1_000_000_000n)]);
    const avps = ccr({ sessionId: 'data;1', type: 'update', requestNumber: 1, units: [] });
    avps.push(avp('Multiple-Services-Credit-Control', [avp('Requested-Service-Unit', []), used, avp('Used-Service-Unit', [avp('CC-Total-Octets', 7n)]), avp('Rating-Group', 300)]));
    const cca = await client.creditControl(avps);
    expect(engine.requests).toEqual([
      { sessionId: 'data;1', requestNumber: 1, type: 'update', subscriber: { msisdn: '+34600000001' }, eventTime: clock.now(), units: [{ ratingGroup: 300, requested: {}, used: { quantity: '5000000007' } }] },
    ]);
    expect(plainAvps(cca.avps.slice(5))).toEqual([
      avp('CC-Request-Type', 2),
      avp('CC-Request-Number', 1),
      avp('Multiple-Services-Credit-Control', [
        avp('Granted-Service-Unit', [avp('CC-Total-Octets', 1048576n)]),
        avp('Rating-Group', 300),
        avp('Validity-Time', 600),
        avp('Result-Code', 2001),
        avp('Final-Unit-Indication', [avp('Final-Unit-Action', 0)]),
      ]),
    ]);
  });

  it('maps a CCR-T to a termination and the per-rating-group refusal to its own Result-Code', async () => {
    engine.respond = (r) => ({ sessionId: r.sessionId, requestNumber: r.requestNumber, resultCode: 2001, units: [{ ratingGroup: 100, resultCode: 4012 }] });
    const cca = await client.creditControl(ccr({ sessionId: 'voice;2', type: 'termination', requestNumber: 2, units: [{ ratingGroup: 100, unit: 'CC-Time', used: 42 }] }));
    expect(engine.requests[0]).toMatchObject({ sessionId: 'voice;2', requestNumber: 2, type: 'termination', units: [{ ratingGroup: 100, used: { quantity: '42' } }] });
    expect(engine.requests[0].units[0]).toEqual({ ratingGroup: 100, used: { quantity: '42' } });
    expect(plainAvps(cca.avps.slice(5))).toEqual([avp('CC-Request-Type', 3), avp('CC-Request-Number', 2), avp('Multiple-Services-Credit-Control', [avp('Rating-Group', 100), avp('Result-Code', 4012)])]);
  });

  it('maps an SMS event CCR with the recipient and answers credit limit reached overall', async () => {
    engine.respond = (r) => ({ sessionId: r.sessionId, requestNumber: r.requestNumber, resultCode: 4012, units: [{ ratingGroup: 200, resultCode: 4012 }] });
    const avps = ccr({ sessionId: 'sms;1', type: 'event', requestNumber: 0, units: [{ ratingGroup: 200, unit: 'CC-Service-Specific-Units', requested: 1 }] });
    const recipient = avp('Recipient-Info', [avp('Recipient-Address', [avp('Address-Data', '+447700900123')])]);
    avps.push(avp('Service-Information', [avp('SMS-Information', [recipient])]));
    const result = readCca(await client.creditControl(avps));
    expect(engine.requests[0]).toEqual({ sessionId: 'sms;1', requestNumber: 0, type: 'event', subscriber: { msisdn: '+34600000001' }, eventTime: clock.now(), destination: '+447700900123', units: [{ ratingGroup: 200, requested: { quantity: '1' } }] });
    expect(result).toEqual({ sessionId: 'sms;1', resultCode: 4012, requestNumber: 0, units: [{ ratingGroup: 200, resultCode: 4012, validityTime: undefined, finalUnitAction: undefined }] });
  });

  // Network elements' CCRs as TS 32.299 has them, built from the standard's codes (not our
  // dictionary's): every AVP with the M bit, most of them ones the OCS does not read.
  const tgpp = (code: number, data: Buffer | string | Avp[]): Avp => ({ code, vendorId: 10415, mandatory: true, data: typeof data === 'string' ? Buffer.from(data) : Array.isArray(data) ? encodeAvps(data) : data });
  const u32 = (value: number) => Buffer.from([value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff]);
  const ipv4 = (text: string) => Buffer.from([0, 1, ...text.split('.').map(Number)]);

  it('charges an IMS AS\'s CCR, its IMS-Information full of members it does not read, and reads the called party in it', async () => {
    const imsInformation = tgpp(876, [
      tgpp(823, [tgpp(824, 'INVITE')]), // Event-Type: SIP-Method
      tgpp(829, u32(0)), // Role-Of-Node: originating
      tgpp(862, u32(6)), // Node-Functionality: AS
      tgpp(830, 'a84b4c76e66710@pc33.atlanta.example.com'), // User-Session-Id
      tgpp(831, 'sip:+34600000001@ims.example.com'), // Calling-Party-Address
      tgpp(832, 'tel:+49-30-123456'), // Called-Party-Address
      tgpp(833, [tgpp(834, u32(3_981_000_000))]), // Time-Stamps: SIP-Request-Timestamp
      tgpp(838, [tgpp(839, 'ims.example.com')]), // Inter-Operator-Identifier: Originating-IOI
      tgpp(841, 'icid-ab12'), // IMS-Charging-Identifier
      tgpp(843, [tgpp(844, 'audio 49170 RTP/AVP 0'), tgpp(845, 'a=rtpmap:0 PCMU/8000')]), // SDP-Media-Component
      tgpp(850, [tgpp(836, 'sip:as1.ims.example.com')]), // Application-Server-Information
      tgpp(2303, u32(0)), // Online-Charging-Flag
    ]);
    // User-Equipment-Info (RFC 4006, sent with the M bit as the RFC allows): IMEISV.
    const equipment: Avp = { code: 458, mandatory: true, data: encodeAvps([{ code: 459, mandatory: true, data: u32(0) }, { code: 460, mandatory: true, data: Buffer.from('3534900698733190', 'hex') }]) };
    const avps = ccr({ sessionId: 'ims;1', type: 'initial', requestNumber: 0, units: [{ ratingGroup: 100, unit: 'CC-Time', requested: 60 }] });
    avps.push(equipment, tgpp(873, [imsInformation]));
    const cca = await client.creditControl(avps);
    expect(valueOf(cca.avps, 'Result-Code')).toBe(2001);
    expect(engine.requests).toEqual([expect.objectContaining({ sessionId: 'ims;1', destination: '+4930123456', units: [{ ratingGroup: 100, requested: { quantity: '60' } }] })]);
  });

  it('charges an SMSC\'s event CCR, its SMS-Information and recipient full of members it does not read, and reads the recipient in it', async () => {
    const recipientInfo = tgpp(2026, [
      tgpp(1201, [tgpp(899, u32(1)), tgpp(897, '447700900123'), tgpp(898, [tgpp(1200, 'ims.example.net')]), tgpp(1208, u32(0))]), // Recipient-Address: MSISDN, data, domain, To
      tgpp(2002, [tgpp(2006, u32(0))]), // Destination-Interface: Interface-Type
      tgpp(2010, ipv4('10.1.2.3')), // Recipient-SCCP-Address
      tgpp(2013, Buffer.from([0])), // SM-Protocol-ID
    ]);
    const smsInformation = tgpp(2000, [
      tgpp(2016, u32(0)), // SMS-Node: SMS router
      tgpp(2018, ipv4('10.0.0.7')), // Client-Address
      tgpp(2008, ipv4('10.0.0.8')), // Originator-SCCP-Address
      tgpp(2017, ipv4('10.0.0.9')), // SMSC-Address
      tgpp(2001, u32(0)), // Data-Coding-Scheme
      tgpp(2007, u32(0)), // SM-Message-Type: submission
      tgpp(2009, [tgpp(2003, 'mo-interface')]), // Originator-Interface: Interface-Id
      tgpp(2019, u32(1)), // Number-Of-Messages-Sent
      recipientInfo,
    ]);
    const avps = ccr({ sessionId: 'sms;2', type: 'event', requestNumber: 0, serviceContextId: '32274@3gpp.org', units: [{ ratingGroup: 200, unit: 'CC-Service-Specific-Units', requested: 1 }] });
    avps.push(tgpp(873, [smsInformation]));
    const cca = await client.creditControl(avps);
    expect(valueOf(cca.avps, 'Result-Code')).toBe(2001);
    expect(engine.requests).toEqual([expect.objectContaining({ sessionId: 'sms;2', type: 'event', destination: '+447700900123' })]);
  });

  it('charges a PGW\'s update whose MSCC carries 3GPP members it does not read (trigger, QoS, location, RAT, envelope reporting)', async () => {
    const used = avp('Used-Service-Unit', [avp('CC-Total-Octets', 524_288n), avp('Reporting-Reason', 3), tgpp(1258, u32(3_981_000_000))]); // Event-Charging-TimeStamp
    const mscc = avp('Multiple-Services-Credit-Control', [
      avp('Requested-Service-Unit', []),
      used,
      avp('Rating-Group', 300),
      tgpp(1264, [tgpp(870, u32(1))]), // Trigger: Trigger-Type
      tgpp(1016, [tgpp(1028, u32(9))]), // QoS-Information: QoS-Class-Identifier
      tgpp(22, Buffer.from('8202f4100001', 'hex')), // 3GPP-User-Location-Info
      tgpp(21, Buffer.from([6])), // 3GPP-RAT-Type: EUTRAN
      tgpp(1268, u32(0)), // Envelope-Reporting
    ]);
    const avps = ccr({ sessionId: 'data;2', type: 'update', requestNumber: 1, units: [] });
    avps.push(mscc, tgpp(2055, u32(0))); // AoC-Request-Type
    const cca = await client.creditControl(avps);
    expect(valueOf(cca.avps, 'Result-Code')).toBe(2001);
    expect(engine.requests).toEqual([expect.objectContaining({ sessionId: 'data;2', units: [{ ratingGroup: 300, requested: {}, used: { quantity: '524288' } }] })]);
  });

  it('passes a retransmission (T bit, same end-to-end id) through unchanged and answers it the same', async () => {
    const avps = ccr({ sessionId: 'voice;3', type: 'initial', requestNumber: 0, units: [{ ratingGroup: 100, unit: 'CC-Time', requested: 60 }] });
    const endToEnd = client.nextEndToEnd();
    const first = await client.creditControl(avps, { endToEnd });
    const again = await client.creditControl(avps, { endToEnd, retransmit: true });
    expect(again.endToEnd).toBe(endToEnd);
    expect(plainAvps(again.avps)).toEqual(plainAvps(first.avps));
    expect(engine.requests).toHaveLength(2);
    expect(engine.requests[1]).toEqual(engine.requests[0]);
  });

  it('answers 500 pipelined requests on one connection, out of order, each to its own hop-by-hop id', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    engine.respond = async (r) => {
      // Even request numbers wait for the gate: they finish after the odd ones sent later.
      if (r.requestNumber % 2 === 0) await gate;
      return grantAll(r);
    };
    const order: number[] = [];
    const sent = Array.from({ length: 500 }, (_, i) =>
      client.creditControl(ccr({ sessionId: `pipe;${i}`, type: 'initial', requestNumber: i, units: [{ ratingGroup: 300, unit: 'CC-Total-Octets', requested: 1000 + i }] })).then((answer) => {
        order.push(i);
        return answer;
      }),
    );
    while (engine.requests.length < 500) await new Promise((r) => setTimeout(r, 10));
    while (order.length < 250) await new Promise((r) => setTimeout(r, 10));
    expect(order.every((i) => i % 2 === 1)).toBe(true);
    release();
    const answers = await Promise.all(sent);
    answers.forEach((answer, i) => {
      expect(readCca(answer)).toMatchObject({ sessionId: `pipe;${i}`, requestNumber: i, resultCode: 2001, units: [{ ratingGroup: 300, granted: BigInt(1000 + i) }] });
    });
    expect(new Set(answers.map((a) => a.hopByHop)).size).toBe(500);
  });

  it('lets a client give up on a request the engine never answers, and forget it', async () => {
    engine.respond = () => new Promise(() => undefined);
    const impatient = await DiameterClient.connect({ host: '127.0.0.1', port: server.port, originHost: 'impatient.test', originRealm: 'test', requestTimeoutMs: 200 });
    try {
      await expect(impatient.creditControl(ccr({ sessionId: 'stuck;1', type: 'initial', requestNumber: 0, units: [] }))).rejects.toThrow(DiameterTimeoutError);
      expect(impatient.inFlight).toBe(0);
    } finally {
      await impatient.close();
    }
  });

  it('answers 3004 DIAMETER_TOO_BUSY (a protocol error, E bit) when the engine is overloaded', async () => {
    engine.respond = () => {
      throw new EngineOverloaded(10_000);
    };
    const cca = await client.creditControl(ccr({ sessionId: 'busy;1', type: 'initial', requestNumber: 0, units: [] }));
    expect(cca.flags.error).toBe(true);
    expect(plainAvps(cca.avps)).toEqual([avp('Session-Id', 'busy;1'), avp('Result-Code', 3004), avp('Origin-Host', 'ocs.test'), avp('Origin-Realm', 'test'), avp('Auth-Application-Id', 4), avp('CC-Request-Type', 1), avp('CC-Request-Number', 0)]);
  });

  it('answers 3004 (transient: the client sends it again) when the engine fails, and goes on serving', async () => {
    engine.respond = () => {
      throw new Error('database down');
    };
    const cca = await client.creditControl(ccr({ sessionId: 'fail;1', type: 'initial', requestNumber: 0, units: [] }));
    expect(cca.flags.error).toBe(true);
    expect(plainAvps(cca.avps)).toEqual([avp('Session-Id', 'fail;1'), avp('Result-Code', 3004), avp('Origin-Host', 'ocs.test'), avp('Origin-Realm', 'test'), avp('Auth-Application-Id', 4), avp('CC-Request-Type', 1), avp('CC-Request-Number', 0)]);
    engine.respond = grantAll;
    expect(readCca(await client.creditControl(ccr({ sessionId: 'fail;2', type: 'initial', requestNumber: 0, units: [] }))).resultCode).toBe(2001);
  });
});

describe('Gy server: closing', () => {
  it('answers the CCRs being charged before it disconnects, refusing new ones 3004 meanwhile (the client tries another OCS)', async () => {
    const engine = new FakeEngine();
    const release = engine.hold();
    const server = await startGyServer({ engine, port: 0, host: '127.0.0.1', ...origin });
    const client = await DiameterClient.connect({ host: '127.0.0.1', port: server.port, originHost: 'pgw.test', originRealm: 'test' });
    let closedYet = false;
    const charged = client.creditControl(ccr({ sessionId: 'drain;1', type: 'initial', requestNumber: 0, units: [{ ratingGroup: 100, unit: 'CC-Time', requested: 60 }] }));
    charged.catch(() => undefined); // awaited below: a failure fails the test there
    while (engine.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    const closed = server.close().then(() => (closedYet = true));
    const refused = await client.creditControl(ccr({ sessionId: 'drain;2', type: 'initial', requestNumber: 0, units: [] }));
    expect(refused.flags.error).toBe(true);
    expect(readCca(refused).resultCode).toBe(3004);
    expect(engine.requests).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 50));
    expect(closedYet).toBe(false); // still waiting for the charge
    release();
    // Answered before the disconnection (a request still open when it closes fails instead).
    expect(readCca(await charged)).toMatchObject({ resultCode: 2001, units: [{ ratingGroup: 100, granted: 60n }] });
    await closed;
    expect(client.peer.state).toBe('closed');
  });

  it('does not wait for an engine that never answers past its drain time', async () => {
    const engine = new FakeEngine();
    engine.respond = () => new Promise(() => undefined);
    const server = await startGyServer({ engine, port: 0, host: '127.0.0.1', ...origin, drainMs: 50 });
    const client = await DiameterClient.connect({ host: '127.0.0.1', port: server.port, originHost: 'pgw.test', originRealm: 'test', requestTimeoutMs: 5000 });
    const stuck = client.creditControl(ccr({ sessionId: 'stuck;1', type: 'initial', requestNumber: 0, units: [] })).catch((err: Error) => err);
    while (engine.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    await server.close();
    // Disconnected without its answer: the client sends it again elsewhere.
    expect(await stuck).toBeInstanceOf(Error);
  });
});

describe('Gy server: malformed input', () => {
  let server: GyServer;
  let engine: FakeEngine;
  let raw: RawPeer;
  const others: RawPeer[] = [];

  const send = (avps: Avp[], commandCode = 272, applicationId = 4) => raw.ask(raw.request(commandCode, applicationId, avps));
  const base = () => ccr({ sessionId: 'bad;1', type: 'initial', requestNumber: 0, units: [{ ratingGroup: 100, unit: 'CC-Time', requested: 60 }] });
  const resultOf = (m: DiameterMessage) => valueOf<number>(m.avps, 'Result-Code');
  const failedAvp = (m: DiameterMessage) => findAvp(m.avps, 'Failed-AVP');

  beforeAll(async () => {
    engine = new FakeEngine();
    server = await startGyServer({ engine, port: 0, host: '127.0.0.1', ...origin });
    raw = await RawPeer.open(server.port);
    await raw.exchangeCapabilities();
  });
  afterAll(async () => {
    raw.end();
    others.forEach((o) => o.end());
    await server.close();
  });

  it('answers an unknown mandatory AVP with 5001 and the AVP in Failed-AVP', async () => {
    const unknown: Avp = { code: 77777, vendorId: 99, mandatory: true, data: Buffer.from('xyz') };
    const answer = await send([...base(), unknown]);
    expect(answer.avps).toEqual([avp('Session-Id', 'bad;1'), avp('Result-Code', 5001), avp('Origin-Host', 'ocs.test'), avp('Origin-Realm', 'test'), avp('Auth-Application-Id', 4), avp('CC-Request-Type', 1), avp('CC-Request-Number', 0), avp('Failed-AVP', [unknown])]);
    expect(answer.flags.error).toBe(false);
  });

  it('takes a PGW\'s PS-Information whole (M bit set, members it does not read, mandatory ones among them), and charges the CCR', async () => {
    const tgppMember = (code: number, data: Buffer): Avp => ({ code, vendorId: 10415, mandatory: true, data });
    // 3GPP-Charging-Id, 3GPP-RAT-Type and 3GPP-User-Location-Info, as a PGW sends them.
    const members = [tgppMember(2, Buffer.from([0, 0, 0, 7])), tgppMember(21, Buffer.from([6])), tgppMember(22, Buffer.from('8202f4100001', 'hex'))];
    const psInformation: Avp = { code: 874, vendorId: 10415, mandatory: true, data: encodeAvps(members) };
    expect(resultOf(await send([...base(), { code: 873, vendorId: 10415, mandatory: true, data: encodeAvps([psInformation]) }]))).toBe(2001);
  });

  it('ignores an unknown AVP without the M bit', async () => {
    expect(resultOf(await send([...base(), { code: 77777, mandatory: false, data: Buffer.from('xyz') }]))).toBe(2001);
  });

  it('answers a fixed-size AVP of the wrong size with 5014', async () => {
    const bad: Avp = { code: 420, mandatory: true, data: Buffer.alloc(6) };
    const avps = ccr({ sessionId: 'bad;2', type: 'initial', requestNumber: 0, units: [] });
    avps.push(avp('Multiple-Services-Credit-Control', [avp('Requested-Service-Unit', [bad]), avp('Rating-Group', 100)]));
    const answer = await send(avps);
    expect(resultOf(answer)).toBe(5014);
    expect(failedAvp(answer)).toEqual(avp('Failed-AVP', [bad]));
  });

  it('answers an AVP whose length runs past the message with 5014 and its header in Failed-AVP, echoing what it read of the request before it', async () => {
    const request = raw.request(272, 4, base());
    const bytes = encodeMessage(request);
    const tail = Buffer.from(encodeAvp(avp('CC-Request-Number', 0)));
    tail.writeUIntBE(200, 5, 3);
    const broken = Buffer.concat([bytes, tail]);
    broken.writeUIntBE(broken.length, 1, 3);
    raw.write(broken);
    const answer = await raw.next();
    expect(answer.hopByHop).toBe(request.hopByHop);
    expect(plainAvps(answer.avps)).toEqual([
      avp('Session-Id', 'bad;1'),
      avp('Result-Code', 5014),
      avp('Origin-Host', 'ocs.test'),
      avp('Origin-Realm', 'test'),
      avp('Auth-Application-Id', 4),
      avp('CC-Request-Type', 1),
      avp('CC-Request-Number', 0),
      avp('Failed-AVP', [{ code: 415, mandatory: true, data: Buffer.alloc(4) }]),
    ]);
  });

  it('answers invalid values with 5004: an unknown CC-Request-Type, text that is not UTF-8, a foreign application', async () => {
    const avps = base().map((a) => (a.code === 416 ? avp('CC-Request-Type', 7) : a));
    const answer = await send(avps);
    expect(resultOf(answer)).toBe(5004);
    expect(failedAvp(answer)).toEqual(avp('Failed-AVP', [avp('CC-Request-Type', 7)]));
    const notUtf8: Avp = { code: 461, mandatory: true, data: Buffer.from([0xc3, 0x28]) };
    expect(resultOf(await send(base().map((a) => (a.code === 461 ? notUtf8 : a))))).toBe(5004);
    expect(resultOf(await send(base().map((a) => (a.code === 258 ? avp('Auth-Application-Id', 5) : a))))).toBe(5004);
  });

  it('answers groups nested thousands deep with 5004, not a stack overflow', async () => {
    // 60,000 Multiple-Services-Credit-Control AVPs (456, M bit), each holding the next: 480 KB.
    let nested = Buffer.alloc(0);
    for (let i = 0; i < 60_000; i++) {
      const header = Buffer.alloc(8);
      header.writeUInt32BE(456, 0);
      header.writeUInt32BE((0x40 << 24) | (8 + nested.length), 4);
      nested = Buffer.concat([header, nested]);
    }
    const request = raw.request(272, 4, base());
    const bytes = Buffer.concat([encodeMessage(request), nested]);
    bytes.writeUIntBE(bytes.length, 1, 3);
    raw.write(bytes);
    const answer = await raw.next();
    expect(answer.hopByHop).toBe(request.hopByHop);
    expect(resultOf(answer)).toBe(5004);
    expect(failedAvp(answer)?.code).toBe(279);
    // The connection goes on.
    expect(resultOf(await send(base()))).toBe(2001);
  });

  it('answers a missing AVP with 5005 naming it in Failed-AVP', async () => {
    const answer = await send(base().filter((a) => a.code !== 415));
    expect(resultOf(answer)).toBe(5005);
    expect(failedAvp(answer)).toEqual(avp('Failed-AVP', [avp('CC-Request-Number', 0)]));
    const noSubscriber = await send(base().filter((a) => a.code !== 443));
    expect(resultOf(noSubscriber)).toBe(5005);
    expect(failedAvp(noSubscriber)).toEqual(avp('Failed-AVP', [avp('Subscription-Id', [])]));
    const noRatingGroup = ccr({ sessionId: 'bad;3', type: 'initial', requestNumber: 0, units: [] });
    noRatingGroup.push(avp('Multiple-Services-Credit-Control', [avp('Requested-Service-Unit', [])]));
    const answer3 = await send(noRatingGroup);
    expect(resultOf(answer3)).toBe(5005);
    expect(failedAvp(answer3)).toEqual(avp('Failed-AVP', [avp('Rating-Group', 0)]));
  });

  it('answers another application with 3007 and an unknown command with 3001, both with the E bit', async () => {
    const app = await send(base(), 272, 16777238);
    expect([resultOf(app), app.flags.error]).toEqual([3007, true]);
    const command = await send(base(), 999, 4);
    expect([resultOf(command), command.flags.error, command.commandCode]).toEqual([3001, true, 999]);
  });

  it('answers a request for another realm with 3003 (E bit) and charges nothing; the realm compares without case', async () => {
    const before = engine.requests.length;
    const elsewhere = await send(ccr({ sessionId: 'realm;1', destinationRealm: 'other.example', type: 'initial', requestNumber: 0, units: [{ ratingGroup: 100, unit: 'CC-Time', requested: 60 }] }));
    expect([resultOf(elsewhere), elsewhere.flags.error, valueOf(elsewhere.avps, 'Session-Id')]).toEqual([3003, true, 'realm;1']);
    expect(engine.requests.length).toBe(before);
    // Another host of this realm (an instance failed over from): served, as every instance carries any session.
    const here = await send([...ccr({ sessionId: 'realm;2', destinationRealm: 'TEST', type: 'initial', requestNumber: 0, units: [{ ratingGroup: 100, unit: 'CC-Time', requested: 60 }] }), avp('Destination-Host', 'ocs2.test')]);
    expect(resultOf(here)).toBe(2001);
    expect(engine.requests.length).toBe(before + 1);
    // A Destination-Realm that is not text is refused as a bad value when the CCR is read.
    const unreadable = base().map((a) => (a.code === 283 ? { ...a, data: Buffer.from([0xff, 0xfe]) } : a));
    const bad = await send(unreadable);
    expect([resultOf(bad), failedAvp(bad)]).toEqual([5004, avp('Failed-AVP', [{ code: 283, mandatory: true, data: Buffer.from([0xff, 0xfe]) }])]);
  });

  it('answers a request with the E bit with 3008, a watchdog too', async () => {
    const answer = await raw.ask(raw.request(272, 4, base(), { error: true }));
    expect([resultOf(answer), answer.flags.error, answer.flags.request]).toEqual([3008, true, false]);
    const dwr = await raw.ask(raw.request(280, 0, [avp('Origin-Host', 'raw.test'), avp('Origin-Realm', 'test')], { error: true }));
    expect([dwr.commandCode, resultOf(dwr), dwr.flags.error]).toEqual([280, 3008, true]);
  });

  it('echoes a Session-Id sent with the V bit and Vendor-Id 0 (read as the IETF AVP it is) in an error answer', async () => {
    const session: Avp = { code: 263, vendorId: 0, mandatory: true, data: Buffer.from('v0;1') };
    const avps = base().filter((a) => a.code !== 263 && a.code !== 461);
    const answer = await send([session, ...avps]);
    expect([resultOf(answer), answer.avps[0]]).toEqual([5005, session]);
  });

  it('refuses what the engine could not store or find: a Session-Id with NUL, an IMSI that is not digits, a short code that is not a number (5004)', async () => {
    const withSession = base().map((a) => (a.code === 263 ? avp('Session-Id', 'nul\0;1') : a));
    expect(resultOf(await send(withSession))).toBe(5004);
    const imsi = ccr({ sessionId: 'imsi;1', type: 'initial', requestNumber: 0, msisdn: undefined, imsi: '21401\u00001234', units: [{ ratingGroup: 100, unit: 'CC-Time', requested: 60 }] });
    const refused = await send(imsi);
    expect([resultOf(refused), failedAvp(refused)]).toEqual([5004, avp('Failed-AVP', [avp('Subscription-Id-Data', '21401\u00001234')])]);
    expect(engine.requests.filter((r) => ['nul\0;1', 'imsi;1'].includes(r.sessionId))).toEqual([]);
  });

  it('returns the Proxy-Info AVPs of a request at the end of its answer', async () => {
    const proxy = avp('Proxy-Info', [avp('Proxy-Host', 'dra.test'), avp('Proxy-State', Buffer.from([1, 2, 3]))]);
    const answer = await send([...base(), proxy]);
    expect([resultOf(answer), answer.avps.at(-1)]).toEqual([2001, proxy]);
    const refused = await send([...base().filter((a) => a.code !== 415), proxy]);
    expect([resultOf(refused), refused.avps.at(-1)]).toEqual([5005, proxy]);
  });

  const garbage: Array<[string, Buffer]> = [
    ['garbage bytes', Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')],
    ['a wrong version', Buffer.from('02000014' + '80000110' + '00000004' + '00000001' + '00000001', 'hex')],
    ['a length below the header', Buffer.from('01000008' + '80000110', 'hex')],
    ['a huge length field', Buffer.from('01fffffc' + '80000110' + '00000004' + '00000001' + '00000001', 'hex')],
  ];
  it.each(garbage)('closes a connection that sends %s and keeps serving the others', async (_what, bytes) => {
    const bad = await RawPeer.open(server.port);
    others.push(bad);
    await bad.exchangeCapabilities();
    bad.write(bytes);
    await bad.whenClosed();
    expect(resultOf(await send(base()))).toBe(2001);
  });

  it('waits for the rest of a truncated message, and forgets it when the peer goes away', async () => {
    const bad = await RawPeer.open(server.port);
    others.push(bad);
    await bad.exchangeCapabilities();
    const bytes = encodeMessage(bad.request(272, 4, base()));
    bad.write(bytes.subarray(0, bytes.length - 5));
    const before = engine.requests.length;
    bad.end();
    await bad.whenClosed();
    expect(resultOf(await send(base()))).toBe(2001);
    expect(engine.requests.length).toBe(before + 1);
  });

  it('survives a storm of random bytes from many connections', async () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const storm = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const bad = await RawPeer.open(server.port);
        others.push(bad);
        if (i % 2 === 0) await bad.exchangeCapabilities();
        const junk = Buffer.from(Array.from({ length: 64 + Math.floor(rand() * 512) }, () => Math.floor(rand() * 256)));
        // Keep a valid version byte on some so that the length field is what is tested.
        if (i % 4 === 0) junk[0] = 1;
        bad.write(junk);
        return bad;
      }),
    );
    storm.forEach((b) => b.end());
    await Promise.all(storm.map((b) => b.whenClosed()));
    expect(resultOf(await send(base()))).toBe(2001);
  });
});

describe('Gy server: connections a peer does not close', () => {
  /** A raw peer that keeps its side open after the server ends its own (crashed, partitioned). */
  async function halfOpen(port: number): Promise<RawPeer> {
    const peer = await RawPeer.open(port);
    peer.socket.allowHalfOpen = true;
    return peer;
  }
  /**
   * Whether the server has let go of the peer's connection: what the peer writes then is refused
   * (a reset), where a connection the server still holds takes it in silence.
   */
  async function released(peer: RawPeer): Promise<boolean> {
    // The first write draws the reset, the next one meets it.
    peer.write(Buffer.alloc(20));
    await new Promise((r) => setTimeout(r, 100));
    if (!peer.closed) peer.write(Buffer.alloc(20));
    const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 2000).unref());
    return Promise.race([peer.whenClosed().then(() => true), timeout]);
  }

  it('drops a peer left half-open after a DPR or a refused CER once Tw has passed, and closes at once with one still there', async () => {
    const server = await startGyServer({ engine: new FakeEngine(), port: 0, host: '127.0.0.1', ...origin, watchdogMs: 300 });
    try {
      const refused = await halfOpen(server.port);
      expect(valueOf<number>((await refused.exchangeCapabilities([16777238])).avps, 'Result-Code')).toBe(5010);
      const leaving = await halfOpen(server.port);
      await leaving.exchangeCapabilities();
      expect(valueOf<number>((await leaving.ask(leaving.request(282, 0, [avp('Origin-Host', 'raw.test'), avp('Origin-Realm', 'test'), avp('Disconnect-Cause', 0)]))).avps, 'Result-Code')).toBe(2001);
      // Neither closes its side: the server's sockets go after Tw all the same.
      await new Promise((r) => setTimeout(r, 600));
      expect([await released(refused), await released(leaving)]).toEqual([true, true]);
    } finally {
      await server.close();
    }
    // One left half-open when the server stops does not hold the stop.
    const again = await startGyServer({ engine: new FakeEngine(), port: 0, host: '127.0.0.1', ...origin, watchdogMs: 60_000 });
    const lingering = await halfOpen(again.port);
    await lingering.exchangeCapabilities();
    await lingering.ask(lingering.request(282, 0, [avp('Origin-Host', 'raw.test'), avp('Origin-Realm', 'test'), avp('Disconnect-Cause', 0)]));
    await again.close();
    expect(await released(lingering)).toBe(true);
  });

  it('closes a connection that sends answers, or only part of a message, instead of a CER within Tw', async () => {
    const server = await startGyServer({ engine: new FakeEngine(), port: 0, host: '127.0.0.1', ...origin, watchdogMs: 300 });
    try {
      const answering = await RawPeer.open(server.port);
      answering.send({ ...answering.request(280, 0, [avp('Result-Code', 2001), avp('Origin-Host', 'raw.test'), avp('Origin-Realm', 'test')]), flags: { request: false, proxiable: false, error: false, retransmit: false } });
      const within = (peer: RawPeer) => Promise.race([peer.whenClosed().then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 2000).unref())]);
      expect(await within(answering)).toBe(true);
      // A trickle of bytes that never makes a message is no sign of life.
      const trickling = await RawPeer.open(server.port);
      const cer = encodeMessage(trickling.request(257, 0, cerAvps([4])));
      let sent = 0;
      const timer = setInterval(() => trickling.write(cer.subarray(sent, ++sent)), 50); // the CER would take seconds whole
      try {
        expect(await within(trickling)).toBe(true);
      } finally {
        clearInterval(timer);
      }
    } finally {
      await server.close();
    }
  });
});
