/**
 * Ingestion of usage records in batches: each record ends rated or rejected (with its reason and
 * raw input), a record already stored (same source and record id) is a duplicate and changes
 * nothing. Rating and storing a batch is one transaction that holds the allowance counters it
 * spends, so imports running at once never spend the same allowance twice.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { addAllowanceUsage, copyUsageRows, counterKey, findStoredKeys, findSubscriberTariffs, isUniqueViolation, lockAllowanceCounters, recordKey, UsageRow } from '../../db/usage';
import { uuidV7 } from '../../domain/uuid-v7';
import { addQuantities, subtractQuantities } from '../../domain/usage/allowance';
import { placeUsage, Placement, rateWithAllowance } from '../../domain/usage/rate-record';
import type { SubscriberTariff } from '../../domain/usage/subscriber-tariff';
import { ParsedUsage, parseUsage, RawUsage, UsageInput } from '../../domain/usage/usage-input';

/** One record to ingest: the raw input, and for a re-rate the id and key it already had. */
export interface IngestItem {
  raw: RawUsage;
  /** Record id to store when the input has none (e.g. `line-17` of a file), so a rejection is kept too. */
  fallbackRecordId?: string;
  id?: string;
  receivedAt?: Date;
  /** Rejects the record with this reason whatever it holds (a line the file parser could not read). */
  rejectAs?: string;
}

export type Outcome = { index: number; id: string; source: string; recordId: string; result: 'rated' | 'rejected' | 'duplicate'; reason?: string };

/** Subscriptions already looked up by number, kept across the batches of one import. */
export type TariffCache = Map<string, SubscriberTariff | null>;

export interface IngestOptions {
  /** Source of records whose input names none (e.g. the file's name or `api`). */
  source: string;
  now: Date;
  tariffs?: TariffCache;
  /** Kept across the batches of one import: whether it has met a duplicate (see storeBatch). */
  duplicates?: DuplicateHint;
  /**
   * With batches stored at once: the batch locks its allowance counters only once this resolves
   * (the batch before holds its own), so allowances are spent in file order; `onLocked` is called
   * when this batch holds them.
   */
  lockAfter?: Promise<void>;
  onLocked?: () => void;
}

/** Whether duplicates are expected in the next batch, so keys are looked up before the COPY. */
export type DuplicateHint = { expected: boolean };

type Prepared = {
  index: number;
  item: IngestItem;
  key: string;
  row: UsageRow;
  usage?: UsageInput;
  tariff?: SubscriberTariff;
  placement?: Placement;
  /** The allowance counter the record spends from, when an allowance applies. */
  counter?: string;
};

const compareKeys = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const isDeadlock = (err: unknown): boolean => (err as { code?: string }).code === '40P01';

/** A record stored by a concurrent import between our duplicate check and our insert: the batch runs again. */
class ConcurrentInsert extends Error {}

function baseRow(item: IngestItem, source: string, recordId: string, receivedAt: string, now: Date): UsageRow {
  return {
    id: item.id ?? uuidV7(now),
    source,
    recordId,
    state: 'rejected',
    reason: null,
    raw: null,
    msisdn: null,
    billingAccountId: null,
    subscriptionId: null,
    usageType: null,
    startTime: null,
    quantity: null,
    destination: null,
    cycleStart: null,
    band: null,
    priceId: null,
    allowanceQuantity: null,
    overageQuantity: null,
    chargedQuantity: null,
    amount: null,
    currency: null,
    receivedAt: item.receivedAt?.toISOString() ?? receivedAt,
    ratedAt: null,
  };
}

const reject = (p: Prepared, reason: string): void => {
  p.row.state = 'rejected';
  p.row.reason = reason;
  p.row.raw = p.item.raw;
};

async function lookUpTariffs(db: Knex, cache: TariffCache, msisdns: string[]): Promise<void> {
  const missing = [...new Set(msisdns.filter((m) => !cache.has(m)))];
  if (!missing.length) return;
  const found = await findSubscriberTariffs(db, missing);
  for (const m of missing) cache.set(m, found.get(m) ?? null);
}

