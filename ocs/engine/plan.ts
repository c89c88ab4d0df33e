/**
 * What one credit-control request does to an account, computed from the locked state in memory:
 * which buckets are debited, reserved and released (with their ledger rows), what the session
 * has used so far, and the answer. Pure: the caller reads and writes the database around it.
 */
import { priceEventMicros, RatingError, selectBand, type Rating } from '../../domain/rating';
import { allowanceCovers } from '../../domain/usage/allowance';
import { ceilToUnit, formatMicros, min, ONE, parseMicros, roundToCent, type Micros } from '../../domain/micros';
import { eventReference, RESULT, SERVICE_OF_RATING_GROUP, type ChargingAnswer, type ChargingRequest, type ResultCode, type ServiceType, type UnitGrant, type UnitRequest } from './types';

/** A bucket as locked for the request; amounts in millionths of its unit (money or octets, seconds, events). */
export interface BucketState {
  id: string;
  type: 'money' | ServiceType;
  balance: Micros;
  reserved: Micros;
  /** How far below zero a money bucket may go (0 for none). */
  creditLimit: Micros;
  priority: number;
  validFrom: Date;
  validUntil: Date | null;
  createdAt: Date;
  /** The one line (MSISDN) that may draw on it, or null: every line of the account. */
  owner: string | null;
}

/**
 * A copy of a bucket to plan on (the plan sets its balance and reserved), optionally with other
 * amounts. Written out field by field so that every bucket the engine handles has one shape: an
 * object spread of buckets built in different places takes V8's slow path, several times a request.
 */
export const copyBucket = (b: BucketState, balance = b.balance, reserved = b.reserved): BucketState => ({
  id: b.id,
  type: b.type,
  balance,
  reserved,
  creditLimit: b.creditLimit,
  priority: b.priority,
  validFrom: b.validFrom,
  validUntil: b.validUntil,
  createdAt: b.createdAt,
  owner: b.owner,
});

/** A reservation the session holds. */
export interface ReservationState {
  id: string;
  ratingGroup: number;
  bucketId: string;
  amount: Micros;
  quantity: Micros;
}

/** What a session has used of one rating group: rated as one event from its start. */
export interface RatingGroupUsage {
  /** When the event started (ISO): its band is chosen by this instant. */
  start: string;
  /** Units taken from unit buckets (free of charge). */
  bucketUnits: string;
  /** Units paid with money. */
  moneyUnits: string;
  /** Money debited for them so far: the price of moneyUnits, rounded to the cent. */
  charged: string;
  /**
   * Whom the event is to, as the first request that named it said (a termination need not name
   * it again): every report prices the whole event to the same destination.
   */
  destination?: string;
  /**
   * When what money pays of a call began (ISO), fixed by the first report money paid for: what an
   * allowance pays after that (a bundle bought during the call) does not move it, nor so re-price
   * what money has already paid.
   */
  moneyFrom?: string;
}

export type SessionUsage = Record<string, RatingGroupUsage>;

/** Tariffs of the subscriber's product by service type, and the time zone bands are read in. */
export interface Tariffs {
  ratings: Partial<Record<ServiceType, Rating>>;
  timeZone: string;
}

export interface EngineSettings {
  /** Units reserved when a request asks for no particular quantity. */
  defaultQuota: Record<ServiceType, string>;
  /** The most units one grant gives, whatever a request asks for (RFC 4006 leaves the grant to the server). */
  maxQuota: Record<ServiceType, string>;
  /** Seconds a grant is valid for (Validity-Time); unreported units are released after it. */
  validityTime: number;
  /**
   * Where a data session's traffic goes once its final units are used (a top-up portal's URL:
   * Final-Unit-Action REDIRECT); absent, the session ends (TERMINATE). Calls and messages end.
   */
  finalUnitRedirect?: string;
  /**
   * A filter the gateway knows (Filter-Id: e.g. the top-up site and customer care) that a data
   * session is restricted to once its final units are used: alone Final-Unit-Action
   * RESTRICT_ACCESS; with `finalUnitRedirect`, what stays reachable besides the portal.
   */
  finalUnitFilterId?: string;
  /**
   * Share of a call's or data session's grant (percent) left at which the client asks for more
   * while it still has some (Time-/Volume-Quota-Threshold, TS 32.299), so that the service does not
   * pause at the quota's end for the answer; 0: none. Not with final units: there is no more.
   */
  quotaThresholdPercent: number;
  /** Seconds a data session may stay idle before the client reports and gives its quota back (Quota-Holding-Time); 0: none. */
  quotaHoldingTime: number;
}

