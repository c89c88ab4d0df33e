/**
 * The client side of Gy: building a CCR from plain values and reading a CCA back, for the traffic
 * generator, the benchmark and tests (the server side is gy-mapping.ts).
 */
import { avp, findAvp, findAvps, membersOf, valueOf, type Avp, type DiameterMessage } from './codec';
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

/** What every CCR of a session repeats. */
export interface CcrSession {
  sessionId: string;
  originHost: string;
  originRealm: string;
  destinationRealm: string;
  msisdn?: string;
  imsi?: string;
  /** The called party (E.164), sent as IMS-Information Called-Party-Address. */
  destination?: string;
  serviceContextId?: string;
}

/** What changes from one CCR of a session to the next. */
export interface CcrStep {
  type: 'initial' | 'update' | 'termination' | 'event';
  requestNumber: number;
  eventTime?: Date;
  units: CcrUnit[];
}

/** The plain values of one CCR. */
export type CcrParams = CcrSession & CcrStep;

const TYPE_CODE = { initial: CC_REQUEST_TYPE.INITIAL_REQUEST, update: CC_REQUEST_TYPE.UPDATE_REQUEST, termination: CC_REQUEST_TYPE.TERMINATION_REQUEST, event: CC_REQUEST_TYPE.EVENT_REQUEST };

const unitAvp = (name: CcrUnit['unit'], quantity: bigint | number) => avp(name, name === 'CC-Time' ? Number(quantity) : BigInt(quantity));

/**
 * The CCRs of one session: the AVPs every one of them repeats are encoded once (a generator sends
 * thousands a second), the rest per request. Each call gives the AVPs of one CCR in RFC 4006 §3.1
 * order; encoding copies them, so sharing AVPs between messages is safe.
 */
export function ccrBuilder(session: CcrSession): (step: CcrStep) => Avp[] {
  const head = [
    avp('Session-Id', session.sessionId),
    avp('Origin-Host', session.originHost),
    avp('Origin-Realm', session.originRealm),
    avp('Destination-Realm', session.destinationRealm),
    avp('Auth-Application-Id', APPLICATION.CREDIT_CONTROL),
    avp('Service-Context-Id', session.serviceContextId ?? '32260@3gpp.org'),
  ];
  const subscriber = [
    // In international format without the '+', as network elements send it (RFC 4006 §8.47).
    ...(session.msisdn ? [avp('Subscription-Id', [avp('Subscription-Id-Type', SUBSCRIPTION_ID_TYPE.END_USER_E164), avp('Subscription-Id-Data', session.msisdn.replace(/^\+/, ''))])] : []),
    ...(session.imsi ? [avp('Subscription-Id', [avp('Subscription-Id-Type', SUBSCRIPTION_ID_TYPE.END_USER_IMSI), avp('Subscription-Id-Data', session.imsi)])] : []),
  ];
  const tail = session.destination ? [avp('Service-Information', [avp('IMS-Information', [avp('Called-Party-Address', `tel:${session.destination}`)])])] : [];
  return (step) => [
    ...head,
    avp('CC-Request-Type', TYPE_CODE[step.type]),
    avp('CC-Request-Number', step.requestNumber),
    ...(step.eventTime ? [avp('Event-Timestamp', step.eventTime)] : []),
    ...subscriber,
    ...(step.units.length ? [avp('Multiple-Services-Indicator', 1)] : []),
    ...step.units.map((u) =>
      avp('Multiple-Services-Credit-Control', [
        ...(u.requested !== undefined ? [avp('Requested-Service-Unit', u.requested === true ? [] : [unitAvp(u.unit, u.requested)])] : []),
        ...(u.used !== undefined ? [avp('Used-Service-Unit', [unitAvp(u.unit, u.used)])] : []),
        ...(u.serviceIdentifier !== undefined ? [avp('Service-Identifier', u.serviceIdentifier)] : []),
        avp('Rating-Group', u.ratingGroup),
      ]),
    ),
    ...tail,
  ];
}

/** The AVPs of one CCR in RFC 4006 §3.1 order. */
export const buildCcr = (p: CcrParams): Avp[] => ccrBuilder(p)(p);

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

const grouped = (a: Avp | undefined): Avp[] | undefined => (a ? membersOf(a) : undefined);

/** Reads the fields of a CCA that a client acts upon. */
export function readCca(answer: DiameterMessage): CcaResult {
  const units = findAvps(answer.avps, 'Multiple-Services-Credit-Control').map((m): CcaUnit => {
    const mscc = membersOf(m);
    const gsu = grouped(findAvp(mscc, 'Granted-Service-Unit'));
    const fui = grouped(findAvp(mscc, 'Final-Unit-Indication'));
    const granted = gsu ? (valueOf<number>(gsu, 'CC-Time') ?? valueOf<bigint>(gsu, 'CC-Total-Octets') ?? valueOf<bigint>(gsu, 'CC-Service-Specific-Units')) : undefined;
    return {
      ratingGroup: valueOf<number>(mscc, 'Rating-Group'),
      resultCode: valueOf<number>(mscc, 'Result-Code'),
      granted: granted !== undefined ? BigInt(granted) : undefined,
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