/** Validates and places every item (no writes): what remains is the allowance and the insert. */
async function prepare(db: Knex, items: IngestItem[], opts: IngestOptions, cache: TariffCache): Promise<Prepared[]> {
  const parsed = items.map((item): ParsedUsage => (item.rejectAs ? { ok: false, reason: item.rejectAs } : parseUsage(item.raw, opts.source)));
  const msisdns: string[] = [];
  for (const r of parsed) if (r.ok) msisdns.push(r.usage.msisdn);
  await lookUpTariffs(db, cache, msisdns);
  const receivedAt = opts.now.toISOString();
  return items.map((item, index) => {
    const result = parsed[index];
    const source = item.raw.source?.trim() || opts.source;
    const recordId = item.raw.recordId?.trim() || item.fallbackRecordId || randomUUID();
    const p: Prepared = { index, item, key: recordKey(source, recordId), row: baseRow(item, source, recordId, receivedAt, opts.now) };
    if (!result.ok) {
      reject(p, result.reason);
      return p;
    }
    const u = result.usage;
    const row = p.row;
    row.msisdn = u.msisdn;
    row.usageType = u.usageType;
    row.startTime = u.startTime.toISOString();
    row.quantity = u.quantity;
    row.destination = u.destination ?? null;
    const tariff = cache.get(u.msisdn);
    if (!tariff) {
      reject(p, `unknown subscriber: ${u.msisdn}`);
      return p;
    }
    row.billingAccountId = tariff.billingAccountId;
    row.subscriptionId = tariff.subscriptionId;
    const placement = placeUsage(tariff, u);
    if ('reason' in placement) {
      reject(p, placement.reason);
      return p;
    }
    p.usage = u;
    p.tariff = tariff;
    p.placement = placement;
    if (placement.allowance !== undefined) p.counter = counterKey(tariff.subscriptionId, placement.cycleStart, u.usageType);
    row.cycleStart = placement.cycleStart;
    return p;
  });
}

/** Rates the placed records of a batch against the locked counters, in start time order; returns what each counter gained. */
function rate(prepared: Prepared[], used: Map<string, string>, now: Date): Map<string, string> {
  // What each counter has used, this batch's records so far included.
  const reached = new Map<string, string>();
  const ratedAt = now.toISOString();
  const placed = prepared.filter((p) => p.placement).sort((a, b) => a.usage!.startTime.getTime() - b.usage!.startTime.getTime());
  for (const p of placed) {
    const { usage: u, tariff: t, placement: pl } = p as Required<Prepared>;
    const key = p.counter;
    const before = key === undefined ? '0' : (reached.get(key) ?? used.get(key) ?? '0');
    const r = rateWithAllowance(pl, t, u, before);
    if (key !== undefined && r.allowanceQuantity !== '0') reached.set(key, addQuantities(before, r.allowanceQuantity));
    const row = p.row;
    row.state = 'rated';
    row.cycleStart = r.cycleStart;
    row.band = r.band;
    row.priceId = r.priceId;
    row.currency = r.currency;
    row.allowanceQuantity = r.allowanceQuantity;
    row.overageQuantity = r.overageQuantity;
    row.chargedQuantity = r.chargedQuantity;
    row.amount = r.amount;
    row.ratedAt = ratedAt;
  }
  const taken = new Map<string, string>();
  for (const [key, total] of reached) taken.set(key, subtractQuantities(total, used.get(key) ?? '0'));
  return taken;
}

/** Splits a batch into the records to store and the duplicates (a key stored already, or earlier in the batch). */
function splitDuplicates(prepared: Prepared[], stored: Set<string>): { fresh: Prepared[]; duplicates: Prepared[] } {
  const seen = new Set<string>();
  const fresh: Prepared[] = [];
  const duplicates: Prepared[] = [];
  for (const p of prepared) {
    if (stored.has(p.key) || seen.has(p.key)) duplicates.push(p);
    else {
      seen.add(p.key);
      fresh.push(p);
    }
  }
  return { fresh, duplicates };
}

async function storedKeysOf(trx: Knex.Transaction, prepared: Prepared[]): Promise<Set<string>> {
  const keys = new Map<string, { source: string; recordId: string }>();
  for (const p of prepared) if (!keys.has(p.key)) keys.set(p.key, { source: p.row.source, recordId: p.row.recordId });
  return findStoredKeys(trx, [...keys.values()]);
}

/** Rates the fresh records against the locked counters and COPYs them; false (nothing written) when a key was stored already. */
async function rateAndCopy(trx: Knex.Transaction, fresh: Prepared[], used: Map<string, string>, now: Date, savepoint: boolean): Promise<Map<string, string> | undefined> {
  const taken = rate(fresh, used, now);
  // Rows in key order: two imports inserting the same keys wait on each other in one direction only.
  const rows = [...fresh].sort((a, b) => compareKeys(a.key, b.key)).map((p) => p.row);
  if (savepoint) await trx.raw('SAVEPOINT usage_copy');
  try {
    await copyUsageRows(trx, rows);
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    if (!savepoint) throw new ConcurrentInsert();
    await trx.raw('ROLLBACK TO SAVEPOINT usage_copy');
    return undefined;
  }
  if (savepoint) await trx.raw('RELEASE SAVEPOINT usage_copy');
  return taken;
}

