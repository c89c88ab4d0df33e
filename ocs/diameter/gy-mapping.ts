/**
 * Gy (RFC 4006 / RFC 8506 with 3GPP TS 32.299) to the charging engine and back: a CCR becomes a
 * ChargingRequest, a ChargingAnswer becomes the AVPs of a CCA. Units follow the rating group's
 * service: CC-Time (seconds) for voice, CC-Total-Octets (or input + output) for data,
 * CC-Service-Specific-Units (events) for SMS.
 */
import { code as currencyCode } from 'currency-codes';
import { ONE, parseMicros } from '../../domain/micros';
import { destinationNumber, internationalNumber } from '../../domain/charging/numbers';
import { MAX_SESSION_ID_BYTES, RESULT, SERVICE_OF_RATING_GROUP, sessionIdLikePrepayReference, sessionIdTooLong, type ChargingAnswer, type ChargingQuote, type ChargingRequest, type RefundRequest, type ServiceType, type UnitGrant, type UnitRequest } from '../engine/types';
import { avp, AvpError, avpKeys, CheckedAvps, exampleAvp, findAvps, sharedAvp, type Avp, type AvpValue } from '../../network/diameter/codec';
import { ADDRESS_TYPE, APPLICATION, avpDefinition, CC_FAILURE_HANDLING, CC_REQUEST_TYPE, CC_SESSION_FAILOVER, CHECK_BALANCE_RESULT, DIAMETER_RESULT, FINAL_UNIT_ACTION, REDIRECT_ADDRESS_TYPE, REQUESTED_ACTION, SUBSCRIPTION_ID_TYPE } from '../../network/diameter/dictionary';

/** Which AVP carries the quantity of a rating group's units. */
export type UnitAvp = 'CC-Time' | 'CC-Total-Octets' | 'CC-Service-Specific-Units';

const UNIT_OF_SERVICE: Record<string, UnitAvp> = { voice: 'CC-Time', data: 'CC-Total-Octets', sms: 'CC-Service-Specific-Units' };

/** What an event request asks for (Requested-Action): a debit, a refund of an event charged before, or a balance check or price enquiry that changes nothing. */
export type CcrAction = 'debit' | 'refund' | 'check-balance' | 'price-enquiry';

/** A CCR read: the engine's request, plus what the answer must echo and how to express its units. */
export interface ParsedCcr {
  request: ChargingRequest;
  ccRequestType: number;
  action: CcrAction;
  /** The realm the request is for (Destination-Realm): the server serves only its own. */
  destinationRealm: string;
  /** With action 'refund': the events to give back, by the Refund-Information of their answers. */
  refund?: RefundRequest;
  /** Single-service credit control (RFC 4006 without Multiple-Services-Credit-Control): the units, and so the answer's, at command level. */
  singleService?: boolean;
  /** The unit AVP per rating group, as the service (or failing that the request) uses it. */
  unitAvps: Map<number, UnitAvp>;
}

const REQUEST_TYPE: Record<number, ChargingRequest['type']> = {
  [CC_REQUEST_TYPE.INITIAL_REQUEST]: 'initial',
  [CC_REQUEST_TYPE.UPDATE_REQUEST]: 'update',
  [CC_REQUEST_TYPE.TERMINATION_REQUEST]: 'termination',
  [CC_REQUEST_TYPE.EVENT_REQUEST]: 'event',
};

/** RFC 4006 §3.1: the AVPs every CCR carries. */
const REQUIRED = ['Session-Id', 'Origin-Host', 'Origin-Realm', 'Destination-Realm', 'Auth-Application-Id', 'Service-Context-Id', 'CC-Request-Type', 'CC-Request-Number'];

