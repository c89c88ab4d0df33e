/**
 * The Diameter codec against bytes written out by hand from RFC 6733 §3/§4, RFC 4006 §8 and
 * 3GPP TS 32.299 §7 (codes, flags, lengths, padding), and the CCR mapping to the engine's request.
 */
import { avp, AvpError, checkAvps, decodeAvps, decodeMessage, decodeValue, encodeAvp, encodeAvps, encodeMessage, membersOf, sharedAvp, valueOf, type Avp, type DiameterMessage } from './codec';
import { avpNamed } from './dictionary';
import { buildCcr } from './gy-client-messages';
import { parseCcr } from '../../ocs/diameter/gy-mapping';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** CCR-I for a voice call, byte by byte. */
const REFERENCE_CCR = hex(`
  01 00011c  c0 000110  00000004  00000001  00000002
  00000107 4000000e 67793b313b31 0000
  00000108 4000000b 706777 00
  00000128 4000000b 6e6574 00
  0000011b 4000000b 6f6373 00
  00000102 4000000c 00000004
  000001cd 40000016 33323236304033677070 2e6f7267 0000
  000001a0 4000000c 00000001
  0000019f 4000000c 00000000
  00000037 4000000c ed133920
  000001bb 40000028
    000001c2 4000000c 00000000
    000001bc 40000013 3334363030303030303031 00
  000001c7 4000000c 00000001
  000001c8 40000028
    000001b5 40000014
      000001a4 4000000c 0000003c
    000001b0 4000000c 00000064
  00000369 c0000030 000028af
    0000036c c0000024 000028af
      00000340 c0000018 000028af 74656c3a2b34393330313233
`);

const ccrHeader: Omit<DiameterMessage, 'avps'> = {
  flags: { request: true, proxiable: true, error: false, retransmit: false },
  commandCode: 272,
  applicationId: 4,
  hopByHop: 1,
  endToEnd: 2,
};

const referenceAvps = () =>
  buildCcr({
    sessionId: 'gy;1;1',
    originHost: 'pgw',
    originRealm: 'net',
    destinationRealm: 'ocs',
    type: 'initial',
    requestNumber: 0,
    eventTime: new Date('2026-01-15T10:00:00Z'),
    msisdn: '34600000001',
    destination: '+4930123',
    units: [{ ratingGroup: 100, unit: 'CC-Time', requested: 60 }],
  });