export type LedgerKind = 'debit' | 'credit' | 'reservation' | 'release';

export interface LedgerRow {
  bucketId: string;
  kind: LedgerKind;
  amount: Micros;
  reference: string;
  /** The service (rating group) the change is for, so that usage can be reported by service. */
  ratingGroup: number;
}

export interface NewReservation {
  ratingGroup: number;
  bucketId: string;
  amount: Micros;
  quantity: Micros;
}

/** Everything the request changes, written in one statement by the store. */
export interface Plan {
  /** Per bucket: what leaves `balance` and what is added to `reserved` (negative for a release). */
  bucketChanges: Map<string, BucketChange>;
  ledger: LedgerRow[];
  releasedReservationIds: string[];
  newReservations: NewReservation[];
  usage: SessionUsage;
  closeSession: boolean;
  answer: ChargingAnswer;
  /**
   * A bucket with units reserved gave less than was asked of it, so the plan went on to the next
   * bucket or granted less. Planned on the engine's cache, such a plan is made again on a fresh read:
   * another OCS instance may have released those units since, and nothing else would tell (the
   * engine's writes do not count in the account's revision).
   */
  shortOfReserved: boolean;
}

const isValidAt = (b: BucketState, t: Date) => b.validFrom.getTime() <= t.getTime() && (b.validUntil === null || t.getTime() < b.validUntil.getTime());
const byPriority = (a: BucketState, b: BucketState) => a.priority - b.priority || a.validFrom.getTime() - b.validFrom.getTime() || a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1);

/**
 * What a request does to one bucket: `debit` and the net change of `reserved` (reservations less
 * releases); `grants` when it reserves on the bucket or debits an event from it, which must fit
 * in what the bucket holds, where usage already reported may overrun a money bucket.
 */
export interface BucketChange {
  debit: Micros;
  reserve: Micros;
  grants: boolean;
}

/** Mutable working state: the buckets as they will be after the request. */
class Working {
  readonly changes = new Map<string, BucketChange>();
  readonly ledger: LedgerRow[] = [];
  pendingReservations: NewReservation[] = [];
  /** Plan.shortOfReserved. */
  shortOfReserved = false;
  /**
   * The buckets usable by type, in the order they are drawn from: those valid at the request's
   * time (what usage that happened is charged to) and those valid `now`, at the engine's clock
   * (what a new grant is reserved on: the network element's clock may be off). Asked for several
   * times per request, and neither a bucket's validity nor its priority changes while the request
   * is planned, only its amounts.
   */
  private readonly usable = new Map<string, BucketState[]>();
  private readonly reservable = new Map<string, BucketState[]>();
  /** Whether every bucket is valid now exactly when it is at the request's time (found once). */
  private nowAsAt: boolean | undefined;
  constructor(
    readonly buckets: BucketState[],
    readonly reference: string,
    readonly at: Date,
    readonly now: Date,
    /** An event's debits are its grant (charged before the service is given). */
    private readonly debitsGrant: boolean,
  ) {}

  private change(id: string) {
    let c = this.changes.get(id);
    if (!c) this.changes.set(id, (c = { debit: 0n, reserve: 0n, grants: false }));
    return c;
  }

