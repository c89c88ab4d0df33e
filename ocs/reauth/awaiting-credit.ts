/**
 * The sessions a front end has left waiting for credit: its last answer to them gave a rating
 * group its final units or refused it for credit (4012). When their account gains credit, the
 * front end asks the network to re-authorise them (Gy RAR, Nchf REAUTHORIZATION notify), so that
 * a call goes on past its final units and a data session redirected to the top-up portal comes
 * back at once, rather than at the end of the grant's validity time.
 *
 * Kept in the memory of the front end that holds the connection to the client; a re-authorisation
 * only brings forward what the client does anyway at the validity time, so what a restart loses
 * costs the subscriber that wait and nothing else.
 */
import { RESULT, type ChargingAnswer, type ChargingRequest } from '../engine/types';

/** What is kept of a waiting session: where to reach its client, and the rating groups that wait. */
export interface Waiting<Target> {
  target: Target;
  ratingGroups: readonly number[];
}

/** How one re-authorisation went: the client's answer (a Diameter Result-Code on Gy, an HTTP status on Nchf), or why there was none. */
export interface ReauthOutcome {
  sessionId: string;
  answer?: number;
  error?: string;
}

/** At most this many sessions are kept (the longest waiting are forgotten first): a bound on memory for sessions the client abandons. */
export const MAX_AWAITING_CREDIT = 100_000;

const NONE: readonly number[] = Object.freeze([]);

/** The rating groups of an answer that wait for credit: final units, or refused for credit. */
export function ratingGroupsAwaitingCredit(request: ChargingRequest, answer: ChargingAnswer): readonly number[] {
  if (request.type !== 'initial' && request.type !== 'update') return NONE;
  let groups: number[] | undefined; // made only when one waits: this runs for every answer
  for (const unit of answer.units) if (unit.finalUnit || unit.resultCode === RESULT.CREDIT_LIMIT_REACHED) (groups ??= []).push(unit.ratingGroup);
  return groups ?? NONE;
}

/** Sessions waiting for credit, by session id, the longest waiting first. */
export class AwaitingCredit<Target> {
  private readonly sessions = new Map<string, Waiting<Target>>();

  constructor(private readonly max = MAX_AWAITING_CREDIT) {}

  /** Notes the answer to a request: the session waits for credit, or (any other answer) no longer does. */
  note(request: ChargingRequest, answer: ChargingAnswer, target: Target): void {
    const ratingGroups = ratingGroupsAwaitingCredit(request, answer);
    if (ratingGroups.length === 0) {
      // Most answers: nothing to do unless something waits at all.
      if (this.sessions.size) this.sessions.delete(request.sessionId);
      return;
    }
    // Deleted first so that it moves to the end of the insertion order (the most recent).
    this.sessions.delete(request.sessionId);
    this.sessions.set(request.sessionId, { target, ratingGroups });
    if (this.sessions.size > this.max) this.sessions.delete(this.sessions.keys().next().value!);
  }

  /** Forgets a session that has ended. */
  forget(sessionId: string): void {
    this.sessions.delete(sessionId);
  }

  /** How many sessions wait. */
  get size(): number {
    return this.sessions.size;
  }

  /** Takes the sessions among `sessionIds` that wait: they are re-authorised once, and wait again if the answer after says so. */
  take(sessionIds: Iterable<string>): Array<[string, Waiting<Target>]> {
    const taken: Array<[string, Waiting<Target>]> = [];
    for (const id of sessionIds) {
      const waiting = this.sessions.get(id);
      if (!waiting) continue;
      this.sessions.delete(id);
      taken.push([id, waiting]);
    }
    return taken;
  }
}