/** What a CCR (RFC 4006 §3.1) and its Multiple-Services-Credit-Control (§8.16) carry once at most, of what is read here. */
const ONCE_IN_CCR = avpKeys([...REQUIRED, 'Destination-Host', 'Event-Timestamp', 'Requested-Action', 'Multiple-Services-Indicator', 'Requested-Service-Unit']);
const ONCE_IN_MSCC = avpKeys(['Rating-Group', 'Service-Identifier', 'Requested-Service-Unit', 'Refund-Information']);
const ONCE_IN_SUBSCRIPTION_ID = avpKeys(['Subscription-Id-Type', 'Subscription-Id-Data']);
/** A Requested- or Used-Service-Unit (RFC 4006 §8.18, §8.19): each unit once at most. */
const ONCE_IN_UNIT = avpKeys(['CC-Time', 'CC-Money', 'CC-Total-Octets', 'CC-Input-Octets', 'CC-Output-Octets', 'CC-Service-Specific-Units']);

/**
 * The most Multiple-Services-Credit-Control AVPs a CCR may carry: a PGW reports a few dozen rating
 * groups and services at most, and reading many thousands would hold the OCS up for everyone.
 */
const MAX_MSCC = 256;

/** An IMSI (TS 23.003 §2.2, at most 15 digits), as Nchf takes it in a SUPI (TS 29.571: imsi- and 5 to 15 digits). */
const IMSI = /^\d{5,15}$/;

/**
 * 5009 for a second AVP where one is allowed (RFC 6733 §7.1.5, Failed-AVP the one too many): which
 * one a reader took would be a guess (two CC-Request-Numbers, two quotas asked).
 */
function once(c: CheckedAvps, names: ReadonlySet<number>): void {
  const extra = c.repeatedOf(names);
  if (extra) throw new AvpError(DIAMETER_RESULT.AVP_OCCURS_TOO_MANY_TIMES, extra, `${avpDefinition(extra.code, extra.vendorId ?? 0)!.name} more than once`);
}

function required<T extends AvpValue>(c: CheckedAvps, name: string): T {
  const value = c.valueOf<T>(name);
  if (value === undefined) throw new AvpError(DIAMETER_RESULT.MISSING_AVP, exampleAvp(name), `missing ${name}`);
  return value;
}

/**
 * Reads a CCR's AVPs. Throws AvpError with the Diameter result code and Failed-AVP for an unknown
 * mandatory AVP (5001), a bad length (5014), a bad value (5004: also a refund, or a balance check or
 * price enquiry outside an event request) or a missing AVP (5005).
 * Without Event-Timestamp the usage is taken to happen `now`.
 */
export function parseCcr(avps: Avp[], now: Date): ParsedCcr {
  const c = new CheckedAvps(avps);
  for (const name of REQUIRED) required(c, name);
  once(c, ONCE_IN_CCR);
  const appId = required<number>(c, 'Auth-Application-Id');
  if (appId !== APPLICATION.CREDIT_CONTROL) throw new AvpError(DIAMETER_RESULT.INVALID_AVP_VALUE, c.find('Auth-Application-Id')!, `Auth-Application-Id ${appId}`);
  const sessionId = required<string>(c, 'Session-Id');
  // NUL is no character PostgreSQL stores: the session could never be written.
  if (sessionId === '' || sessionId.includes('\0') || sessionIdLikePrepayReference(sessionId)) {
    throw new AvpError(DIAMETER_RESULT.INVALID_AVP_VALUE, c.find('Session-Id')!, 'an empty Session-Id, one with NUL in it, or one that begins as a ledger reference of balance management');
  }
  if (sessionIdTooLong(sessionId)) throw new AvpError(DIAMETER_RESULT.INVALID_AVP_VALUE, c.find('Session-Id')!, `Session-Id longer than ${MAX_SESSION_ID_BYTES} bytes`);
  const ccRequestType = required<number>(c, 'CC-Request-Type');
  const action = actionOf(c, ccRequestType);
  const unitAvps = new Map<number, UnitAvp>();
  const destination = destinationOf(c);
  const msccs = c.groups('Multiple-Services-Credit-Control');
  if (msccs.length > MAX_MSCC) throw new AvpError(DIAMETER_RESULT.AVP_OCCURS_TOO_MANY_TIMES, findAvps(c.avps, 'Multiple-Services-Credit-Control')[MAX_MSCC], `more than ${MAX_MSCC} Multiple-Services-Credit-Control`);
  // A refund names events, not usage: two in one rating group are two events (refundOf reads them).
  const units = action === 'refund' ? [] : unitRequestsOf(msccs, unitAvps);
  const single = units.length === 0 && action !== 'refund' ? singleServiceUnitOf(c, unitAvps) : undefined;
  if (single) units.push(single);
  const request: ChargingRequest = {
    sessionId,
    requestNumber: required<number>(c, 'CC-Request-Number'),
    type: REQUEST_TYPE[ccRequestType],
    subscriber: subscriberOf(c),
    eventTime: c.valueOf<Date>('Event-Timestamp') ?? now,
    ...(destination !== undefined ? { destination } : {}),
    units,
  };
  const destinationRealm = required<string>(c, 'Destination-Realm');
  if (action === 'refund') return { request, ccRequestType, action, destinationRealm, unitAvps, refund: refundOf(c, request) };
  // An event is charged by its units: without them it would pass free (TS 32.299 IEC sends them in MSCC).
  if (request.type === 'event' && request.units.length === 0) {
    throw new AvpError(DIAMETER_RESULT.MISSING_AVP, exampleAvp('Multiple-Services-Credit-Control'), 'an event request without Multiple-Services-Credit-Control');
  }
  return single ? { request, ccRequestType, action, destinationRealm, unitAvps, singleService: true } : { request, ccRequestType, action, destinationRealm, unitAvps };
}