  /** What a bucket can still give: its balance (plus a money bucket's credit limit) less what is reserved. */
  available(b: BucketState): Micros {
    const available = (b.type === 'money' ? b.balance + b.creditLimit : b.balance) - b.reserved;
    return available < 0n ? 0n : available;
  }

  debit(b: BucketState, amount: Micros, ratingGroup: number): void {
    if (amount === 0n) return;
    b.balance -= amount;
    const c = this.change(b.id);
    c.debit += amount;
    if (this.debitsGrant) c.grants = true;
    this.ledger.push({ bucketId: b.id, kind: 'debit', amount, reference: this.reference, ratingGroup });
  }

  reserve(b: BucketState, amount: Micros, ratingGroup: number): void {
    if (amount === 0n) return;
    b.reserved += amount;
    const c = this.change(b.id);
    c.reserve += amount;
    c.grants = true;
    this.ledger.push({ bucketId: b.id, kind: 'reservation', amount, reference: this.reference, ratingGroup });
  }

  release(bucketId: string, amount: Micros, ratingGroup: number): void {
    const b = this.bucketOf(bucketId);
    if (!b || amount === 0n) return;
    b.reserved -= amount;
    const c = this.change(b.id);
    c.reserve -= amount;
    this.ledger.push({ bucketId: b.id, kind: 'release', amount, reference: this.reference, ratingGroup });
  }

  /** Buckets of that type (a service's units, or money) valid at the request's time, in priority order. */
  usableOf(type: BucketState['type']): BucketState[] {
    return this.validOf(this.usable, type, this.at);
  }

  /** Buckets of that type valid now, in priority order (the same lists when no bucket starts or ends between the request's time and now). */
  reservableOf(type: BucketState['type']): BucketState[] {
    this.nowAsAt ??= this.validSameAt(this.at, this.now);
    return this.nowAsAt ? this.usableOf(type) : this.validOf(this.reservable, type, this.now);
  }

  private validSameAt(a: Date, b: Date): boolean {
    for (const bucket of this.buckets) if (isValidAt(bucket, a) !== isValidAt(bucket, b)) return false;
    return true;
  }

  private validOf(lists: Map<string, BucketState[]>, type: BucketState['type'], at: Date): BucketState[] {
    let list = lists.get(type);
    if (list === undefined) lists.set(type, (list = this.buckets.filter((b) => b.type === type && isValidAt(b, at)).sort(byPriority)));
    return list;
  }

  bucketOf(id: string): BucketState | undefined {
    for (const b of this.buckets) if (b.id === id) return b;
    return undefined;
  }

  /**
   * Takes up to `wanted` of a usage from the buckets of that type its reservations were on, at most
   * each reservation's amount and from its bucket even if it has ended since (the units were granted
   * while it was valid), then from the buckets usable at the request's time; returns how much was taken.
   */
  drawReservedFirst(held: readonly ReservationState[], type: BucketState['type'], wanted: Micros, take: (b: BucketState, amount: Micros) => void): Micros {
    let left = wanted;
    for (const r of held) {
      const b = this.bucketOf(r.bucketId);
      if (left <= 0n || b === undefined || b.type !== type) continue;
      const amount = min(min(left, r.amount), this.available(b));
      if (amount > 0n) {
        take(b, amount);
        left -= amount;
      }
    }
    return wanted - left + this.drawFrom(this.usableOf(type), left, take);
  }

  /** Takes up to `wanted` from the buckets in order with `take`; returns how much was taken. */
  drawFrom(buckets: BucketState[], wanted: Micros, take: (b: BucketState, amount: Micros) => void): Micros {
    let left = wanted;
    for (const b of buckets) {
      if (left <= 0n) break;
      const amount = min(left, this.available(b));
      if (amount < left && b.reserved > 0n) this.shortOfReserved = true;
      if (amount > 0n) {
        take(b, amount);
        left -= amount;
      }
    }
    return wanted - left;
  }