describe('Diameter codec', () => {
  it('encodes a CCR-I to the hand-written bytes', () => {
    expect(encodeMessage({ ...ccrHeader, avps: referenceAvps() }).toString('hex')).toBe(REFERENCE_CCR.toString('hex'));
  });

  it('decodes the hand-written CCR-I and re-encodes it byte for byte', () => {
    const message = decodeMessage(REFERENCE_CCR);
    expect({ ...message, avps: undefined }).toEqual({ ...ccrHeader, avps: undefined });
    expect(message.avps).toHaveLength(13);
    expect(encodeMessage(message).equals(REFERENCE_CCR)).toBe(true);
  });

  it('maps the hand-written CCR-I to the charging request', () => {
    const parsed = parseCcr(decodeMessage(REFERENCE_CCR).avps, new Date('2000-01-01T00:00:00Z'));
    expect(parsed.request).toEqual({
      sessionId: 'gy;1;1',
      requestNumber: 0,
      type: 'initial',
      subscriber: { msisdn: '+34600000001' },
      eventTime: new Date('2026-01-15T10:00:00Z'),
      destination: '+4930123',
      units: [{ ratingGroup: 100, requested: { quantity: '60' } }],
    });
    expect(parsed.ccRequestType).toBe(1);
  });

  it('reads every header flag and 32-bit ids at their limits', () => {
    const message: DiameterMessage = { flags: { request: false, proxiable: true, error: true, retransmit: true }, commandCode: 0xffffff, applicationId: 0xffffffff, hopByHop: 0xffffffff, endToEnd: 0x80000000, avps: [] };
    const bytes = encodeMessage(message);
    expect(bytes.toString('hex')).toBe('01000014' + '70ffffff' + 'ffffffff' + 'ffffffff' + '80000000');
    expect(decodeMessage(bytes)).toEqual(message);
  });

  it('encodes vendor AVPs with the V bit and the vendor id, and grouped AVPs inside them', () => {
    const a = avp('IMS-Information', [avp('Called-Party-Address', 'sip:+1@x')]);
    expect(encodeAvp(a).toString('hex')).toBe('0000036c' + 'c0000020' + '000028af' + '00000340' + 'c0000014' + '000028af' + '7369703a2b314078');
    const [back] = decodeAvps(encodeAvp(a));
    expect(back.vendorId).toBe(10415);
    expect(valueOf<string>(decodeValue(avpNamed('IMS-Information'), back) as Avp[], 'Called-Party-Address')).toBe('sip:+1@x');
  });

  it('reads AVPs in place from a range of a buffer: values, text beyond ASCII, groups, and the payload when asked', () => {
    const avps = [avp('Session-Id', 'gy;1'), avp('Subscription-Id-Data', 'Zoë ✓'), avp('CC-Total-Octets', 2n ** 40n), avp('Granted-Service-Unit', [avp('CC-Time', 60)])];
    const body = encodeAvps(avps);
    // Bytes on either side that are not AVPs: the range alone is read.
    const framed = Buffer.concat([Buffer.from('ffffffff', 'hex'), body, Buffer.from('eeee', 'hex')]);
    const read = decodeAvps(framed, 4, 4 + body.length);
    expect(read.map((a) => a.code)).toEqual(avps.map((a) => a.code));
    expect(decodeValue(avpNamed('Session-Id'), read[0])).toBe('gy;1');
    expect(decodeValue(avpNamed('Subscription-Id-Data'), read[1])).toBe('Zoë ✓');
    expect(decodeValue(avpNamed('CC-Total-Octets'), read[2])).toBe(2n ** 40n);
    expect(valueOf<number>(membersOf(read[3]), 'CC-Time')).toBe(60);
    expect(valueOf<number>(membersOf(avps[3]), 'CC-Time')).toBe(60);
    expect(read.map((a) => a.data)).toEqual(avps.map((a) => a.data));
    expect(encodeAvps(read).equals(body)).toBe(true);
    // Text that is not UTF-8 is refused, in place as from a buffer of its own.
    const bad = encodeAvp({ ...avp('Session-Id', 'x'), data: Buffer.from([0x67, 0xc3, 0x28]) });
    expect(() => decodeValue(avpNamed('Session-Id'), decodeAvps(bad)[0])).toThrow(expect.objectContaining({ resultCode: 5004 }));
  });

  it('shares an AVP of a recurring value, encoded as a new one is, and past its limit still builds the right value', () => {
    const first = sharedAvp('Result-Code', 2001);
    expect(sharedAvp('Result-Code', 2001)).toBe(first);
    expect(encodeAvp(first)).toEqual(encodeAvp(avp('Result-Code', 2001)));
    expect(sharedAvp('Origin-Host', 'ocs.example')).toBe(sharedAvp('Origin-Host', 'ocs.example'));
    expect(sharedAvp('Rating-Group', 7)).not.toBe(sharedAvp('Rating-Group', 8));
    // Values a peer chooses (rating groups) are kept up to a bound, then built each time.
    for (let group = 1000; group < 1200; group++) expect(valueOf([sharedAvp('Rating-Group', group)], 'Rating-Group')).toBe(group);
    expect(sharedAvp('Rating-Group', 1199)).not.toBe(sharedAvp('Rating-Group', 1199));
  });

  it('writes and reads 64-bit values as bigint, beyond 2^53', () => {
    const big = 2n ** 64n - 1n;
    const a = avp('CC-Total-Octets', big);
    expect(encodeAvp(a).toString('hex')).toBe('000001a5' + '40000010' + 'ffffffffffffffff');
    expect(decodeValue(avpNamed('CC-Total-Octets'), a)).toBe(big);
    expect(encodeAvp(avp('CC-Input-Octets', 5_000_000_000n)).toString('hex')).toBe('0000019c' + '40000010' + '000000012a05f200');
    const negative = avp('Value-Digits', -5n);
    expect(encodeAvp(negative).toString('hex')).toBe('000001bf' + '40000010' + 'fffffffffffffffb');
    expect(decodeValue(avpNamed('Value-Digits'), negative)).toBe(-5n);
    expect(decodeValue(avpNamed('Exponent'), avp('Exponent', -2))).toBe(-2);
  });

  it('writes Time from the NTP epoch and reads dates past the 2036 wrap', () => {
    expect(avp('Event-Timestamp', new Date('1970-01-01T00:00:00Z')).data.toString('hex')).toBe('83aa7e80');
    const after = new Date('2040-06-01T00:00:00Z');
    const a = avp('Event-Timestamp', after);
    expect(a.data.readUInt32BE(0)).toBeLessThan(0x80000000);
    expect(decodeValue(avpNamed('Event-Timestamp'), a)).toEqual(after);
  });

  it('writes and reads IPv4 and IPv6 Address values', () => {
    expect(avp('Host-IP-Address', '127.0.0.1').data.toString('hex')).toBe('00017f000001');
    const v6 = avp('Host-IP-Address', '2001:db8::1');
    expect(v6.data.toString('hex')).toBe('0002' + '20010db8000000000000000000000001');
    expect(decodeValue(avpNamed('Host-IP-Address'), v6)).toBe('2001:db8:0:0:0:0:0:1');
  });

  it('refuses an AVP whose length runs past the message (5014) and one below the header size', () => {
    const tooLong = hex('00000107 40000040 6162 0000');
    expect(() => decodeAvps(tooLong)).toThrow(AvpError);
    try {
      decodeAvps(tooLong);
    } catch (err) {
      expect((err as AvpError).resultCode).toBe(5014);
      expect((err as AvpError).failedAvp.code).toBe(263);
    }
    expect(() => decodeAvps(hex('000001a0 40000004 00000001'))).toThrow(expect.objectContaining({ resultCode: 5014 }));
  });

  it('checks grouped contents: unknown mandatory AVP 5001, wrong fixed size 5014, unknown enumerated value 5004', () => {
    const unknownInside = avp('Multiple-Services-Credit-Control', [{ code: 99999, mandatory: true, data: Buffer.from([1]) }]);
    expect(() => checkAvps([unknownInside])).toThrow(expect.objectContaining({ resultCode: 5001, failedAvp: expect.objectContaining({ code: 99999 }) }));
    expect(() => checkAvps([{ code: 99999, mandatory: false, data: Buffer.alloc(3) }])).not.toThrow();
    expect(() => checkAvps([{ code: 415, mandatory: true, data: Buffer.alloc(5) }])).toThrow(expect.objectContaining({ resultCode: 5014 }));
    expect(() => checkAvps([avp('CC-Request-Type', 9)])).toThrow(expect.objectContaining({ resultCode: 5004 }));
    expect(() => checkAvps([{ code: 263, mandatory: true, data: Buffer.from([0xff, 0xfe]) }])).toThrow(expect.objectContaining({ resultCode: 5004 }));
  });
});
