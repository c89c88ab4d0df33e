/**
 * The client side of Gy: building a CCR from plain values and reading a CCA back, for the traffic
 * generator, the benchmark and tests (the server side is gy-mapping.ts).
 */
import { avp, decodeAvps, findAvp, findAvps, valueOf, type Avp, type DiameterMessage } from './codec';
import { APPLICATION, CC_REQUEST_TYPE, SUBSCRIPTION_ID_TYPE } from './dictionary';

/** One rating group of a CCR: its unit AVP and the quantities asked for and used. */
export interface CcrUnit {
  ratingGroup: number;
  serviceIdentifier?: number;
  unit: 'CC-Time' | 'CC-Total-Octets' | 'CC-Service-Specific-Units';
  /** A number asks for that many units, `true` for the default quota, absent for none. */
  requested?: bigint | number | true;
  used?: bigint | number;
}

/** The plain values of one CCR. */
export interface CcrParams {
  sessionId: string;
  originHost: string;
  originRealm: string;
  destinationRealm: string;
  type: 'initial' | 'update' | 'termination' | 'event';
  requestNumber: number;
  msisdn?: string;
  imsi?: string;
  eventTime?: Date;
  /** The called party (E.164), sent as IMS-Information Called-Party-Address. */
  destination?: string;
  serviceContextId?: string;
  units: CcrUnit[];
}

const TYPE_CODE = { initial: CC_REQUEST_TYPE.INITIAL_REQUEST, update: CC_REQUEST_TYPE.UPDATE_REQUEST, termination: CC_REQUEST_TYPE.TERMINATION_REQUEST, event: CC_REQUEST_TYPE.EVENT_REQUEST };

const unitAvp = (name: CcrUnit['unit'], quantity: bigint | number) => avp(name, name === 'CC-Time' ? Number(quantity) : BigInt(quantity));

/** The AVPs of a CCR in RFC 4006 §3.1 order. */
export function buildCcr(p: CcrParams): Avp[] {
  return [
    avp('Session-Id', p.sessionId),
    avp('Origin-Host', p.originHost),
    avp('Origin-Realm', p.originRealm),
    avp('Destination-Realm', p.destinationRealm),
    avp('Auth-Application-Id', APPLICATION.CREDIT_CONTROL),
    avp('Service-Context-Id', p.serviceContextId ?? '32260@3gpp.org'),
    avp('CC-Request-Type', TYPE_CODE[p.type]),
    avp('CC-Request-Number', p.requestNumber),
    ...(p.eventTime ? [avp('Event-Timestamp', p.eventTime)] : []),
    ...(p.msisdn ? [avp('Subscription-Id', [avp('Subscription-Id-Type', SUBSCRIPTION_ID_TYPE.END_USER_E164), avp('Subscription-Id-Data', p.msisdn)])] : []),
    ...(p.imsi ? [avp('Subscription-Id', [avp('Subscription-Id-Type', SUBSCRIPTION_ID_TYPE.END_USER_IMSI), avp('Subscription-Id-Data', p.imsi)])] : []),
    ...(p.units.length ? [avp('Multiple-Services-Indicator', 1)] : []),
    ...p.units.map((u) =>
      avp('Multiple-Services-Credit-Control', [
        ...(u.requested !== undefined ? [avp('Requested-Service-Unit', u.requested === true ? [] : [unitAvp(u.unit, u.requested)])] : []),
        ...(u.used !== undefined ? [avp('Used-Service-Unit', [unitAvp(u.unit, u.used)])] : []),
        ...(u.serviceIdentifier !== undefined ? [avp('Service-Identifier', u.serviceIdentifier)] : []),
        avp('Rating-Group', u.ratingGroup),
      ]),
    ),
    ...(p.destination ? [avp('Service-Information', [avp('IMS-Information', [avp('Called-Party-Address', `tel:${p.destination}`)])])] : []),
  ];
}

/** One rating group of a CCA. */
export interface CcaUnit {
  ratingGroup?: number;
  resultCode?: number;
  /** Granted quantity in whichever unit AVP the server used. */
  granted?: bigint;
  validityTime?: number;
  finalUnitAction?: number;
}

/** A CCA read back. */
export interface CcaResult {
  sessionId?: string;
  resultCode?: number;
  requestNumber?: number;
  units: CcaUnit[];
}

const grouped = (a: Avp | undefined): Avp[] | undefined => (a ? decodeAvps(a.data) : undefined);

/** Reads the fields of a CCA that a client acts upon. */
export function readCca(answer: DiameterMessage): CcaResult {
  const units = findAvps(answer.avps, 'Multiple-Services-Credit-Control').map((m): CcaUnit => {
    const mscc = decodeAvps(m.data);
    const gsu = grouped(findAvp(mscc, 'Granted-Service-Unit'));
    const fui = grouped(findAvp(mscc, 'Final-Unit-Indication'));
    const granted = gsu ? (valueOf<number>(gsu, 'CC-Time') ?? valueOf<bigint>(gsu, 'CC-Total-Octets') ?? valueOf<bigint>(gsu, 'CC-Service-Specific-Units')) : undefined;
    return {
      ratingGroup: valueOf<number>(mscc, 'Rating-Group'),
      resultCode: valueOf<number>(mscc, 'Result-Code'),
      ...(granted !== undefined ? { granted: BigInt(granted) } : {}),
      validityTime: valueOf<number>(mscc, 'Validity-Time'),
      finalUnitAction: fui ? valueOf<number>(fui, 'Final-Unit-Action') : undefined,
    };
  });
  return {
    sessionId: valueOf<string>(answer.avps, 'Session-Id'),
    resultCode: valueOf<number>(answer.avps, 'Result-Code'),
    requestNumber: valueOf<number>(answer.avps, 'CC-Request-Number'),
    units,
  };
}