  /** What these money buckets can still give together. */
  moneyAvailable(buckets: BucketState[]): Micros {
    return buckets.reduce((s, b) => s + this.available(b), 0n);
  }
}

/**
 * The money a quantity of this rating group costs in total at the tariff's 6 decimals: a call that
 * crosses a band boundary is split there (priceEvent, which offline rating's rateCall writes out).
 */
function exactPriceOf(rating: Rating, service: ServiceType, usage: RatingGroupUsage, quantity: Micros, timeZone: string): Micros {
  if (quantity === 0n) return 0n;
  return priceEventMicros(rating, { usageType: service, quantity, startTime: paidFrom(service, usage), destination: usage.destination }, timeZone);
}

/**
 * When the part of the event paid with money began: a call's allowance pays its first seconds,
 * so what money pays starts once they are used (in the band of that moment), as offline rating
 * has it; data and SMS are priced from the event's start.
 */
function paidFrom(service: ServiceType, usage: RatingGroupUsage): Date {
  if (usage.moneyFrom !== undefined) return dateOf(usage.moneyFrom);
  const start = startOf(usage);
  if (service !== 'voice' || usage.bucketUnits === '0') return start;
  return new Date(start.getTime() + Number(parseMicros(usage.bucketUnits) / 1000n));
}

/**
 * Whether the service's unit buckets (allowances) may pay for this usage: voice and SMS
 * allowances are national and cover the national bands only, as offline (domain/usage/allowance);
 * a premium, international or freephone call is priced as money. Data allowances cover every band.
 */
function allowanceApplies(ctx: Context, service: ServiceType, usage: RatingGroupUsage, rating: Rating | undefined): boolean {
  // Without a price there is no band to tell; without allowances nothing to decide.
  if (service === 'data' || !rating || (ctx.work.usableOf(service).length === 0 && ctx.work.reservableOf(service).length === 0)) return true;
  try {
    return allowanceCovers(service, selectBand(rating, { startTime: startOf(usage), destination: usage.destination }, ctx.tariffs.timeZone).name);
  } catch (err) {
    // No band for it: the price fails the same way, and answers 5031.
    if (err instanceof RatingError) return false;
    throw err;
  }
}

let lastText = '';
let lastDate = new Date(NaN);
/**
 * An ISO instant of the usage, parsed once for the several prices a request asks for (the debit,
 * the reservation, the search for final units); rating only reads the date. A call's start and
 * the start of what money pays are mostly the same text.
 */
function dateOf(iso: string): Date {
  if (iso !== lastText) {
    lastText = iso;
    lastDate = new Date(iso);
  }
  return lastDate;
}

/** When the usage began. */
const startOf = (usage: RatingGroupUsage): Date => dateOf(usage.start);

/** The same, rounded to the cent: what is debited. */
function priceOf(rating: Rating, service: ServiceType, usage: RatingGroupUsage, quantity: Micros, timeZone: string): Micros {
  return roundToCent(exactPriceOf(rating, service, usage, quantity, timeZone));
}

/** A session's usage to change (its values are strings: a copy per rating group suffices, unlike structuredClone's general walk). */
const copyUsage = (usage: SessionUsage): SessionUsage => {
  const copy: SessionUsage = {};
  for (const [group, u] of Object.entries(usage)) copy[group] = { start: u.start, bucketUnits: u.bucketUnits, moneyUnits: u.moneyUnits, charged: u.charged, destination: u.destination, moneyFrom: u.moneyFrom };
  return copy;
};

const fresh = (start: Date, destination: string | undefined): RatingGroupUsage => ({ start: start.toISOString(), bucketUnits: '0', moneyUnits: '0', charged: '0', destination, moneyFrom: undefined });

interface Context {
  request: ChargingRequest;
  tariffs: Tariffs;
  settings: EngineSettings;
  work: Working;
}

