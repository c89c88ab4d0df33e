/**
 * Prepaid charging traffic, independent of the protocol: what a voice call, a data session and an
 * SMS look like as a sequence of credit-control requests (reserve, report and reserve again,
 * report and release; or one event), played through a driver for Gy or Nchf. A driver only knows
 * how to send one step; the session logic (stop on refusal, stop after the final units, never
 * report more than was granted) lives here once.
 */
import { SERVICE_OF_RATING_GROUP, type ServiceType } from '../domain/charging/rating-groups';

/** The rating group of each service, as the charging engine knows them. */
export const RATING_GROUP_OF: Record<ServiceType, number> = Object.fromEntries(Object.entries(SERVICE_OF_RATING_GROUP).map(([rg, service]) => [service, Number(rg)])) as Record<ServiceType, number>;

/** One session to play. */
export interface SessionPlan {
  sessionId: string;
  subscriber: { msisdn?: string; imsi?: string };
  service: ServiceType;
  /** The called party or SMS recipient (E.164). */
  destination?: string;
  startTime: Date;
  /** Updates between the initial request and the termination (voice and data; SMS is one event). */
  updates: number;
  /** Units asked for at each reservation (seconds or octets; an SMS asks for 1). */
  requested: bigint;
  /** Units used between two reports (never more than granted). */
  usedPerStep: bigint;
}

/** One request of a session, as a driver sends it. */
export interface ChargingStep {
  type: 'initial' | 'update' | 'termination' | 'event';
  requestNumber: number;
  eventTime: Date;
  requested?: bigint;
  used?: bigint;
}

/** What a driver read from the answer to one step. */
export interface StepAnswer {
  /** The overall result code (Diameter numbering, 2001 success). */
  resultCode: number;
  /** The rating group's own result code, when the answer had one. */
  unitResultCode?: number;
  granted?: bigint;
  finalUnit: boolean;
}

/** One request sent and answered, timed with performance.now(). */
export interface RequestRecord {
  type: ChargingStep['type'];
  submittedAt: number;
  doneAt: number;
  resultCode: number;
  unitResultCode?: number;
  granted?: bigint;
}

/** What happened in one session. */
export interface SessionResult {
  sessionId: string;
  requests: RequestRecord[];
}

/** A front end seen from the traffic side: plays a session over its protocol. */
export interface ChargingDriver {
  name: string;
  runSession(plan: SessionPlan): Promise<SessionResult>;
  /** Closes its connections. */
  close(): Promise<void>;
}

const ok = (a: StepAnswer) => a.resultCode === 2001 && (a.unitResultCode === undefined || a.unitResultCode === 2001);
const min = (a: bigint, b: bigint) => (a < b ? a : b);

/**
 * Plays a session through `send`: initial, up to `updates` updates, termination (or one event for
 * SMS). A refused initial request ends the session there; a refused update or a final-unit grant
 * goes straight to the termination. Each report uses at most what the last answer granted.
 */
export async function playSession(plan: SessionPlan, send: (step: ChargingStep) => Promise<StepAnswer>): Promise<SessionResult> {
  const requests: RequestRecord[] = [];
  const step = async (s: ChargingStep): Promise<StepAnswer> => {
    const submittedAt = performance.now();
    const answer = await send(s);
    // One shape for every record (no conditional spreads): a generator makes thousands a second.
    requests.push({ type: s.type, submittedAt, doneAt: performance.now(), resultCode: answer.resultCode, unitResultCode: answer.unitResultCode, granted: answer.granted });
    return answer;
  };
  const at = (seconds: number) => new Date(plan.startTime.getTime() + seconds * 1000);
  if (plan.service === 'sms') {
    await step({ type: 'event', requestNumber: 0, eventTime: plan.startTime, requested: 1n });
    return { sessionId: plan.sessionId, requests };
  }
  let answer = await step({ type: 'initial', requestNumber: 0, eventTime: plan.startTime, requested: plan.requested });
  if (!ok(answer)) return { sessionId: plan.sessionId, requests };
  let number = 0;
  // Voice time moves by the seconds used; a data session reports once a minute.
  let elapsed = 0;
  const advance = (used: bigint) => (elapsed += plan.service === 'voice' ? Number(used) : 60);
  for (let i = 0; i < plan.updates && ok(answer) && !answer.finalUnit; i++) {
    const used = min(plan.usedPerStep, answer.granted ?? 0n);
    advance(used);
    answer = await step({ type: 'update', requestNumber: ++number, eventTime: at(elapsed), requested: plan.requested, used });
  }
  const used = ok(answer) ? min(plan.usedPerStep, answer.granted ?? 0n) : 0n;
  advance(used);
  await step({ type: 'termination', requestNumber: number + 1, eventTime: at(elapsed), used });
  return { sessionId: plan.sessionId, requests };
}
