/**
 * Prepaid traffic over Nchf_ConvergedCharging (3GPP TS 32.291) on HTTP/2: a ChargingDriver whose
 * sessions are `POST /nchf-convergedcharging/v3/chargingdata` (201 with the chargingDataRef in
 * Location), `…/{ref}/update` and `…/{ref}/release`; an SMS is one request with `oneTimeEvent`.
 * Deliberately small: just what the traffic generator and the benchmark need.
 */
import http2 from 'node:http2';
import { playSession, RATING_GROUP_OF, type ChargingDriver, type ChargingStep, type SessionPlan, type StepAnswer } from './charging-traffic';

export interface NchfDriverOptions {
  /** e.g. http://127.0.0.1:8090, the OCS's default (prior-knowledge HTTP/2 without TLS). */
  baseUrl: string;
  /** A request with no answer by then fails the session; 10 s by default. */
  requestTimeoutMs?: number;
}

const BASE = '/nchf-convergedcharging/v3/chargingdata';
const UNIT_FIELD = { voice: 'time', data: 'totalVolume', sms: 'serviceSpecificUnits' } as const;
/** TS 32.291 resultCode names, in the Diameter numbering the traffic side counts with. */
const RESULT_CODE: Record<string, number> = { SUCCESS: 2001, END_USER_SERVICE_DENIED: 4010, QUOTA_LIMIT_REACHED: 4012, USER_UNKNOWN: 5030, RATING_FAILED: 5031 };

interface UnitInformation {
  resultCode?: string;
  ratingGroup?: number;
  grantedUnit?: Record<string, number>;
  finalUnitIndication?: { finalUnitAction?: string };
}

/**
 * What identifies the session to the CHF beside the subscriber, as the network function that charges
 * it sends it: a PDU session's charging id (SMF), a call's or message's IMS charging identifier and
 * called party. A Create is recognised by its content (a retransmission is the same request), so
 * two sessions must differ in it even when they start at the same instant.
 */
function serviceInformation(plan: SessionPlan, chargingId: number): Record<string, unknown> {
  if (plan.service === 'data') return { pDUSessionChargingInformation: { chargingId } };
  return { iMSChargingInformation: { iMSChargingIdentifier: plan.sessionId, ...(plan.destination ? { calledPartyAddress: `tel:${plan.destination}` } : {}) } };
}

/** An Nchf driver (name 'nchf'): one HTTP/2 connection, opened on first use. */
export function nchfDriver(options: NchfDriverOptions): ChargingDriver {
  let session: http2.ClientHttp2Session | undefined;
  let sessions = 0;
  const connection = () => {
    if (!session || session.closed || session.destroyed) {
      session = http2.connect(options.baseUrl);
      session.on('error', () => undefined);
    }
    return session;
  };

  const post = (path: string, body: unknown): Promise<{ status: number; location?: string; json?: { multipleUnitInformation?: UnitInformation[] } }> =>
    new Promise((resolve, reject) => {
      const req = connection().request({ ':method': 'POST', ':path': path, 'content-type': 'application/json' });
      req.setTimeout(options.requestTimeoutMs ?? 10_000, () => req.close(http2.constants.NGHTTP2_CANCEL));
      let status = 0;
      let location: string | undefined;
      const chunks: Buffer[] = [];
      req.on('response', (headers) => {
        status = Number(headers[':status']);
        location = headers.location as string | undefined;
      });
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('error', reject);
      req.on('close', () => {
        if (!status) return reject(new Error(`no answer to POST ${path}`));
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status, ...(location ? { location } : {}), ...(text ? { json: JSON.parse(text) as { multipleUnitInformation?: UnitInformation[] } } : {}) });
      });
      req.end(JSON.stringify(body));
    });

  return {
    name: 'nchf',
    async runSession(plan: SessionPlan) {
      let ref: string | undefined;
      const field = UNIT_FIELD[plan.service];
      const service = serviceInformation(plan, (sessions = (sessions + 1) >>> 0));
      const send = async (step: ChargingStep): Promise<StepAnswer> => {
        const body = {
          subscriberIdentifier: plan.subscriber.imsi ? `imsi-${plan.subscriber.imsi}` : `msisdn-${plan.subscriber.msisdn?.replace(/^\+/, '')}`,
          nfConsumerIdentification: { nodeFunctionality: plan.service === 'data' ? 'SMF' : 'IMS_NODE' },
          invocationTimeStamp: step.eventTime.toISOString(),
          invocationSequenceNumber: step.requestNumber,
          ...(step.type === 'event' ? { oneTimeEvent: true, oneTimeEventType: 'IEC' } : {}),
          ...service,
          multipleUnitUsage: [
            {
              ratingGroup: RATING_GROUP_OF[plan.service],
              ...(step.requested !== undefined ? { requestedUnit: { [field]: Number(step.requested) } } : {}),
              ...(step.used !== undefined ? { usedUnitContainer: [{ [field]: Number(step.used), localSequenceNumber: step.requestNumber }] } : {}),
            },
          ],
        };
        const path = step.type === 'initial' || step.type === 'event' ? BASE : `${BASE}/${ref}/${step.type === 'update' ? 'update' : 'release'}`;
        const res = await post(path, body);
        if (step.type === 'initial' && res.location) ref = res.location.split('/').pop();
        const unit = res.json?.multipleUnitInformation?.[0];
        const granted = unit?.grantedUnit?.[field];
        return {
          resultCode: res.status === 404 ? 5002 : res.status < 300 ? 2001 : 5012,
          ...(unit?.resultCode ? { unitResultCode: RESULT_CODE[unit.resultCode] ?? 5012 } : {}),
          ...(granted !== undefined ? { granted: BigInt(granted) } : {}),
          finalUnit: unit?.finalUnitIndication !== undefined,
        };
      };
      return playSession(plan, send);
    },
    async close() {
      const s = session;
      session = undefined;
      if (s && !s.closed) await new Promise<void>((resolve) => s.close(() => resolve()));
    },
  };
}