/**
 * Debits used units: unit buckets first, the rest from money at the price the whole event has
 * reached (so a call reported in parts costs what it would in one piece); from the buckets the
 * usage's reservations (`held`) were on first. Usage already happened, so money goes below what is
 * available rather than be lost.
 */
function debitUsed(ctx: Context, ratingGroup: number, service: ServiceType, usage: RatingGroupUsage, used: Micros, rating: Rating | undefined, held: readonly ReservationState[]): boolean {
  const { work } = ctx;
  const fromUnits = allowanceApplies(ctx, service, usage, rating) ? work.drawReservedFirst(held, service, used, (b, a) => work.debit(b, a, ratingGroup)) : 0n;
  if (fromUnits !== 0n) usage.bucketUnits = formatMicros(parseMicros(usage.bucketUnits) + fromUnits);
  const rest = used - fromUnits;
  if (rest === 0n) return true;
  if (!rating) return false;
  if (service === 'voice' && usage.moneyFrom === undefined) usage.moneyFrom = paidFrom(service, usage).toISOString();
  const moneyUnits = parseMicros(usage.moneyUnits) + rest;
  const total = priceOf(rating, service, usage, moneyUnits, ctx.tariffs.timeZone);
  const cost = total - parseMicros(usage.charged);
  usage.moneyUnits = formatMicros(moneyUnits);
  usage.charged = formatMicros(total);
  if (cost <= 0n) return true;
  const taken = work.drawReservedFirst(held, 'money', cost, (b, a) => work.debit(b, a, ratingGroup));
  // An overrun (usage beyond what was reserved): the first money bucket valid then takes it, else
  // (none was: it ended during the call) the account's first money bucket. An account without
  // any cannot pay it: it stays uncharged, and the next report of the event tries again.
  const overrun = cost - taken;
  if (overrun > 0n) {
    const payer = work.usableOf('money')[0] ?? work.buckets.filter((b) => b.type === 'money').sort(byPriority)[0];
    if (payer) work.debit(payer, overrun, ratingGroup);
    else usage.charged = formatMicros(total - overrun);
  }
  return true;
}

/**
 * Reserves the next quota on the buckets valid now: unit buckets first, then money. When money
 * cannot pay the whole quota, grants what it can pay as the final units.
 */
function reserveQuota(ctx: Context, ur: UnitRequest, service: ServiceType, usage: RatingGroupUsage, rating: Rating): { granted: Micros; finalUnit: boolean; validityTime: number } {
  const { work, settings } = ctx;
  const wanted = min(parseMicros(ur.requested?.quantity ?? settings.defaultQuota[service]), parseMicros(settings.maxQuota[service]));
  const reservations: NewReservation[] = [];
  const allowances = allowanceApplies(ctx, service, usage, rating) ? work.reservableOf(service) : [];
  const grantedUnits = work.drawFrom(allowances, wanted, (b, amount) => {
    work.reserve(b, amount, ur.ratingGroup);
    reservations.push({ ratingGroup: ur.ratingGroup, bucketId: b.id, amount, quantity: amount });
  });
  const rest = wanted - grantedUnits;
  let grantedMoneyUnits = rest;
  let finalUnit = false;
  if (rest > 0n) {
    const moneyBuckets = work.reservableOf('money');
    const available = work.moneyAvailable(moneyBuckets);
    const moneyUnits = parseMicros(usage.moneyUnits);
    const charged = parseMicros(usage.charged);
    // What `q` more units cost on top of what the event was charged. A function, not a closure: tsx
    // names every closure made (a property definition), and this runs for every request paid by money.
    const costOfRest = costOfMore(ctx, rating, service, usage, moneyUnits, charged, rest);
    if (costOfRest > available) {
      finalUnit = true;
      // Paid for in full: rounding to the cent may not give away the last units.
      const fits = (q: Micros) =>
        costOfMore(ctx, rating, service, usage, moneyUnits, charged, q) <= available &&
        exactPriceOf(rating, service, usage, moneyUnits + q, ctx.tariffs.timeZone) - charged <= available;
      grantedMoneyUnits = affordable(rest, fits);
    }
    const price = finalUnit ? costOfMore(ctx, rating, service, usage, moneyUnits, charged, grantedMoneyUnits) : costOfRest;
    let share = grantedMoneyUnits;
    // Nothing granted, nothing reserved: the price of no more units is not always 0 (what was used
    // may price higher now than it was charged, a tariff changed during the call), and a
    // reservation without a grant would be held by no session, released by nothing.
    if (grantedMoneyUnits > 0n) {
      work.drawFrom(moneyBuckets, price, (b, amount) => {
        work.reserve(b, amount, ur.ratingGroup);
        // The service units stand with the first bucket that pays for them.
        reservations.push({ ratingGroup: ur.ratingGroup, bucketId: b.id, amount, quantity: share });
        share = 0n;
      });
    }
  }
  // The grant lasts no longer than the buckets it is reserved on: the client reports when one
  // ends, so what it uses after that is charged to what is valid then (whole seconds, rounded up).
  let validityTime = settings.validityTime;
  for (const r of reservations) {
    const until = work.bucketOf(r.bucketId)?.validUntil;
    if (until) validityTime = Math.min(validityTime, Math.ceil((until.getTime() - work.now.getTime()) / 1000));
  }
  work.pendingReservations.push(...reservations);
  return { granted: grantedUnits + grantedMoneyUnits, finalUnit, validityTime };
}