/** The service each 3GPP charging application a Service-Context-Id names charges (TS 32.299 §7.1.12: PS, IMS, SMS). */
const SERVICE_OF_CONTEXT: Record<string, ServiceType> = { '32251': 'data', '32260': 'voice', '32274': 'sms' };
const SERVICE_OF_UNIT: Record<UnitAvp, ServiceType> = { 'CC-Time': 'voice', 'CC-Total-Octets': 'data', 'CC-Service-Specific-Units': 'sms' };
const RATING_GROUP_OF_SERVICE = Object.fromEntries(Object.entries(SERVICE_OF_RATING_GROUP).map(([group, service]) => [service, Number(group)])) as Record<ServiceType, number>;

/**
 * Single-service credit control (RFC 4006 §5.1.1: no Multiple-Services-Credit-Control, the
 * Requested- and Used-Service-Units at command level), as a client without 3GPP's multiple services
 * sends it: one unit, in the rating group of the service the Service-Context-Id's charging
 * application charges (32251 data, 32260 voice, 32274 SMS), else of the unit it is counted in
 * (CC-Time voice, octets data, service-specific units SMS). Undefined when no units are at command
 * level; 5005 when neither names a service.
 */
function singleServiceUnitOf(c: CheckedAvps, unitAvps: Map<number, UnitAvp>): UnitRequest | undefined {
  const rsu = c.group('Requested-Service-Unit');
  const usus = c.groups('Used-Service-Unit');
  if (!rsu && usus.length === 0) return undefined;
  const context = /(\d+)@3gpp\.org$/i.exec(c.valueOf<string>('Service-Context-Id') ?? '')?.[1];
  const requested = rsu ? quantityOf(rsu) : undefined;
  const used = usus.map((u) => quantityOf(u));
  const counted = requested?.avp ?? used.find((u) => u)?.avp;
  const service = (context !== undefined ? SERVICE_OF_CONTEXT[context] : undefined) ?? (counted ? SERVICE_OF_UNIT[counted] : undefined);
  if (!service) throw new AvpError(DIAMETER_RESULT.MISSING_AVP, exampleAvp('Multiple-Services-Credit-Control'), 'units of no service: neither the Service-Context-Id nor a unit names one');
  const ratingGroup = RATING_GROUP_OF_SERVICE[service];
  const unit: UnitRequest = { ratingGroup };
  if (rsu) unit.requested = requested ? { quantity: requested.quantity.toString() } : {};
  if (used.length) unit.used = { quantity: used.reduce((sum, u) => sum + (u?.quantity ?? 0n), 0n).toString() };
  unitAvps.set(ratingGroup, counted ?? UNIT_OF_SERVICE[service]);
  return unit;
}

