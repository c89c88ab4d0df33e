/**
 * The open sessions a front end answered, each with where to reach its client and the rating
 * groups that wait for credit (its last answer gave them their final units or refused them for
 * credit, 4012). When an account gains credit, the front end asks the network to re-authorise the
 * sessions that wait (Gy RAR, Nchf REAUTHORIZATION notify), so that a call goes on past its final
 * units and a data session redirected to the top-up portal comes back at once, rather than at the
 * end of the grant's validity time; when a subscriber or account is suspended or closed, it tells
 * every open session of it (Gy RAR: the update is granted nothing; Nchf ABORT_CHARGING: the
 * consumer releases it), so that the service stops at once.
 *
 * Kept in the memory of the front end that holds the connection to the client; a re-authorisation
 * only brings forward what the client does anyway at the validity time or its quota's end, so what a
 * restart or the bound loses costs that wait and nothing else.
 */
import { ratingGroupsAwaitingCredit } from '../engine/waiting';
import { RESULT, type ChargingAnswer, type ChargingRequest } from '../engine/types';

/** What is kept of a session: where to reach its client, and the rating groups that wait for credit (none: empty). */
export interface Tracked<Target> {
  target: Target;
  waiting: readonly number[];
}

/** How one re-authorisation went: the client's answer (a Diameter Result-Code on Gy, an HTTP status on Nchf), or why there was none. */
export interface ReauthOutcome {
  sessionId: string;
  answer?: number;
  error?: string;
}

/** Why sessions are asked to re-authorise: their account gained credit (those that wait), or their subscriber or account was barred (all). */
export type ReauthReason = 'credit' | 'barred';

/** At most this many sessions are kept (the earliest opened are forgotten first): a bound on memory, and on sessions the client abandons. */
export const MAX_OPEN_SESSIONS = 200_000;

const NONE: readonly number[] = Object.freeze([]);

/** Open sessions by id, the earliest opened first. */
export class OpenSessions<Target> {
  private readonly sessions = new Map<string, Tracked<Target>>();
  private waitingCount = 0;

  constructor(private readonly max = MAX_OPEN_SESSIONS) {}

  /** Whether the session is kept (a caller makes a target only for one that is not). */
  tracks(sessionId: string): boolean {
    return this.sessions.has(sessionId);
  }

  /** Where a kept session's client is reached. */
  targetOf(sessionId: string): Target | undefined {
    return this.sessions.get(sessionId)?.target;
  }

  /**
   * Notes the answer to a request: a termination or event forgets its session; a session opened
   * (or first seen) is kept with `target`; every answer says which of its rating groups wait.
   * `target` may be left out for a session already kept.
   */
  note(request: ChargingRequest, answer: ChargingAnswer, target: Target | undefined): void {
    if (request.type === 'termination' || request.type === 'event') {
      this.forget(request.sessionId);
      return;
    }
    // A refused request (unknown session, out of sequence, unknown subscriber) changes nothing kept.
    if (answer.resultCode !== RESULT.SUCCESS) return;
    const waiting = ratingGroupsAwaitingCredit(request, answer);
    const kept = this.sessions.get(request.sessionId);
    if (kept) {
      if (kept.waiting.length) this.waitingCount--;
      kept.waiting = waiting;
      if (target !== undefined) kept.target = target;
    } else {
      if (target === undefined) return;
      this.sessions.set(request.sessionId, { target, waiting });
      if (this.sessions.size > this.max) this.forget(this.sessions.keys().next().value!);
    }
    if (waiting.length) this.waitingCount++;
  }

  /** Forgets a session that has ended. */
  forget(sessionId: string): void {
    const kept = this.sessions.get(sessionId);
    if (!kept) return;
    if (kept.waiting.length) this.waitingCount--;
    this.sessions.delete(sessionId);
  }

  /** Whether any session waits for credit. */
  get anyWaiting(): boolean {
    return this.waitingCount > 0;
  }

  /** The sessions kept, and how many of them wait for credit. */
  counts(): { open: number; waiting: number } {
    return { open: this.sessions.size, waiting: this.waitingCount };
  }

  /** How many sessions are kept. */
  get size(): number {
    return this.sessions.size;
  }

  /**
   * The sessions among `sessionIds` to ask: for a credit those that wait, which then no longer do
   * (asked once; they wait again if the answer after says so); when barred, every one kept.
   */
  select(sessionIds: Iterable<string>, reason: ReauthReason): Array<[string, Tracked<Target>]> {
    const chosen: Array<[string, Tracked<Target>]> = [];
    for (const id of sessionIds) {
      const kept = this.sessions.get(id);
      if (!kept) continue;
      if (reason === 'barred') {
        chosen.push([id, { target: kept.target, waiting: NONE }]);
      } else if (kept.waiting.length) {
        chosen.push([id, { target: kept.target, waiting: kept.waiting }]);
        kept.waiting = NONE;
        this.waitingCount--;
      }
    }
    return chosen;
  }
}
