/**
 * Sessions waiting for credit: their last answer gave a rating group its final units or refused it
 * for credit (4012). The front ends re-authorise them when their account gains credit; a credit by
 * another writer is told by PostgreSQL (NOTIFY charging_credit), but the engine's own writes send no
 * notice. So the engine keeps, by account, the sessions it answered that wait: when one of its
 * writes frees credit on such an account (a call of another line of a shared account ends and its
 * reservation goes back, a session hands back units it did not use) it hands them on, and on a
 * notice of another writer's credit they are read from here, not from the database. Other OCS
 * instances are told of the accounts this one's sessions wait on, and of credit its writes free on
 * accounts theirs wait on (ocs/reauth/other-instances.ts).
 */
import type { PlannedWrite } from './store';
import { RESULT, type ChargingAnswer, type ChargingRequest } from './types';

const NONE: readonly number[] = Object.freeze([]);

/** The rating groups of an answer that wait for credit: final units, or refused for credit. */
export function ratingGroupsAwaitingCredit(request: ChargingRequest, answer: ChargingAnswer): readonly number[] {
  if (request.type !== 'initial' && request.type !== 'update') return NONE;
  let groups: number[] | undefined; // made only when one waits: this runs for every answer
  for (const unit of answer.units) if (unit.finalUnit || unit.resultCode === RESULT.CREDIT_LIMIT_REACHED) (groups ??= []).push(unit.ratingGroup);
  return groups ?? NONE;
}

/** At most this many waiting sessions are kept (the earliest noted forgotten first). */
const MAX_WAITING = 100_000;

/** Other OCS instances on the same database, as far as this one knows of their waiting sessions. */
export interface OtherInstances {
  /** Whether a session another instance answered waits for credit on the account. */
  waitOn(accountId: string): boolean;
  /** A session this instance answered waits for credit on the account. */
  sessionWaits(accountId: string): void;
  /** This instance's writes freed credit on these accounts, which others' sessions wait on. */
  creditFreed(accountIds: string[]): void;
}

/** The waiting sessions the engine answered, by account (see the file comment). */
export class WaitingByAccount {
  private readonly accountOf = new Map<string, string>();
  private readonly byAccount = new Map<string, Set<string>>();
  private readonly others: OtherInstances | undefined;
  private readonly max: number;

  constructor(
    /** Called with the waiting sessions of accounts where a write freed credit. */
    private readonly onFreed: (sessionIds: string[]) => void,
    options: { others?: OtherInstances; max?: number } = {},
  ) {
    this.others = options.others;
    this.max = options.max ?? MAX_WAITING;
  }

  /** After a batch's writes committed: notes which sessions wait, and hands on those of accounts the writes freed credit on (and tells other instances of theirs). */
  afterWrites(writes: readonly PlannedWrite[]): void {
    let freed: string[] | undefined;
    let freedForOthers: Set<string> | undefined;
    for (const w of writes) {
      this.note(w.request, w.plan.answer, w.chargingAccountId);
      const account = w.chargingAccountId;
      const waiting = this.byAccount.get(account);
      const othersWait = this.others?.waitOn(account) === true;
      if ((!waiting && !othersWait) || !freesCredit(w)) continue;
      if (waiting) for (const id of waiting) if (id !== w.request.sessionId) (freed ??= []).push(id);
      if (othersWait) (freedForOthers ??= new Set()).add(account);
    }
    if (freed) this.onFreed(freed);
    if (freedForOthers) this.others!.creditFreed([...freedForOthers]);
  }

  /**
   * Notes whether a session waits after `answer` (a write's, or its last answer given again to a
   * retransmission, which another instance may have written: the client waits all the same).
   */
  note(request: ChargingRequest, answer: ChargingAnswer, chargingAccountId: string): void {
    const waits = ratingGroupsAwaitingCredit(request, answer).length > 0;
    if (!waits) {
      if (this.accountOf.size) this.forget(request.sessionId);
      return;
    }
    this.others?.sessionWaits(chargingAccountId);
    if (this.accountOf.get(request.sessionId) === chargingAccountId) return;
    this.forget(request.sessionId);
    this.accountOf.set(request.sessionId, chargingAccountId);
    let sessions = this.byAccount.get(chargingAccountId);
    if (!sessions) this.byAccount.set(chargingAccountId, (sessions = new Set()));
    sessions.add(request.sessionId);
    if (this.accountOf.size > this.max) this.forget(this.accountOf.keys().next().value!);
  }

  /** The waiting sessions of these accounts (another writer credited them: NOTIFY charging_credit). */
  of(accountIds: Iterable<string>): string[] {
    const ids: string[] = [];
    for (const account of accountIds) for (const id of this.byAccount.get(account) ?? []) ids.push(id);
    return ids;
  }

  /** Forgets a session closed elsewhere (the sweeper closing an abandoned one). */
  forget(sessionId: string): void {
    const account = this.accountOf.get(sessionId);
    if (account === undefined) return;
    this.accountOf.delete(sessionId);
    const sessions = this.byAccount.get(account)!;
    sessions.delete(sessionId);
    if (sessions.size === 0) this.byAccount.delete(account);
  }
}

/** Whether a write leaves some bucket with more available than before: it released more than it debited and reserved there. */
function freesCredit(write: PlannedWrite): boolean {
  for (const change of write.plan.bucketChanges.values()) if (change.debit + change.reserve < 0n) return true;
  return false;
}