/** The longest Refund-Information this OCS gives (an event's ledger reference: its session id and '#event', or before that '#' and a request number). */
const MAX_REFUND_INFORMATION_BYTES = MAX_SESSION_ID_BYTES + 11;

/** A refund (TS 32.299): each Multiple-Services-Credit-Control names an event by the Refund-Information of its answer. */
function refundOf(c: CheckedAvps, request: ChargingRequest): RefundRequest {
  const groups = c.groups('Multiple-Services-Credit-Control');
  // Units at command level (single-service) carry no Refund-Information: nothing would be given back.
  if (groups.length === 0) throw new AvpError(DIAMETER_RESULT.MISSING_AVP, exampleAvp('Refund-Information'), 'a refund without Refund-Information');
  const units = groups.map((mscc) => {
    once(mscc, ONCE_IN_MSCC);
    const info = mscc.valueOf<Buffer>('Refund-Information');
    if (info === undefined) throw new AvpError(DIAMETER_RESULT.MISSING_AVP, exampleAvp('Refund-Information'), 'a refund without Refund-Information');
    if (info.length === 0 || info.length > MAX_REFUND_INFORMATION_BYTES) throw new AvpError(DIAMETER_RESULT.INVALID_AVP_VALUE, mscc.find('Refund-Information')!, 'a Refund-Information this OCS did not give');
    return { ratingGroup: required<number>(mscc, 'Rating-Group'), refundInformation: info.toString('utf8') };
  });
  return { sessionId: request.sessionId, requestNumber: request.requestNumber, subscriber: request.subscriber, units };
}

/**
 * Requested-Action (RFC 4006 §8.41), which only an event request carries: direct debiting (or
 * none), a refund of an event charged before (REFUND_ACCOUNT, with the Refund-Information of the
 * event's answer, TS 32.299), a balance check or a price enquiry. Any action but a debit in a
 * session request is refused naming the AVP.
 */
function actionOf(c: CheckedAvps, ccRequestType: number): CcrAction {
  const action = c.valueOf<number>('Requested-Action');
  if (action === undefined || action === REQUESTED_ACTION.DIRECT_DEBITING) return 'debit';
  const refuse = (why: string) => new AvpError(DIAMETER_RESULT.INVALID_AVP_VALUE, c.find('Requested-Action')!, why);
  if (ccRequestType !== CC_REQUEST_TYPE.EVENT_REQUEST) throw refuse(`Requested-Action ${action} in a session request`);
  if (action === REQUESTED_ACTION.REFUND_ACCOUNT) return 'refund';
  if (action === REQUESTED_ACTION.CHECK_BALANCE) return 'check-balance';
  if (action === REQUESTED_ACTION.PRICE_ENQUIRY) return 'price-enquiry';
  throw refuse(`Requested-Action ${action} is not supported`);
}

function subscriberOf(c: CheckedAvps): ChargingRequest['subscriber'] {
  const subscriber: ChargingRequest['subscriber'] = {};
  for (const group of c.groups('Subscription-Id')) {
    once(group, ONCE_IN_SUBSCRIPTION_ID);
    const type = required<number>(group, 'Subscription-Id-Type');
    const data = required<string>(group, 'Subscription-Id-Data');
    if (type === SUBSCRIPTION_ID_TYPE.END_USER_E164 && subscriber.msisdn === undefined) {
      // International format, as network elements send it without its '+' (RFC 4006 §8.47): the
      // subscriber rows keep the '+'.
      subscriber.msisdn = internationalNumber(data);
      if (subscriber.msisdn === undefined) throw new AvpError(DIAMETER_RESULT.INVALID_AVP_VALUE, group.find('Subscription-Id-Data')!, `Subscription-Id-Data ${data} is not an E.164 number`);
    }
    if (type === SUBSCRIPTION_ID_TYPE.END_USER_IMSI && subscriber.imsi === undefined) {
      if (!IMSI.test(data)) throw new AvpError(DIAMETER_RESULT.INVALID_AVP_VALUE, group.find('Subscription-Id-Data')!, `Subscription-Id-Data ${JSON.stringify(data)} is not an IMSI`);
      subscriber.imsi = data;
    }
  }
  // The engine finds subscribers by MSISDN or IMSI only; a SIP URI or NAI alone does not identify one.
  if (subscriber.msisdn === undefined && subscriber.imsi === undefined) throw new AvpError(DIAMETER_RESULT.MISSING_AVP, exampleAvp('Subscription-Id'), 'no E.164 or IMSI Subscription-Id');
  return subscriber;
}