/** What `more` units cost, rounded to the cent, beyond the `moneyUnits` the event has used and the `charged` it paid for them. */
function costOfMore(ctx: Context, rating: Rating, service: ServiceType, usage: RatingGroupUsage, moneyUnits: Micros, charged: Micros, more: Micros): Micros {
  return priceOf(rating, service, usage, moneyUnits + more, ctx.tariffs.timeZone) - charged;
}

/**
 * The most units money can pay after what the event already used: the largest whole quantity
 * below `wanted` that `fits` the balance (priced split at band boundaries, as the debit will be).
 * Price only grows with quantity, so a binary search finds it.
 */
function affordable(wanted: Micros, fits: (q: Micros) => boolean): Micros {
  let low = 0n; // affordable
  let high = ceilToUnit(wanted); // not affordable (the caller asks only when the whole quota is not)
  while (high - low > ONE) {
    const mid = ((low + high) / ONE / 2n) * ONE;
    if (fits(mid)) low = mid;
    else high = mid;
  }
  return low;
}

/** Charges an event (one SMS) directly: all of it or, when the balance cannot pay, nothing (4012). */
function chargeEvent(ctx: Context, ur: UnitRequest, service: ServiceType, rating: Rating | undefined): UnitGrant {
  const { work } = ctx;
  const quantity = parseMicros(ur.requested?.quantity ?? ur.used?.quantity ?? '1');
  const usage = fresh(ctx.request.eventTime, ctx.request.destination);
  const fromUnits = allowanceApplies(ctx, service, usage, rating) ? min(quantity, work.usableOf(service).reduce((s, b) => s + work.available(b), 0n)) : 0n;
  const rest = quantity - fromUnits;
  if (rest > 0n) {
    if (!rating) return { ratingGroup: ur.ratingGroup, serviceIdentifier: ur.serviceIdentifier, resultCode: RESULT.RATING_FAILED };
    const price = priceOf(rating, service, usage, rest, ctx.tariffs.timeZone);
    if (price > work.moneyAvailable(work.usableOf('money'))) return { ratingGroup: ur.ratingGroup, serviceIdentifier: ur.serviceIdentifier, resultCode: RESULT.CREDIT_LIMIT_REACHED };
  }
  debitUsed(ctx, ur.ratingGroup, service, usage, quantity, rating, []);
  return { ratingGroup: ur.ratingGroup, serviceIdentifier: ur.serviceIdentifier, resultCode: RESULT.SUCCESS, granted: { quantity: formatMicros(quantity) }, refundInformation: work.reference };
}

