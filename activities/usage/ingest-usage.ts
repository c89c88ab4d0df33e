/**
 * Ingestion of usage records in batches: each record ends rated or rejected (with its reason and
 * raw input), a record already stored (same source and record id) is a duplicate and changes
 * nothing. Rating and storing a batch is one transaction that holds the allowance counters it
 * spends, so imports running at once never spend the same allowance twice.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { addAllowanceUsage, counterKey, findStoredKeys, findSubscriberTariffs, insertUsageRows, lockAllowanceCounters, recordKey, UsageRow } from '../../db/usage';
import { money } from '../../domain/money';
import { placeUsage, Placement, rateWithAllowance } from '../../domain/usage/rate-record';
import type { SubscriberTariff } from '../../domain/usage/subscriber-tariff';
import { parseUsage, RawUsage, UsageInput } from '../../domain/usage/usage-input';
import type Decimal from 'decimal.js';

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

export type Outcome = { id: string; source: string; recordId: string; result: 'rated' | 'rejected' | 'duplicate'; reason?: string };

/** Subscriptions already looked up by number, kept across the batches of one import. */
export type TariffCache = Map<string, SubscriberTariff | null>;

export interface IngestOptions {
  /** Source of records whose input names none (e.g. the file's name or `api`). */
  source: string;
  now: Date;
  tariffs?: TariffCache;
}

type Prepared = { item: IngestItem; row: UsageRow; usage?: UsageInput; tariff?: SubscriberTariff; placement?: Placement };

const isDeadlock = (err: unknown): boolean => (err as { code?: string }).code === '40P01';

/** A record stored by a concurrent import between our duplicate check and our insert: the batch runs again. */
class ConcurrentInsert extends Error {}

function baseRow(item: IngestItem, source: string, recordId: string, now: Date): UsageRow {
  return {
    id: item.id ?? randomUUID(),
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
    receivedAt: (item.receivedAt ?? now).toISOString(),
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
  const parsed = items.map((item) => ({ item, parsed: item.rejectAs ? ({ ok: false, reason: item.rejectAs } as const) : parseUsage(item.raw, opts.source) }));
  await lookUpTariffs(db, cache, parsed.flatMap((p) => (p.parsed.ok ? [p.parsed.usage.msisdn] : [])));
  return parsed.map(({ item, parsed: result }) => {
    const source = item.raw.source?.trim() || opts.source;
    const recordId = item.raw.recordId?.trim() || item.fallbackRecordId || randomUUID();
    const p: Prepared = { item, row: baseRow(item, source, recordId, opts.now) };
    if (!result.ok) {
      reject(p, result.reason);
      return p;
    }
    const u = result.usage;
    Object.assign(p.row, { msisdn: u.msisdn, usageType: u.usageType, startTime: u.startTime.toISOString(), quantity: u.quantity, destination: u.destination ?? null });
    const tariff = cache.get(u.msisdn);
    if (!tariff) {
      reject(p, `unknown subscriber: ${u.msisdn}`);
      return p;
    }
    Object.assign(p.row, { billingAccountId: tariff.billingAccountId, subscriptionId: tariff.subscriptionId });
    const placement = placeUsage(tariff, u);
    if ('reason' in placement) {
      reject(p, placement.reason);
      return p;
    }
    Object.assign(p, { usage: u, tariff, placement });
    p.row.cycleStart = placement.cycleStart;
    return p;
  });
}

/** Rates the placed records of a batch against the locked counters, in start time order. */
function rate(prepared: Prepared[], used: Map<string, string>, now: Date): Map<string, string> {
  const taken = new Map<string, Decimal>();
  const placed = prepared.filter((p) => p.placement).sort((a, b) => a.usage!.startTime.getTime() - b.usage!.startTime.getTime());
  for (const p of placed) {
    const { usage: u, tariff: t, placement: pl } = p as Required<Prepared>;
    const key = counterKey(t.subscriptionId, pl.cycleStart, u.usageType);
    const before = money(used.get(key) ?? '0').plus(taken.get(key) ?? 0);
    const r = rateWithAllowance(pl, t, u, before);
    if (pl.allowance !== undefined) taken.set(key, (taken.get(key) ?? money(0)).plus(r.allowanceQuantity));
    Object.assign(p.row, { ...r, state: 'rated', ratedAt: now.toISOString() });
  }
  return new Map([...taken].filter(([, v]) => !v.isZero()).map(([k, v]) => [k, v.toString()]));
}

/** Stores one batch in one transaction (rated and rejected alike); duplicates are reported, not stored. */
async function storeBatch(trx: Knex.Transaction, prepared: Prepared[], now: Date): Promise<Outcome[]> {
  const keys = [...new Map(prepared.map((p) => [recordKey(p.row.source, p.row.recordId), { source: p.row.source, recordId: p.row.recordId }])).values()];
  const stored = await findStoredKeys(trx, keys);
  const seen = new Set<string>();
  const fresh: Prepared[] = [];
  const outcomes: Outcome[] = [];
  for (const p of prepared) {
    const key = recordKey(p.row.source, p.row.recordId);
    if (stored.has(key) || seen.has(key)) outcomes.push({ id: p.row.id, source: p.row.source, recordId: p.row.recordId, result: 'duplicate' });
    else {
      seen.add(key);
      fresh.push(p);
    }
  }
  const counters = new Map<string, { subscriptionId: string; cycleStart: string; usageType: string }>();
  for (const p of fresh) {
    if (p.placement?.allowance === undefined) continue;
    const k = { subscriptionId: p.tariff!.subscriptionId, cycleStart: p.placement.cycleStart, usageType: p.usage!.usageType };
    counters.set(counterKey(k.subscriptionId, k.cycleStart, k.usageType), k);
  }
  const used = await lockAllowanceCounters(trx, [...counters.values()]);
  // Checked again under the counter locks: an import holding them may have stored some meanwhile.
  const storedNow = counters.size ? await findStoredKeys(trx, fresh.map((p) => ({ source: p.row.source, recordId: p.row.recordId }))) : new Set<string>();
  if (storedNow.size) throw new ConcurrentInsert();
  const taken = rate(fresh, used, now);
  // Rows in key order: two imports inserting the same keys wait on each other in one direction only.
  const rows = fresh.map((p) => p.row).sort((a, b) => recordKey(a.source, a.recordId).localeCompare(recordKey(b.source, b.recordId)));
  const inserted = await insertUsageRows(trx, rows);
  if (inserted.size !== fresh.length) throw new ConcurrentInsert();
  await addAllowanceUsage(trx, taken);
  for (const p of fresh) outcomes.push({ id: p.row.id, source: p.row.source, recordId: p.row.recordId, result: p.row.state === 'rated' ? 'rated' : 'rejected', reason: p.row.reason ?? undefined });
  return outcomes;
}

/**
 * Ingests a batch: validates, rates and stores every record; returns one outcome per item. Pass
 * `trx` to run inside a transaction of the caller (a re-rate), else each attempt is its own.
 */
export async function ingestUsageBatch(knex: Knex, items: IngestItem[], opts: IngestOptions, trx?: Knex.Transaction): Promise<Outcome[]> {
  const cache = opts.tariffs ?? new Map();
  const prepared = await prepare(knex, items, opts, cache);
  if (trx) return storeBatch(trx, prepared, opts.now);
  for (let attempt = 1; ; attempt++) {
    try {
      return await knex.transaction((t) => storeBatch(t, prepared, opts.now));
    } catch (err) {
      if (!(err instanceof ConcurrentInsert || isDeadlock(err)) || attempt >= 5) throw err;
    }
  }
}