/**
 * The other party: IMS Called-Party-Address (voice), else the SMS recipient, else a
 * Called-Station-Id that is a number (on Gy it is usually the APN, which is no destination).
 */
function destinationOf(c: CheckedAvps): string | undefined {
  const info = c.group('Service-Information');
  if (info) {
    const called = info.group('IMS-Information')?.valueOf<string>('Called-Party-Address');
    if (called) return destinationNumber(called);
    const recipient = info.group('SMS-Information')?.group('Recipient-Info')?.group('Recipient-Address');
    const data = recipient?.valueOf<string>('Address-Data');
    // A numeric short code is national whatever its length; an MSISDN is international.
    if (data && recipient!.valueOf<number>('Address-Type') === ADDRESS_TYPE.NUMERIC_SHORTCODE) {
      if (!/^\d{1,15}$/.test(data)) throw new AvpError(DIAMETER_RESULT.INVALID_AVP_VALUE, recipient!.find('Address-Data')!, `Address-Data ${JSON.stringify(data)} is no numeric short code`);
      return data;
    }
    if (data) return destinationNumber(data);
  }
  const station = c.valueOf<string>('Called-Station-Id');
  return station && /^\+?\d+$/.test(station) ? destinationNumber(station) : undefined;
}

const UNIT_ORDER: UnitAvp[] = ['CC-Time', 'CC-Total-Octets', 'CC-Service-Specific-Units'];

/** The quantity a Requested/Used/Granted-Service-Unit carries, in the unit it uses, or undefined. */
function quantityOf(unit: CheckedAvps, preferred?: UnitAvp): { avp: UnitAvp; quantity: bigint } | undefined {
  once(unit, ONCE_IN_UNIT);
  const order = preferred ? [preferred, ...UNIT_ORDER.filter((u) => u !== preferred)] : UNIT_ORDER;
  for (const name of order) {
    const value = unit.valueOf<number | bigint>(name);
    if (value !== undefined) return { avp: name, quantity: BigInt(value) };
    if (name === 'CC-Total-Octets') {
      const input = unit.valueOf<bigint>('CC-Input-Octets');
      const output = unit.valueOf<bigint>('CC-Output-Octets');
      if (input !== undefined || output !== undefined) return { avp: name, quantity: (input ?? 0n) + (output ?? 0n) };
    }
  }
  return undefined;
}

/**
 * One unit request per rating group. A client reporting at service level (TS 32.299: a PGW with
 * one Multiple-Services-Credit-Control per Service-Identifier) may send several of one rating group;
 * the engine keeps a session's usage and quota by rating group, so they are one to it: what each
 * used added up, one quota asked (the largest asked), granted for the whole rating group (without
 * a Service-Identifier in the answer). The same rating group and Service-Identifier twice is a
 * repeated report, refused (5004) lest its usage be debited twice.
 */
function unitRequestsOf(msccs: CheckedAvps[], unitAvps: Map<number, UnitAvp>): UnitRequest[] {
  const units: UnitRequest[] = [];
  for (let i = 0; i < msccs.length; i++) {
    once(msccs[i], ONCE_IN_MSCC);
    const unit = unitRequestOf(msccs[i], unitAvps);
    const same = units.find((u) => u.ratingGroup === unit.ratingGroup);
    if (!same) units.push(unit);
    else mergeService(same, unit, msccs, i);
  }
  return units;
}

