/**
 * CCR → ChargingRequest and ChargingAnswer → CCA beyond the common cases the server tests cover:
 * how the destination is found, which unit AVP a rating group uses, subscriber identities, and
 * grants rounded down to whole units.
 */
import { avp, decodeMessage, decodeValue, encodeMessage, findAvp, findAvps, valueOf, type Avp, type AvpError } from '../../network/diameter/codec';
import { avpDefinition, avpNamed } from '../../network/diameter/dictionary';
import { plainAvps } from '../../test/gy/plain-avps';
import { buildCcr } from '../../network/diameter/gy-client-messages';
import type { ChargingAnswer, UnitGrant } from '../engine/types';
import { ccaAvps, parseCcr, quoteCcaAvps, unitValue } from './gy-mapping';

const now = new Date('2026-05-05T05:05:05Z');
const base = (extra: Partial<Parameters<typeof buildCcr>[0]> = {}): Avp[] =>
  buildCcr({ sessionId: 's;1', originHost: 'h', originRealm: 'r', destinationRealm: 'r', type: 'update', requestNumber: 3, msisdn: '34600000001', units: [], ...extra });
const withService = (avps: Avp[], info: Avp) => [...avps, avp('Service-Information', [info])];

/** The AvpError parseCcr refuses these AVPs with (a test fails if it accepts them). */
function refusalOf(avps: Avp[]): AvpError {
  try {
    parseCcr(avps, now);
  } catch (err) {
    return err as AvpError;
  }
  throw new Error('accepted');
}