/** A data session's final-unit action beyond ending: the portal it is redirected to, the filter it is restricted to; undefined when neither is set. */
function finalUnitAfter(settings: EngineSettings): Pick<UnitGrant, 'redirectTo' | 'filterId'> | undefined {
  const { finalUnitRedirect: redirectTo, finalUnitFilterId: filterId } = settings;
  if (redirectTo === undefined && filterId === undefined) return undefined;
  return { ...(redirectTo !== undefined ? { redirectTo } : {}), ...(filterId !== undefined ? { filterId } : {}) };
}

/** A rating group once what it used is charged: its answer, or what the grant of its next quota needs. */
type Settled = { answer: UnitGrant } | { service: ServiceType; rating: Rating; usage: RatingGroupUsage };

/**
 * The first step for one rating group of a request: release what it held, debit what it used (an
 * event: charge it). Every rating group of a request takes this step before any takes the next,
 * so that usage is debited before new quota is reserved on what is left.
 */
function settleRatingGroup(ctx: Context, ur: UnitRequest, usageByGroup: SessionUsage, held: ReservationState[], releasedIds: string[]): Settled {
  const { work, request, tariffs } = ctx;
  const service = SERVICE_OF_RATING_GROUP[ur.ratingGroup];
  if (!service) return { answer: answerOf(ur, RESULT.RATING_FAILED) };
  const rating = tariffs.ratings[service];
  if (request.type === 'event') return { answer: chargeEvent(ctx, ur, service, rating) };

  const reserved = held.filter((x) => x.ratingGroup === ur.ratingGroup);
  for (const r of reserved) {
    work.release(r.bucketId, r.amount, r.ratingGroup);
    releasedIds.push(r.id);
  }
  const key = String(ur.ratingGroup);
  const usage = (usageByGroup[key] ??= fresh(request.eventTime, request.destination));
  // A session from before destinations were kept, or whose first request named none.
  usage.destination ??= request.destination;
  const used = parseMicros(ur.used?.quantity ?? '0');
  const rated = used > 0n ? debitUsed(ctx, ur.ratingGroup, service, usage, used, rating, reserved) : true;
  if (!rated || !rating) return { answer: answerOf(ur, RESULT.RATING_FAILED) };
  if (request.type === 'termination' || ur.requested === undefined) return { answer: answerOf(ur, RESULT.SUCCESS) };
  return { service, rating, usage };
}

/** The second step: reserve the rating group's next quota on what the whole request left. */
function grantRatingGroup(ctx: Context, ur: UnitRequest, settled: Settled): UnitGrant {
  if ('answer' in settled) return settled.answer;
  const { work, settings } = ctx;
  const { service, rating, usage } = settled;
  const { granted, finalUnit, validityTime } = reserveQuota(ctx, ur, service, usage, rating);
  // What a data session does after its final units: a portal and/or a filter; without, it ends.
  const after = service === 'data' ? finalUnitAfter(settings) : undefined;
  if (granted === 0n) {
    // Nothing to reserve: undo any zero-sized reservation rows and refuse; a data session with a
    // top-up portal or a filter is redirected or restricted at once, until it asks again after the
    // validity time (or is re-authorised after a credit).
    work.pendingReservations = work.pendingReservations.filter((r) => r.ratingGroup !== ur.ratingGroup);
    const refused = answerOf(ur, RESULT.CREDIT_LIMIT_REACHED);
    if (after) Object.assign(refused, { validityTime: settings.validityTime, finalUnit: true, ...after });
    return refused;
  }
  const grant = answerOf(ur, RESULT.SUCCESS);
  grant.granted = { quantity: formatMicros(granted) };
  grant.validityTime = validityTime;
  if (finalUnit) {
    grant.finalUnit = true;
    grant.redirectTo = after?.redirectTo;
    grant.filterId = after?.filterId;
  } else {
    const threshold = quotaThreshold(settings, service, granted);
    grant.quotaThreshold = threshold > 0n ? String(threshold) : undefined;
    grant.quotaHoldingTime = service === 'data' && settings.quotaHoldingTime > 0 ? settings.quotaHoldingTime : undefined;
  }
  return grant;
}

