/**
 * What OCS instances sharing a database tell each other so that a session waiting for credit on one
 * learns of credit another one's engine frees. Instances are sharded by subscriber, so the lines of
 * a shared (family) account may be answered by different instances: when one line's call ends and
 * gives back what it held, the instance that answered it frees the credit, but the line refused for
 * credit waits on another. The engine's own writes send no `charging_credit` notice (the bucket
 * trigger skips them: every debit would notify), so:
 * - an instance with a session waiting on an account says so on `charging_waiting` (the account
 *   id; again at most every half validity time while one still waits);
 * - every other instance remembers that account for a validity time and a half (a wait that began
 *   up to half a validity time after the announcement it was not said again for is covered for a
 *   whole validity time: by then a session on final units has come back by itself), and when one of
 *   its writes frees credit on it, sends
 *   `charging_credit` for it, as any other writer's credit does; the waiting instance re-authorises.
 * Both go over the instance's LISTEN connection (account-watcher.ts), which ignores its own.
 * What is lost while that connection is down costs a wait until the validity time, nothing else.
 */
import type { OtherInstances } from '../engine/waiting';
import { CREDIT_CHANNEL, WAITING_CHANNEL } from './account-watcher';

/** At most this many accounts are remembered either way (the earliest first forgotten). */
const MAX_ACCOUNTS = 100_000;

export interface OtherInstancesOptions {
  /** How long a wait another instance announced is remembered: the validity time it granted. */
  ttlMs: number;
  now: () => number;
  /** Sends one notification per payload on the channel (the LISTEN connection's). */
  notify: (channel: string, payloads: string[]) => void;
  max?: number;
}

/** The accounts other instances have sessions waiting on, and this instance's announcements of its own. */
export class OtherInstancesWaiting implements OtherInstances {
  private readonly waitingUntil = new Map<string, number>();
  private readonly announcedAt = new Map<string, number>();
  private readonly max: number;

  constructor(private readonly options: OtherInstancesOptions) {
    this.max = options.max ?? MAX_ACCOUNTS;
  }

  /** Another instance said a session of it waits on the account. */
  heard(accountId: string): void {
    this.remember(this.waitingUntil, accountId, this.options.now() + this.options.ttlMs * 1.5);
  }

  waitOn(accountId: string): boolean {
    if (this.waitingUntil.size === 0) return false; // every write of the engine asks
    const until = this.waitingUntil.get(accountId);
    if (until === undefined) return false;
    if (until > this.options.now()) return true;
    this.waitingUntil.delete(accountId);
    return false;
  }

  sessionWaits(accountId: string): void {
    const now = this.options.now();
    const last = this.announcedAt.get(accountId);
    if (last !== undefined && now - last < this.options.ttlMs / 2) return;
    this.remember(this.announcedAt, accountId, now);
    this.options.notify(WAITING_CHANNEL, [accountId]);
  }

  creditFreed(accountIds: string[]): void {
    this.options.notify(CREDIT_CHANNEL, accountIds);
  }

  /** Sets an account's time as the latest in `map` (insertion order), forgetting the earliest past the bound. */
  private remember(map: Map<string, number>, accountId: string, at: number): void {
    map.delete(accountId);
    map.set(accountId, at);
    if (map.size > this.max) map.delete(map.keys().next().value!);
  }
}