describe('Gy mapping', () => {
  it('finds the destination in a SIP Called-Party-Address, and in Called-Station-Id only when it is a number', () => {
    const sip = withService(base(), avp('IMS-Information', [avp('Called-Party-Address', 'sip:+4930123@ims.example;user=phone')]));
    expect(parseCcr(sip, now).request.destination).toBe('+4930123');
    expect(parseCcr([...base(), avp('Called-Station-Id', 'internet.apn')], now).request.destination).toBeUndefined();
    expect(parseCcr([...base(), avp('Called-Station-Id', '+34911000000')], now).request.destination).toBe('+34911000000');
  });

  it('reads an E.164 Subscription-Id-Data with or without its + as the subscriber\'s number with it, and refuses one that is no E.164 number (5004)', () => {
    const e164 = (data: string) => avp('Subscription-Id', [avp('Subscription-Id-Type', 0), avp('Subscription-Id-Data', data)]);
    expect(parseCcr([...base({ msisdn: undefined }), e164('34600000001')], now).request.subscriber).toEqual({ msisdn: '+34600000001' });
    expect(parseCcr([...base({ msisdn: undefined }), e164('+34600000001')], now).request.subscriber).toEqual({ msisdn: '+34600000001' });
    const refused = refusalOf([...base({ msisdn: undefined }), e164('tel:+34600000001')]);
    expect(refused.resultCode).toBe(5004);
    expect(refused.failedAvp.code).toBe(avpNamed('Subscription-Id-Data').code);
    expect(refused.failedAvp.data.toString()).toBe('tel:+34600000001');
  });

  it('reads a destination in international format without its + (an SMS recipient) as the same number as with it, and keeps a short code', () => {
    const sms = (address: string, type = 1) => withService(base(), avp('SMS-Information', [avp('Recipient-Info', [avp('Recipient-Address', [avp('Address-Type', type), avp('Address-Data', address)])])]));
    expect(parseCcr(sms('34612345678'), now).request.destination).toBe('+34612345678');
    expect(parseCcr(sms('+34612345678'), now).request.destination).toBe('+34612345678');
    expect(parseCcr(sms('7777'), now).request.destination).toBe('7777');
    // A numeric short code (Address-Type 4) of five digits is no international number either.
    expect(parseCcr(sms('22777', 4), now).request.destination).toBe('22777');
    expect(parseCcr(sms('alice@example.com', 0), now).request.destination).toBeUndefined();
    expect(parseCcr([...base(), avp('Called-Station-Id', '34911000000')], now).request.destination).toBe('+34911000000');
  });

  it('takes the first E.164 and the first IMSI, ignores other identity types, and refuses a request with neither (5005)', () => {
    const sipOnly = avp('Subscription-Id', [avp('Subscription-Id-Type', 2), avp('Subscription-Id-Data', 'sip:a@b')]);
    const imsi = avp('Subscription-Id', [avp('Subscription-Id-Type', 1), avp('Subscription-Id-Data', '214010000000009')]);
    expect(parseCcr([...base({ msisdn: undefined }), sipOnly, imsi], now).request.subscriber).toEqual({ imsi: '214010000000009' });
    expect(() => parseCcr([...base({ msisdn: undefined }), sipOnly], now)).toThrow(expect.objectContaining({ resultCode: 5005 }));
    const noData = avp('Subscription-Id', [avp('Subscription-Id-Type', 0)]);
    expect(() => parseCcr([...base({ msisdn: undefined }), noData], now)).toThrow(expect.objectContaining({ resultCode: 5005, failedAvp: avp('Subscription-Id-Data', '') }));
  });

  it('reads a rating group outside the catalogue in the unit its request uses, and answers in the same unit', () => {
    const mscc = avp('Multiple-Services-Credit-Control', [avp('Requested-Service-Unit', [avp('CC-Service-Specific-Units', 5n)]), avp('Rating-Group', 999)]);
    const parsed = parseCcr([...base(), mscc], now);
    expect(parsed.request.units).toEqual([{ ratingGroup: 999, requested: { quantity: '5' } }]);
    const cca = ccaAvps(parsed, { sessionId: 's;1', requestNumber: 3, resultCode: 2001, units: [{ ratingGroup: 999, resultCode: 2001, granted: { quantity: '5' } }] }, { originHost: 'o', originRealm: 'r' });
    expect(cca.at(-1)).toEqual(avp('Multiple-Services-Credit-Control', [avp('Granted-Service-Unit', [avp('CC-Service-Specific-Units', 5n)]), avp('Rating-Group', 999), avp('Result-Code', 2001)]));
  });

  it('prefers the service unit of a known rating group when a request carries several', () => {
    const rsu = avp('Requested-Service-Unit', [avp('CC-Total-Octets', 1000n), avp('CC-Time', 30)]);
    const parsed = parseCcr([...base(), avp('Multiple-Services-Credit-Control', [rsu, avp('Rating-Group', 100)])], now);
    expect(parsed.request.units).toEqual([{ ratingGroup: 100, requested: { quantity: '30' } }]);
  });

  it('rounds a fractional grant down and writes voice seconds as Unsigned32', () => {
    const parsed = parseCcr(base({ units: [{ ratingGroup: 100, unit: 'CC-Time', requested: 60 }] }), now);
    const cca = ccaAvps(parsed, { sessionId: 's;1', requestNumber: 3, resultCode: 2001, units: [{ ratingGroup: 100, resultCode: 2001, granted: { quantity: '59.99' }, validityTime: 120 }] }, { originHost: 'o', originRealm: 'r' });
    expect(cca.at(-1)).toEqual(avp('Multiple-Services-Credit-Control', [avp('Granted-Service-Unit', [avp('CC-Time', 59)]), avp('Rating-Group', 100), avp('Validity-Time', 120), avp('Result-Code', 2001)]));
  });

  it('writes a call grant\'s Time-Quota-Threshold, a data grant\'s Volume-Quota-Threshold and Quota-Holding-Time, after Result-Code (TS 32.299 order)', () => {
    const parsed = parseCcr(base({ units: [{ ratingGroup: 100, unit: 'CC-Time', requested: 300 }, { ratingGroup: 300, unit: 'CC-Total-Octets', requested: 10_485_760 }] }), now);
    const cca = ccaAvps(
      parsed,
      {
        sessionId: 's;1',
        requestNumber: 0,
        resultCode: 2001,
        units: [
          { ratingGroup: 100, resultCode: 2001, granted: { quantity: '300' }, validityTime: 600, quotaThreshold: '60' },
          { ratingGroup: 300, resultCode: 2001, granted: { quantity: '10485760' }, validityTime: 600, quotaThreshold: '2097152', quotaHoldingTime: 120 },
        ],
      },
      { originHost: 'o', originRealm: 'r' },
    );
    expect(cca.slice(-2)).toEqual([
      avp('Multiple-Services-Credit-Control', [avp('Granted-Service-Unit', [avp('CC-Time', 300)]), avp('Rating-Group', 100), avp('Validity-Time', 600), avp('Result-Code', 2001), avp('Time-Quota-Threshold', 60)]),
      avp('Multiple-Services-Credit-Control', [
        avp('Granted-Service-Unit', [avp('CC-Total-Octets', 10_485_760n)]),
        avp('Rating-Group', 300),
        avp('Validity-Time', 600),
        avp('Result-Code', 2001),
        avp('Volume-Quota-Threshold', 2_097_152),
        avp('Quota-Holding-Time', 120),
      ]),
    ]);
    // On the wire: 3GPP vendor-specific AVPs (10415), decoded back as sent.
    const decoded = decodeMessage(encodeMessage({ flags: { request: false, proxiable: true, error: false, retransmit: false }, commandCode: 272, applicationId: 4, hopByHop: 1, endToEnd: 1, avps: cca }));
    const data = decodeValue(avpNamed('Multiple-Services-Credit-Control'), findAvps(decoded.avps, 'Multiple-Services-Credit-Control')[1]) as Avp[];
    expect(valueOf(data, 'Volume-Quota-Threshold')).toBe(2_097_152);
    expect(valueOf(data, 'Quota-Holding-Time')).toBe(120);
    expect(findAvp(data, 'Quota-Holding-Time')).toMatchObject({ code: 871, vendorId: 10415, mandatory: true });
  });

  it('tells a session\'s client, in its first answer only, that the session may move to another OCS and what to do when none answers (RFC 4006 §5.7, in §3.2 order)', () => {
    const answer = (requestNumber: number): ChargingAnswer => ({ sessionId: 's;1', requestNumber, resultCode: 2001, units: [{ ratingGroup: 100, resultCode: 2001, granted: { quantity: '60' }, validityTime: 600 }] });
    const origin = { originHost: 'o', originRealm: 'r', failureHandling: 'RETRY_AND_TERMINATE' as const };
    const initial = ccaAvps(parseCcr(base({ type: 'initial', requestNumber: 0, units: [{ ratingGroup: 100, unit: 'CC-Time', requested: 60 }] }), now), answer(0), origin);
    const names = (avps: Avp[]) => avps.map((a) => avpDefinition(a.code, a.vendorId)?.name);
    expect(names(initial).slice(6)).toEqual(['CC-Request-Number', 'CC-Session-Failover', 'Multiple-Services-Credit-Control', 'Credit-Control-Failure-Handling']);
    expect(valueOf(initial, 'CC-Session-Failover')).toBe(1); // FAILOVER_SUPPORTED
    expect(valueOf(initial, 'Credit-Control-Failure-Handling')).toBe(2); // RETRY_AND_TERMINATE
    const update = ccaAvps(parseCcr(base({ type: 'update', requestNumber: 1, units: [{ ratingGroup: 100, unit: 'CC-Time', requested: 60, used: 60 }] }), now), answer(1), origin);
    expect(names(update).slice(6)).toEqual(['CC-Request-Number', 'Multiple-Services-Credit-Control']);
    // Not configured: the client's own settings hold, and nothing is said.
    const plain = ccaAvps(parseCcr(base({ type: 'initial', requestNumber: 0, units: [{ ratingGroup: 100, unit: 'CC-Time', requested: 60 }] }), now), answer(0), { originHost: 'o', originRealm: 'r' });
    expect(names(plain).slice(6)).toEqual(['CC-Request-Number', 'Multiple-Services-Credit-Control']);
  });

  it('answers final units with TERMINATE, REDIRECT to the URL the grant names (with its Filter-Id), or RESTRICT_ACCESS to a Filter-Id alone', () => {
    const parsed = parseCcr(base({ units: [{ ratingGroup: 300, unit: 'CC-Total-Octets', requested: 1024 }] }), now);
    const msccOf = (grant: Partial<UnitGrant>) =>
      ccaAvps(parsed, { sessionId: 's;1', requestNumber: 3, resultCode: 2001, units: [{ ratingGroup: 300, resultCode: 2001, granted: { quantity: '1024' }, finalUnit: true, ...grant }] }, { originHost: 'o', originRealm: 'r' }).at(-1);
    const mscc = (fui: Avp) => avp('Multiple-Services-Credit-Control', [avp('Granted-Service-Unit', [avp('CC-Total-Octets', 1024n)]), avp('Rating-Group', 300), avp('Result-Code', 2001), fui]);
    expect(msccOf({})).toEqual(mscc(avp('Final-Unit-Indication', [avp('Final-Unit-Action', 0)])));
    const redirect = avp('Redirect-Server', [avp('Redirect-Address-Type', 2), avp('Redirect-Server-Address', 'https://topup.example.com/')]);
    expect(msccOf({ redirectTo: 'https://topup.example.com/' })).toEqual(mscc(avp('Final-Unit-Indication', [avp('Final-Unit-Action', 1), redirect])));
    // RFC 4006 §8.34 order: Final-Unit-Action, Filter-Id, Redirect-Server.
    expect(msccOf({ redirectTo: 'https://topup.example.com/', filterId: 'topup-and-care' })).toEqual(mscc(avp('Final-Unit-Indication', [avp('Final-Unit-Action', 1), avp('Filter-Id', 'topup-and-care'), redirect])));
    expect(msccOf({ filterId: 'topup-and-care' })).toEqual(mscc(avp('Final-Unit-Indication', [avp('Final-Unit-Action', 2), avp('Filter-Id', 'topup-and-care')])));
  });

  it('reads the services a client reports apart in one rating group (Service-Identifier) as one unit request: usage added up, the largest quota asked, granted for the rating group', () => {
    const units = [
      { ratingGroup: 300, serviceIdentifier: 1, unit: 'CC-Total-Octets' as const, requested: 1000, used: 700 },
      { ratingGroup: 100, unit: 'CC-Time' as const, requested: 60, used: 60 },
      { ratingGroup: 300, serviceIdentifier: 2, unit: 'CC-Total-Octets' as const, requested: 4000, used: 300 },
      { ratingGroup: 300, serviceIdentifier: 3, unit: 'CC-Total-Octets' as const, requested: true as const },
    ];
    const parsed = parseCcr(base({ units }), now);
    expect(parsed.request.units).toEqual([
      { ratingGroup: 300, requested: { quantity: '4000' }, used: { quantity: '1000' } },
      { ratingGroup: 100, requested: { quantity: '60' }, used: { quantity: '60' } },
    ]);
    // One service alone keeps its Service-Identifier, and only its default quota asked is the default.
    expect(parseCcr(base({ units: [units[3]] }), now).request.units).toEqual([{ ratingGroup: 300, serviceIdentifier: 3, requested: {} }]);
    expect(parseCcr(base({ units: [units[3], { ...units[3], serviceIdentifier: 4 }] }), now).request.units).toEqual([{ ratingGroup: 300, requested: {} }]);
    // The merged grant is the rating group's: no Service-Identifier in its answer.
    const cca = ccaAvps(parsed, { sessionId: 's;1', requestNumber: 3, resultCode: 2001, units: [{ ratingGroup: 300, resultCode: 2001, granted: { quantity: '4000' } }] }, { originHost: 'o', originRealm: 'r' });
    expect(cca.at(-1)).toEqual(avp('Multiple-Services-Credit-Control', [avp('Granted-Service-Unit', [avp('CC-Total-Octets', 4000n)]), avp('Rating-Group', 300), avp('Result-Code', 2001)]));
  });

  it('refuses one rating group reported twice for the same service (5004, the second\'s Service-Identifier, else Rating-Group): its usage would be debited twice', () => {
    const refusal = (units: Parameters<typeof buildCcr>[0]['units']) => refusalOf(base({ units }));
    const twice = refusal([
      { ratingGroup: 100, unit: 'CC-Time', requested: 60, used: 60 },
      { ratingGroup: 300, unit: 'CC-Total-Octets', requested: 1000 },
      { ratingGroup: 100, unit: 'CC-Time', requested: 60, used: 60 },
    ]);
    expect(twice).toMatchObject({ resultCode: 5004, message: expect.stringContaining('Rating-Group 100') });
    expect(plainAvps([twice.failedAvp])).toEqual([avp('Rating-Group', 100)]);
    const sameService = refusal([
      { ratingGroup: 300, serviceIdentifier: 7, unit: 'CC-Total-Octets', used: 10 },
      { ratingGroup: 300, serviceIdentifier: 8, unit: 'CC-Total-Octets', used: 10 },
      { ratingGroup: 300, serviceIdentifier: 7, unit: 'CC-Total-Octets', used: 10 },
    ]);
    expect(sameService).toMatchObject({ resultCode: 5004, message: expect.stringContaining('Rating-Group 300 and Service-Identifier 7') });
    expect(plainAvps([sameService.failedAvp])).toEqual([avp('Service-Identifier', 7)]);
  });

  it('refuses a second AVP where a CCR or its Multiple-Services-Credit-Control has room for one (5009, Failed-AVP the second): which one counts would be a guess', () => {
    const twice = refusalOf([...base(), avp('CC-Request-Number', 4)]);
    expect(twice).toMatchObject({ resultCode: 5009, message: 'CC-Request-Number more than once' });
    expect(plainAvps([twice.failedAvp])).toEqual([avp('CC-Request-Number', 4)]);
    const mscc = (...members: Avp[]) => [...base(), avp('Multiple-Services-Credit-Control', [avp('Rating-Group', 100), ...members])];
    const asked = (seconds: number) => avp('Requested-Service-Unit', [avp('CC-Time', seconds)]);
    const twoQuotas = refusalOf(mscc(asked(60), asked(600)));
    expect([twoQuotas.resultCode, ...plainAvps([twoQuotas.failedAvp])]).toEqual([5009, asked(600)]);
    expect(refusalOf(mscc(avp('Rating-Group', 300))).resultCode).toBe(5009);
    // Several Used-Service-Units and Subscription-Ids are allowed.
    const used = (seconds: number) => avp('Used-Service-Unit', [avp('CC-Time', seconds)]);
    expect(parseCcr(mscc(used(30), used(15)), now).request.units).toEqual([{ ratingGroup: 100, used: { quantity: '45' } }]);
  });

  it('refuses a second unit in a Requested- or Used-Service-Unit, or a second type or datum in a Subscription-Id (5009): the usage read would be a guess', () => {
    const twoTimes = avp('Used-Service-Unit', [avp('CC-Time', 10), avp('CC-Time', 5000)]);
    const used = refusalOf([...base(), avp('Multiple-Services-Credit-Control', [twoTimes, avp('Rating-Group', 100)])]);
    expect([used.resultCode, ...plainAvps([used.failedAvp])]).toEqual([5009, avp('CC-Time', 5000)]);
    const twoData = avp('Subscription-Id', [avp('Subscription-Id-Type', 0), avp('Subscription-Id-Data', '34600000001'), avp('Subscription-Id-Data', '34600000002')]);
    const subscriber = refusalOf([...base().filter((a) => a.code !== 443), twoData]);
    expect([subscriber.resultCode, ...plainAvps([subscriber.failedAvp])]).toEqual([5009, avp('Subscription-Id-Data', '34600000002')]);
    // Single-service units at command level likewise.
    const commandLevel = refusalOf([...base(), avp('Requested-Service-Unit', [avp('CC-Total-Octets', 1n), avp('CC-Total-Octets', 2n)])]);
    expect(commandLevel.resultCode).toBe(5009);
  });

  it('refuses more than 256 Multiple-Services-Credit-Control (5009, the first one too many): many thousands of them would hold the OCS up', () => {
    const services = (n: number) => Array.from({ length: n }, (_, i) => ({ ratingGroup: 300, serviceIdentifier: i, unit: 'CC-Total-Octets' as const, used: 1 }));
    expect(parseCcr(base({ units: services(256) }), now).request.units).toEqual([{ ratingGroup: 300, used: { quantity: '256' } }]);
    const refused = refusalOf(base({ units: services(257) }));
    expect(refused.resultCode).toBe(5009);
    expect(plainAvps([refused.failedAvp])).toEqual([avp('Multiple-Services-Credit-Control', [avp('Used-Service-Unit', [avp('CC-Total-Octets', 1n)]), avp('Service-Identifier', 256), avp('Rating-Group', 300)])]);
  });

  it('refuses an SMS recipient of Address-Type numeric short code that is no number (5004)', () => {
    const recipient = (data: string) => avp('SMS-Information', [avp('Recipient-Info', [avp('Recipient-Address', [avp('Address-Type', 4), avp('Address-Data', data)])])]);
    expect(parseCcr(withService(base(), recipient('22177')), now).request.destination).toBe('22177');
    const refused = refusalOf(withService(base(), recipient('abc;DROP')));
    expect([refused.resultCode, ...plainAvps([refused.failedAvp])]).toEqual([5004, avp('Address-Data', 'abc;DROP')]);
  });

  it('refuses an empty Session-Id, and one that begins as a ledger reference of balance management (5004): its entries could not be written', () => {
    for (const sessionId of ['', 'topup:x;1', 'expiry:1']) {
      const avps = base().map((a) => (a.code === 263 ? avp('Session-Id', sessionId) : a));
      expect(() => parseCcr(avps, now)).toThrow(expect.objectContaining({ resultCode: 5004, failedAvp: avp('Session-Id', sessionId) }));
    }
    expect(parseCcr(base({ sessionId: 'pgw.example.com;1;topup:1' }), now).request.sessionId).toBe('pgw.example.com;1;topup:1');
  });

  it('refuses a Session-Id longer than 512 bytes of UTF-8 (5004): it keys the session in the database', () => {
    expect(parseCcr(base({ sessionId: `h;${'é'.repeat(255)}` }), now).request.sessionId).toHaveLength(257); // 512 bytes
    const long = `h;${'é'.repeat(255)}x`;
    const refused = refusalOf(base({ sessionId: long }));
    expect(refused).toMatchObject({ resultCode: 5004 });
    expect(plainAvps([refused.failedAvp])).toEqual([avp('Session-Id', long)]);
  });

  it('refuses an event request without Multiple-Services-Credit-Control (5005): it would pass free', () => {
    expect(() => parseCcr(base({ type: 'event' }), now)).toThrow(expect.objectContaining({ resultCode: 5005, failedAvp: avp('Multiple-Services-Credit-Control', []) }));
    expect(parseCcr(base({ type: 'initial' }), now).request.units).toEqual([]); // a session may ask for quota later
  });

  it('reads Requested-Action of an event: a debit, a refund, a balance check or a price enquiry; refuses any of the others in a session (5004)', () => {
    const sms = { ratingGroup: 200, unit: 'CC-Service-Specific-Units' as const, requested: 1 };
    const event = (action?: number) => [...base({ type: 'event', units: [sms] }), ...(action === undefined ? [] : [avp('Requested-Action', action)])];
    expect(parseCcr(event(), now).action).toBe('debit');
    expect(parseCcr(event(0), now)).toMatchObject({ action: 'debit', request: { type: 'event', units: [{ ratingGroup: 200 }] } });
    expect(parseCcr(event(2), now).action).toBe('check-balance');
    expect(parseCcr(event(3), now).action).toBe('price-enquiry');
    for (const action of [1, 2, 3]) {
      expect(() => parseCcr([...base({ type: 'initial', units: [sms] }), avp('Requested-Action', action)], now)).toThrow(expect.objectContaining({ resultCode: 5004, failedAvp: avp('Requested-Action', action) }));
    }
  });

  it('reads single-service credit control (units at command level, RFC 4006) in the rating group of the Service-Context-Id, else of the unit', () => {
    const single = (context: string, ...units: Avp[]) => parseCcr([...base({ type: 'initial', requestNumber: 0, serviceContextId: context }), ...units], now);
    const call = single('32260@3gpp.org', avp('Requested-Service-Unit', [avp('CC-Time', 120)]));
    expect(call).toMatchObject({ singleService: true, request: { units: [{ ratingGroup: 100, requested: { quantity: '120' } }] } });
    // A default quota of data, by the PS charging application (a release prefix is allowed).
    expect(single('8.32251@3gpp.org', avp('Requested-Service-Unit', [])).request.units).toEqual([{ ratingGroup: 300, requested: {} }]);
    // No 3GPP context: the unit says which service; used units add up.
    const report = single('ocs@example.com', avp('Used-Service-Unit', [avp('CC-Total-Octets', 1000n)]), avp('Used-Service-Unit', [avp('CC-Total-Octets', 24n)]));
    expect(report.request.units).toEqual([{ ratingGroup: 300, used: { quantity: '1024' } }]);
    expect(() => single('ocs@example.com', avp('Requested-Service-Unit', []))).toThrow(expect.objectContaining({ resultCode: 5005 }));
    // With Multiple-Services-Credit-Control, command-level units are not read.
    expect(parseCcr(base({ type: 'initial', requestNumber: 0, units: [{ ratingGroup: 100, unit: 'CC-Time', requested: 60 }] }), now).singleService).toBeUndefined();

    // The answer at command level: the grant, the final-unit indication, the validity; a refusal as the answer's Result-Code.
    const answer = (unit: ChargingAnswer['units'][0]): ChargingAnswer => ({ sessionId: 's;1', requestNumber: 0, resultCode: 2001, units: [unit] });
    const origin = { originHost: 'o', originRealm: 'r' };
    expect(ccaAvps(call, answer({ ratingGroup: 100, resultCode: 2001, granted: { quantity: '120' }, validityTime: 600, finalUnit: true }), origin).slice(1)).toEqual([
      avp('Result-Code', 2001),
      avp('Origin-Host', 'o'),
      avp('Origin-Realm', 'r'),
      avp('Auth-Application-Id', 4),
      avp('CC-Request-Type', 1),
      avp('CC-Request-Number', 0),
      avp('Granted-Service-Unit', [avp('CC-Time', 120)]),
      avp('Final-Unit-Indication', [avp('Final-Unit-Action', 0)]),
      avp('Validity-Time', 600),
    ]);
    const refused = ccaAvps(call, answer({ ratingGroup: 100, resultCode: 4012 }), origin);
    expect(valueOf(refused, 'Result-Code')).toBe(4012);
    expect(findAvp(refused, 'Multiple-Services-Credit-Control')).toBeUndefined();
  });

  it('reads a refund: the Refund-Information (TS 32.299) of each Multiple-Services-Credit-Control, which it must carry (5005)', () => {
    const info = (ref: string) => avp('Refund-Information', Buffer.from(ref, 'utf8'));
    const refund = (...mscc: Avp[][]) => [...base({ type: 'event', requestNumber: 0 }), avp('Requested-Action', 1), ...mscc.map((m) => avp('Multiple-Services-Credit-Control', m))];
    expect(parseCcr(refund([avp('Rating-Group', 200), info('smsc;1;+34600000001#0')]), now)).toMatchObject({
      action: 'refund',
      refund: { sessionId: 's;1', requestNumber: 0, subscriber: { msisdn: '+34600000001' }, units: [{ ratingGroup: 200, refundInformation: 'smsc;1;+34600000001#0' }] },
    });
    // Two events of one rating group are two refunds.
    expect(parseCcr(refund([avp('Rating-Group', 200), info('smsc;1;+34600000001#0')], [avp('Rating-Group', 200), info('smsc;2;+34600000001#0')]), now).refund!.units).toEqual([
      { ratingGroup: 200, refundInformation: 'smsc;1;+34600000001#0' },
      { ratingGroup: 200, refundInformation: 'smsc;2;+34600000001#0' },
    ]);
    expect(() => parseCcr(refund([avp('Rating-Group', 200)]), now)).toThrow(expect.objectContaining({ resultCode: 5005, failedAvp: avp('Refund-Information', Buffer.alloc(0)) }));
    // A refund with its units at command level (single-service) names no event either.
    const commandLevel = [...base({ type: 'event', requestNumber: 0 }), avp('Requested-Action', 1), avp('Requested-Service-Unit', [avp('CC-Service-Specific-Units', 1n)])];
    expect(() => parseCcr(commandLevel, now)).toThrow(expect.objectContaining({ resultCode: 5005, failedAvp: avp('Refund-Information', Buffer.alloc(0)) }));
    expect(() => parseCcr(refund([avp('Rating-Group', 200), info('x'.repeat(600))]), now)).toThrow(expect.objectContaining({ resultCode: 5004 }));
    // The answer to an event charged carries what a refund names, after the other AVPs of its Multiple-Services-Credit-Control.
    const sms = parseCcr(base({ type: 'event', requestNumber: 0, units: [{ ratingGroup: 200, unit: 'CC-Service-Specific-Units', requested: 1 }] }), now);
    const cca = ccaAvps(sms, { sessionId: 's;1', requestNumber: 0, resultCode: 2001, units: [{ ratingGroup: 200, resultCode: 2001, granted: { quantity: '1' }, refundInformation: 's;1#0' }] }, { originHost: 'o', originRealm: 'r' });
    expect(cca.at(-1)).toEqual(avp('Multiple-Services-Credit-Control', [avp('Granted-Service-Unit', [avp('CC-Service-Specific-Units', 1n)]), avp('Rating-Group', 200), avp('Result-Code', 2001), info('s;1#0')]));
  });

  it('answers a balance check with Check-Balance-Result and a price enquiry with Cost-Information (Unit-Value, ISO 4217 number)', () => {
    const sms = { ratingGroup: 200, unit: 'CC-Service-Specific-Units' as const, requested: 1 };
    const parsed = (action: number) => parseCcr([...base({ type: 'event', units: [sms] }), avp('Requested-Action', action)], now);
    const origin = { originHost: 'o', originRealm: 'r' };
    const tail = (avps: Avp[]) => plainAvps(avps.slice(7));
    const resultCode = (avps: Avp[]) => plainAvps(avps).find((a) => a.code === 268);
    expect(tail(quoteCcaAvps(parsed(2), { resultCode: 2001, enoughCredit: true, cost: { amount: '0.1', currency: 'EUR' } }, origin))).toEqual([avp('Check-Balance-Result', 0)]);
    expect(tail(quoteCcaAvps(parsed(2), { resultCode: 2001, enoughCredit: false, cost: { amount: '0.1', currency: 'EUR' } }, origin))).toEqual([avp('Check-Balance-Result', 1)]);
    expect(tail(quoteCcaAvps(parsed(3), { resultCode: 2001, enoughCredit: false, cost: { amount: '0.15', currency: 'EUR' } }, origin))).toEqual([
      avp('Cost-Information', [avp('Unit-Value', [avp('Value-Digits', 15n), avp('Exponent', -2)]), avp('Currency-Code', 978)]),
    ]);
    expect(plainAvps([unitValue('12')])).toEqual([avp('Unit-Value', [avp('Value-Digits', 12n)])]);
    expect(plainAvps([unitValue('0')])).toEqual([avp('Unit-Value', [avp('Value-Digits', 0n)])]);
    // A refusal carries neither.
    const unknown = quoteCcaAvps(parsed(3), { resultCode: 5030, enoughCredit: false }, origin);
    expect(resultCode(unknown)).toEqual(avp('Result-Code', 5030));
    expect(tail(unknown)).toEqual([]);
  });

  it('refuses a CCR of another application in Auth-Application-Id (5004) and a missing Service-Context-Id (5005)', () => {
    expect(() => parseCcr(base().map((a) => (a.code === 258 ? avp('Auth-Application-Id', 16777238) : a)), now)).toThrow(expect.objectContaining({ resultCode: 5004 }));
    expect(() => parseCcr(base().filter((a) => a.code !== 461), now)).toThrow(expect.objectContaining({ resultCode: 5005, failedAvp: avp('Service-Context-Id', '') }));
  });
});