/**
 * A rating group's answer with every field in its place from the start (undefined until set, and
 * left out of its JSON then): all answers share one object shape, where spreads of optional parts
 * took V8's slow path on every request.
 */
function answerOf(ur: UnitRequest, resultCode: ResultCode): UnitGrant {
  return {
    ratingGroup: ur.ratingGroup,
    serviceIdentifier: ur.serviceIdentifier,
    resultCode,
    granted: undefined,
    validityTime: undefined,
    finalUnit: undefined,
    redirectTo: undefined,
    filterId: undefined,
    quotaThreshold: undefined,
    quotaHoldingTime: undefined,
  };
}

/** Largest Time- or Volume-Quota-Threshold on the wire (Unsigned32). */
const MAX_THRESHOLD = 0xffff_ffffn;

/** Units of a grant left at which the client should ask again (none for SMS, or when not set). */
function quotaThreshold(settings: EngineSettings, service: ServiceType, granted: Micros): bigint {
  if (service === 'sms') return 0n;
  return min(((granted / ONE) * BigInt(settings.quotaThresholdPercent)) / 100n, MAX_THRESHOLD);
}

/**
 * The buckets a line may draw on: its account's shared ones and its own. The same objects (a plan
 * changes them in place); the list itself as it is when no bucket is another line's.
 */
function bucketsOfLine(buckets: BucketState[], msisdn: string): BucketState[] {
  for (const b of buckets) if (b.owner !== null && b.owner !== msisdn) return buckets.filter((x) => x.owner === null || x.owner === msisdn);
  return buckets;
}

/** The plan of one new (not retransmitted) request on locked state. */
export function planRequest(input: {
  request: ChargingRequest;
  /** The line charged (its number): buckets of the account's other lines are not drawn on. */
  msisdn: string;
  buckets: BucketState[];
  reservations: ReservationState[];
  usage: SessionUsage;
  tariffs: Tariffs;
  settings: EngineSettings;
  /** The engine's time: new grants are reserved on the buckets valid then. */
  now: Date;
}): Plan {
  const { request } = input;
  const event = request.type === 'event';
  const reference = event ? eventReference(request.sessionId) : `${request.sessionId}#${request.requestNumber}`;
  const work = new Working(bucketsOfLine(input.buckets, input.msisdn), reference, request.eventTime, input.now, event);
  const usage = copyUsage(input.usage);
  const releasedIds: string[] = [];
  const ctx: Context = { request, tariffs: input.tariffs, settings: input.settings, work };
  const settled = request.units.map((ur) => settleRatingGroup(ctx, ur, usage, input.reservations, releasedIds));
  const units = request.units.map((ur, i) => grantRatingGroup(ctx, ur, settled[i]));
  const closeSession = request.type === 'termination' || request.type === 'event';
  if (request.type === 'termination') {
    // The session ends: whatever it still holds on rating groups it did not report goes back.
    for (const r of input.reservations.filter((x) => !releasedIds.includes(x.id))) {
      work.release(r.bucketId, r.amount, r.ratingGroup);
      releasedIds.push(r.id);
    }
  }
  return {
    bucketChanges: work.changes,
    ledger: work.ledger,
    releasedReservationIds: releasedIds,
    newReservations: work.pendingReservations,
    usage,
    closeSession,
    answer: { sessionId: request.sessionId, requestNumber: request.requestNumber, resultCode: RESULT.SUCCESS, units },
    shortOfReserved: work.shortOfReserved,
  };
}