/**
 * Stores one batch in one transaction (rated and rejected alike); duplicates are reported, not
 * stored. The allowance counters are locked first: any import that could store the same records
 * (same number, so same counters) waits for them, so a duplicate check made after holds.
 *
 * Most batches hold no duplicate, so the check is optimistic: the rows are COPYed at once (under
 * a savepoint), and the unique key on (source, record id) is the check; only when it refuses the
 * batch are the stored keys looked up and the batch rated again without them. That spares
 * PostgreSQL one index probe per record. With `duplicates.expected` (set once an import met one)
 * the keys are looked up first, as a file that repeats records tends to repeat many.
 */
async function storeBatch(trx: Knex.Transaction, prepared: Prepared[], opts: IngestOptions, duplicates: DuplicateHint): Promise<Outcome[]> {
  const now = opts.now;
  const counters = new Map<string, { subscriptionId: string; cycleStart: string; usageType: string }>();
  for (const p of prepared) {
    if (p.counter === undefined || counters.has(p.counter)) continue;
    counters.set(p.counter, { subscriptionId: p.tariff!.subscriptionId, cycleStart: p.placement!.cycleStart, usageType: p.usage!.usageType });
  }
  await opts.lockAfter;
  const used = await lockAllowanceCounters(trx, [...counters.values()]);
  opts.onLocked?.();
  let split = splitDuplicates(prepared, duplicates.expected ? await storedKeysOf(trx, prepared) : new Set());
  let taken = duplicates.expected ? undefined : await rateAndCopy(trx, split.fresh, used, now, true);
  if (!taken) {
    // A record stored meanwhile by an import that held no counter of ours (a rejection) makes the COPY fail: the batch runs again.
    if (!duplicates.expected) {
      duplicates.expected = true;
      split = splitDuplicates(prepared, await storedKeysOf(trx, prepared));
    }
    taken = await rateAndCopy(trx, split.fresh, used, now, false);
  }
  await addAllowanceUsage(trx, taken!);
  const outcomes: Outcome[] = [];
  for (const p of split.duplicates) outcomes.push({ index: p.index, id: p.row.id, source: p.row.source, recordId: p.row.recordId, result: 'duplicate' });
  for (const p of split.fresh) outcomes.push({ index: p.index, id: p.row.id, source: p.row.source, recordId: p.row.recordId, result: p.row.state === 'rated' ? 'rated' : 'rejected', reason: p.row.reason ?? undefined });
  return outcomes;
}

/** A batch validated and placed (subscriptions found, cycles and bands known), not yet rated or stored. */
export interface PreparedBatch {
  readonly records: readonly unknown[];
}

/**
 * The first half of ingesting a batch, with no writes: validation, the subscriptions, cycles and
 * bands. An import runs it for the next batch while the one before is being stored.
 */
export async function prepareUsageBatch(knex: Knex, items: IngestItem[], opts: IngestOptions): Promise<PreparedBatch> {
  return { records: await prepare(knex, items, opts, opts.tariffs ?? new Map()) };
}

/**
 * The second half: rates a prepared batch against the locked allowance counters and stores it;
 * returns one outcome per item. Pass `trx` to run inside a transaction of the caller (a re-rate),
 * else each attempt is its own.
 */
export async function storeUsageBatch(knex: Knex, batch: PreparedBatch, opts: IngestOptions, trx?: Knex.Transaction): Promise<Outcome[]> {
  const prepared = batch.records as Prepared[];
  const duplicates = opts.duplicates ?? { expected: false };
  if (trx) return storeBatch(trx, prepared, opts, duplicates);
  for (let attempt = 1; ; attempt++) {
    try {
      return await knex.transaction((t) => storeBatch(t, prepared, opts, duplicates));
    } catch (err) {
      if (!(err instanceof ConcurrentInsert || isDeadlock(err)) || attempt >= 5) throw err;
    }
  }
}

/**
 * Ingests a batch: validates, rates and stores every record; returns one outcome per item. Pass
 * `trx` to run inside a transaction of the caller (a re-rate), else each attempt is its own.
 */
export async function ingestUsageBatch(knex: Knex, items: IngestItem[], opts: IngestOptions, trx?: Knex.Transaction): Promise<Outcome[]> {
  return storeUsageBatch(knex, await prepareUsageBatch(knex, items, opts), opts, trx);
}