/** Adds the unit request of msccs[i] to the one before it of the same rating group (unitRequestsOf). */
function mergeService(into: UnitRequest, unit: UnitRequest, msccs: CheckedAvps[], i: number): void {
  const serviceIdentifier = msccs[i].valueOf<number>('Service-Identifier');
  const before = msccs.slice(0, i).filter((m) => m.valueOf<number>('Rating-Group') === unit.ratingGroup);
  if (before.some((m) => m.valueOf<number>('Service-Identifier') === serviceIdentifier)) {
    const service = serviceIdentifier === undefined ? '' : ` and Service-Identifier ${serviceIdentifier}`;
    throw new AvpError(DIAMETER_RESULT.INVALID_AVP_VALUE, msccs[i].find(serviceIdentifier === undefined ? 'Rating-Group' : 'Service-Identifier')!, `Rating-Group ${unit.ratingGroup}${service} in more than one Multiple-Services-Credit-Control`);
  }
  delete into.serviceIdentifier;
  if (unit.used) into.used = { quantity: (BigInt(into.used?.quantity ?? 0) + BigInt(unit.used.quantity!)).toString() };
  if (unit.requested) {
    const largest = [into.requested?.quantity, unit.requested.quantity].filter((q) => q !== undefined).map(BigInt).reduce<bigint | undefined>((max, q) => (max === undefined || q > max ? q : max), undefined);
    into.requested = largest === undefined ? {} : { quantity: largest.toString() };
  }
}

/** The unit request of one Multiple-Services-Credit-Control. */
function unitRequestOf(mscc: CheckedAvps, unitAvps: Map<number, UnitAvp>): UnitRequest {
  const ratingGroup = required<number>(mscc, 'Rating-Group');
  const serviceIdentifier = mscc.valueOf<number>('Service-Identifier');
  const service = SERVICE_OF_RATING_GROUP[ratingGroup];
  const preferred = service ? UNIT_OF_SERVICE[service] : undefined;
  const unit: UnitRequest = { ratingGroup, ...(serviceIdentifier !== undefined ? { serviceIdentifier } : {}) };
  const rsu = mscc.group('Requested-Service-Unit');
  let seen: UnitAvp | undefined = preferred;
  if (rsu) {
    // An empty Requested-Service-Unit asks for the server's default quota (RFC 4006 §8.18).
    const requested = quantityOf(rsu, preferred);
    unit.requested = requested ? { quantity: requested.quantity.toString() } : {};
    seen ??= requested?.avp;
  }
  const used = mscc.groups('Used-Service-Unit').map((u) => quantityOf(u, preferred));
  if (used.length) {
    // Several Used-Service-Units (one per reporting reason or tariff period) add up.
    unit.used = { quantity: used.reduce((sum, u) => sum + (u?.quantity ?? 0n), 0n).toString() };
    seen ??= used.find((u) => u)?.avp;
  }
  unitAvps.set(ratingGroup, seen ?? unitAvps.get(ratingGroup) ?? 'CC-Service-Specific-Units');
  return unit;
}

/**
 * The AVPs of a CCA for the engine's answer, in RFC 4006 §3.2 order. All but the session's own
 * (Session-Id, CC-Request-Number, the granted units) recur from answer to answer and are shared.
 */
export function ccaAvps(parsed: ParsedCcr, answer: ChargingAnswer, origin: { originHost: string; originRealm: string; failureHandling?: FailureHandling }): Avp[] {
  if (parsed.singleService) return singleServiceCcaAvps(parsed, answer, origin);
  const avps = ccaHead(parsed, answer.resultCode, origin);
  const failover = tellsFailover(parsed, origin);
  if (failover) avps.push(sharedAvp('CC-Session-Failover', CC_SESSION_FAILOVER.FAILOVER_SUPPORTED));
  for (const grant of answer.units) avps.push(avp('Multiple-Services-Credit-Control', msccAvps(grant, parsed.unitAvps)));
  if (failover) avps.push(sharedAvp('Credit-Control-Failure-Handling', CC_FAILURE_HANDLING[origin.failureHandling!]));
  return avps;
}

/**
 * The CCA of a single-service request (RFC 4006 §3.2): the one unit's grant, validity and final-unit
 * indication at command level, and its result code as the answer's (a refusal for credit is 4012
 * overall, there being no Multiple-Services-Credit-Control to carry it).
 */
function singleServiceCcaAvps(parsed: ParsedCcr, answer: ChargingAnswer, origin: { originHost: string; originRealm: string; failureHandling?: FailureHandling }): Avp[] {
  const grant: UnitGrant | undefined = answer.units[0];
  const avps = ccaHead(parsed, answer.resultCode === RESULT.SUCCESS && grant ? grant.resultCode : answer.resultCode, origin);
  const failover = tellsFailover(parsed, origin);
  if (failover) avps.push(sharedAvp('CC-Session-Failover', CC_SESSION_FAILOVER.FAILOVER_SUPPORTED));
  if (grant?.granted) avps.push(grantedServiceUnit(grant.granted.quantity, parsed.unitAvps.get(grant.ratingGroup) ?? 'CC-Service-Specific-Units'));
  if (grant?.finalUnit) avps.push(finalUnitIndication(grant));
  if (failover) avps.push(sharedAvp('Credit-Control-Failure-Handling', CC_FAILURE_HANDLING[origin.failureHandling!]));
  if (grant?.validityTime !== undefined) avps.push(sharedAvp('Validity-Time', grant.validityTime));
  return avps;
}

/** The AVPs every CCA starts with (RFC 4006 §3.2), up to CC-Request-Number. */
function ccaHead(parsed: ParsedCcr, resultCode: number, origin: { originHost: string; originRealm: string }): Avp[] {
  return [
    avp('Session-Id', parsed.request.sessionId),
    sharedAvp('Result-Code', resultCode),
    sharedAvp('Origin-Host', origin.originHost),
    sharedAvp('Origin-Realm', origin.originRealm),
    sharedAvp('Auth-Application-Id', APPLICATION.CREDIT_CONTROL),
    sharedAvp('CC-Request-Type', parsed.ccRequestType),
    avp('CC-Request-Number', parsed.request.requestNumber),
  ];
}

/** RFC 4006 §5.7: what to do when no OCS answers is told once, in the answer that opens the session (where configured). */
const tellsFailover = (parsed: ParsedCcr, origin: { failureHandling?: FailureHandling }) => origin.failureHandling !== undefined && parsed.ccRequestType === CC_REQUEST_TYPE.INITIAL_REQUEST;

/** Granted-Service-Unit: units are whole on the wire; the engine's decimal is rounded down so we never grant more. */
function grantedServiceUnit(quantity: string, unitAvp: UnitAvp): Avp {
  const whole = parseMicros(quantity) / ONE;
  return avp('Granted-Service-Unit', [avp(unitAvp, unitAvp === 'CC-Time' ? Number(whole) : whole)]);
}

/**
 * What a client does with its sessions when no OCS answers (RFC 4006 §5.7): end them, let them go
 * on uncharged, or try another OCS and end them if none answers.
 */
export type FailureHandling = keyof typeof CC_FAILURE_HANDLING;

/**
 * The AVPs of the CCA to a balance check (Check-Balance-Result) or a price enquiry
 * (Cost-Information: the cost as Unit-Value and the account's currency as its ISO 4217 number),
 * RFC 4006 §3.2, §6.2, §6.3. A refusal (4010, 5030, 5031) carries neither.
 */
export function quoteCcaAvps(parsed: ParsedCcr, quote: ChargingQuote, origin: { originHost: string; originRealm: string }): Avp[] {
  const result: Avp[] = [];
  let resultCode: number = quote.resultCode;
  if (resultCode === RESULT.SUCCESS && parsed.action === 'price-enquiry') {
    const currency = quote.cost ? currencyCode(quote.cost.currency) : undefined;
    // An account in a currency without an ISO 4217 number (none is opened so) cannot be priced on Diameter.
    if (!quote.cost || !currency) resultCode = DIAMETER_RESULT.UNABLE_TO_COMPLY;
    else result.push(avp('Cost-Information', [unitValue(quote.cost.amount), avp('Currency-Code', Number(currency.number))]));
  }
  if (resultCode === RESULT.SUCCESS && parsed.action === 'check-balance') {
    result.push(avp('Check-Balance-Result', quote.enoughCredit ? CHECK_BALANCE_RESULT.ENOUGH_CREDIT : CHECK_BALANCE_RESULT.NO_CREDIT));
  }
  return [...ccaHead(parsed, resultCode, origin), ...result];
}

/** A decimal amount as Unit-Value (RFC 4006 §8.8): its digits, and the power of ten they are scaled by. */
export function unitValue(amount: string): Avp {
  const [whole, fraction = ''] = amount.split('.');
  return avp('Unit-Value', [avp('Value-Digits', BigInt(whole + fraction)), ...(fraction ? [avp('Exponent', -fraction.length)] : [])]);
}

const FINAL_UNIT_TERMINATE = avp('Final-Unit-Indication', [avp('Final-Unit-Action', FINAL_UNIT_ACTION.TERMINATE)]);

/**
 * Final-Unit-Indication (RFC 4006 §8.34): REDIRECT to a URL (a top-up portal), with a Filter-Id of
 * what stays reachable besides it; RESTRICT_ACCESS to a Filter-Id alone; else TERMINATE.
 */
function finalUnitIndication(grant: UnitGrant): Avp {
  if (grant.redirectTo === undefined && grant.filterId === undefined) return FINAL_UNIT_TERMINATE;
  const action = grant.redirectTo !== undefined ? FINAL_UNIT_ACTION.REDIRECT : FINAL_UNIT_ACTION.RESTRICT_ACCESS;
  return avp('Final-Unit-Indication', [
    avp('Final-Unit-Action', action),
    ...(grant.filterId !== undefined ? [avp('Filter-Id', grant.filterId)] : []),
    ...(grant.redirectTo !== undefined ? [avp('Redirect-Server', [avp('Redirect-Address-Type', REDIRECT_ADDRESS_TYPE.URL), avp('Redirect-Server-Address', grant.redirectTo)])] : []),
  ]);
}

function msccAvps(grant: UnitGrant, unitAvps: Map<number, UnitAvp>): Avp[] {
  const service = SERVICE_OF_RATING_GROUP[grant.ratingGroup];
  const unitAvp = unitAvps.get(grant.ratingGroup) ?? (service ? UNIT_OF_SERVICE[service] : 'CC-Service-Specific-Units');
  const avps: Avp[] = [];
  if (grant.granted) avps.push(grantedServiceUnit(grant.granted.quantity, unitAvp));
  if (grant.serviceIdentifier !== undefined) avps.push(sharedAvp('Service-Identifier', grant.serviceIdentifier));
  avps.push(sharedAvp('Rating-Group', grant.ratingGroup));
  if (grant.validityTime !== undefined) avps.push(sharedAvp('Validity-Time', grant.validityTime));
  avps.push(sharedAvp('Result-Code', grant.resultCode));
  if (grant.finalUnit) avps.push(finalUnitIndication(grant));
  // TS 32.299 §7.2.220, §7.2.231 and §7.2.150, in the order of its Multiple-Services-Credit-Control.
  if (grant.quotaThreshold !== undefined) avps.push(avp(service === 'voice' ? 'Time-Quota-Threshold' : 'Volume-Quota-Threshold', Number(grant.quotaThreshold)));
  if (grant.quotaHoldingTime !== undefined) avps.push(avp('Quota-Holding-Time', grant.quotaHoldingTime));
  if (grant.refundInformation !== undefined) avps.push(avp('Refund-Information', Buffer.from(grant.refundInformation, 'utf8')));
  return avps;
}
