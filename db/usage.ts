/**
 * Usage records (offline charging) as small set-based query functions: one statement per batch
 * for each step (find tariffs, lock allowance counters, find duplicates, COPY the rows, add to the
 * counters), keys and rows passed as one array, JSON or COPY stream: a batch costs one round trip.
 */
import type { Knex } from 'knex';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import type { RawUsage } from '../domain/usage/usage-input';
import { allowancesOf, SubscriberTariff, usagePricesOf } from '../domain/usage/subscriber-tariff';
import { BILL_STRUCTURE_DEFAULTS } from './crm-models';
import type { Db } from './knex';

export type UsageState = 'received' | 'rated' | 'rejected' | 'billed';

/** A usage_record row as written by ingestion (snake_case in the table). */
export interface UsageRow {
  id: string;
  source: string;
  recordId: string;
  state: UsageState;
  reason: string | null;
  raw: RawUsage | null;
  msisdn: string | null;
  billingAccountId: string | null;
  subscriptionId: string | null;
  usageType: string | null;
  startTime: string | null;
  quantity: string | null;
  destination: string | null;
  cycleStart: string | null;
  band: string | null;
  priceId: string | null;
  allowanceQuantity: string | null;
  overageQuantity: string | null;
  chargedQuantity: string | null;
  amount: string | null;
  currency: string | null;
  receivedAt: string;
  ratedAt: string | null;
}

/** The key of a record: source and record id. */
export const recordKey = (source: string, recordId: string): string => `${source}\u0000${recordId}`;

/** The key of an allowance counter. */
export const counterKey = (subscriptionId: string, cycleStart: string, usageType: string): string => `${subscriptionId}|${cycleStart}|${usageType}`;

/** The active postpaid subscriptions of these numbers with what rating needs of them. */
export async function findSubscriberTariffs(db: Db, msisdns: string[]): Promise<Map<string, SubscriberTariff>> {
  const tariffs = new Map<string, SubscriberTariff>();
  if (!msisdns.length) return tariffs;
  const { rows } = await db.raw(
    `SELECT DISTINCT ON (s.msisdn) s.id, s.billing_account_id, s.msisdn, s.prices, s.allowances, a.body -> 'billStructure' AS bill_structure
       FROM billing_subscription s
       LEFT JOIN crm_billing_account a ON a.id::text = s.billing_account_id
      WHERE s.msisdn = ANY (?::text[]) AND s.status = 'active'
      ORDER BY s.msisdn, s.start_date DESC, s.created_at DESC`,
    [toPgArray(msisdns)],
  );
  for (const r of rows as Array<{ id: string; billing_account_id: string; msisdn: string; prices: unknown[]; allowances: Record<string, string>; bill_structure: Record<string, unknown> | null }>) {
    const bs = { ...BILL_STRUCTURE_DEFAULTS, ...(r.bill_structure ?? {}) } as { billCycleDay: number; timeZone: string; currency: string };
    tariffs.set(r.msisdn, {
      subscriptionId: r.id,
      billingAccountId: r.billing_account_id,
      msisdn: r.msisdn,
      timeZone: bs.timeZone,
      billCycleDay: Number(bs.billCycleDay),
      prices: usagePricesOf(r.prices, bs.currency),
      allowances: allowancesOf(r.allowances),
    });
  }
  return tariffs;
}

/** A Postgres array literal of text values (one parameter, however many values). */
function toPgArray(values: string[]): string {
  return `{${values.map((v) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`;
}

/**
 * Locks the allowance counters of a batch (created at zero when new) and returns what each has
 * used. Locked in key order, so two batches never wait on each other in a circle.
 */
export async function lockAllowanceCounters(trx: Knex.Transaction, keys: Array<{ subscriptionId: string; cycleStart: string; usageType: string }>): Promise<Map<string, string>> {
  const used = new Map<string, string>();
  if (!keys.length) return used;
  const { rows } = await trx.raw(
    `INSERT INTO usage_allowance_counter (subscription_id, cycle_start, usage_type, used)
     SELECT k.subscription_id, k.cycle_start, k.usage_type, 0
       FROM json_to_recordset(?::json) AS k(subscription_id uuid, cycle_start date, usage_type text)
      ORDER BY k.subscription_id, k.cycle_start, k.usage_type
     ON CONFLICT (subscription_id, cycle_start, usage_type) DO UPDATE SET used = usage_allowance_counter.used
     RETURNING subscription_id, to_char(cycle_start, 'YYYY-MM-DD') AS cycle_start, usage_type, used`,
    [JSON.stringify(keys.map((k) => ({ subscription_id: k.subscriptionId, cycle_start: k.cycleStart, usage_type: k.usageType })))],
  );
  for (const r of rows as Array<{ subscription_id: string; cycle_start: string; usage_type: string; used: string }>) {
    used.set(counterKey(r.subscription_id, r.cycle_start, r.usage_type), r.used);
  }
  return used;
}

/** Adds what a batch took from allowances to their (locked) counters. */
export async function addAllowanceUsage(trx: Knex.Transaction, taken: Map<string, string>): Promise<void> {
  if (!taken.size) return;
  const rows = [...taken].map(([key, amount]) => {
    const [subscription_id, cycle_start, usage_type] = key.split('|');
    return { subscription_id, cycle_start, usage_type, amount };
  });
  await trx.raw(
    `UPDATE usage_allowance_counter c SET used = c.used + t.amount::numeric
       FROM json_to_recordset(?::json) AS t(subscription_id uuid, cycle_start date, usage_type text, amount text)
      WHERE c.subscription_id = t.subscription_id AND c.cycle_start = t.cycle_start AND c.usage_type = t.usage_type`,
    [JSON.stringify(rows)],
  );
}

/** Which of these keys are already stored (one index probe per key, the keys as two arrays). */
export async function findStoredKeys(db: Db, keys: Array<{ source: string; recordId: string }>): Promise<Set<string>> {
  const stored = new Set<string>();
  if (!keys.length) return stored;
  const { rows } = await db.raw(
    `SELECT u.source, u.record_id FROM unnest(?::text[], ?::text[]) AS k(source, record_id)
       JOIN usage_record u ON u.source = k.source AND u.record_id = k.record_id`,
    [toPgArray(keys.map((k) => k.source)), toPgArray(keys.map((k) => k.recordId))],
  );
  for (const r of rows as Array<{ source: string; record_id: string }>) stored.add(recordKey(r.source, r.record_id));
  return stored;
}

const COLUMNS: Array<keyof UsageRow> = [
  'id', 'source', 'recordId', 'state', 'reason', 'raw', 'msisdn', 'billingAccountId', 'subscriptionId', 'usageType', 'startTime', 'quantity', 'destination',
  'cycleStart', 'band', 'priceId', 'allowanceQuantity', 'overageQuantity', 'chargedQuantity', 'amount', 'currency', 'receivedAt', 'ratedAt',
];
const COLUMN_LIST = COLUMNS.map((c) => c.replace(/[A-Z]/g, (l) => `_${l.toLowerCase()}`)).join(', ');

/** A value in COPY's text format: \N for null, and backslash, tab, newline and return escaped. */
function copyText(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return /[\\\t\n\r]/.test(text) ? text.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r') : text;
}

/** A value that needs no escaping in COPY's text format, or \N for null. */
const plain = (value: string | null): string => (value === null ? '\\N' : value);

/**
 * One row as a line of COPY text, in COLUMNS order, written out field by field (a loop over the
 * column names would look each up by a computed key, the slowest kind of property read). Fields
 * written by ingestion from validated input or the server's own values (uuids, states, E.164
 * numbers, decimals, dates) never hold a backslash, tab or line break and go as they are; the
 * rest (input text, JSON, tariff names) are escaped.
 */
function copyLine(r: UsageRow): string {
  return (
    `${r.id}\t${copyText(r.source)}\t${copyText(r.recordId)}\t${r.state}\t${copyText(r.reason)}\t${copyText(r.raw)}\t${plain(r.msisdn)}\t` +
    `${copyText(r.billingAccountId)}\t${plain(r.subscriptionId)}\t${plain(r.usageType)}\t${plain(r.startTime)}\t${plain(r.quantity)}\t${plain(r.destination)}\t` +
    `${plain(r.cycleStart)}\t${copyText(r.band)}\t${copyText(r.priceId)}\t${plain(r.allowanceQuantity)}\t${plain(r.overageQuantity)}\t${plain(r.chargedQuantity)}\t` +
    `${plain(r.amount)}\t${copyText(r.currency)}\t${r.receivedAt}\t${plain(r.ratedAt)}\n`
  );
}

/**
 * Writes rows with COPY straight into usage_record. The caller holds the allowance counter locks;
 * a record already stored (by an earlier import, or meanwhile by one that held none of those
 * locks) fails the COPY with a unique violation, which the caller handles.
 */
export async function copyUsageRows(trx: Knex.Transaction, rows: UsageRow[]): Promise<void> {
  if (!rows.length) return;
  let text = '';
  for (const r of rows) text += copyLine(r);
  // Inside a transaction knex hands out the transaction's own connection.
  const conn = await trx.client.acquireConnection();
  await pipeline(Readable.from([text]), conn.query(copyFrom(`COPY usage_record (${COLUMN_LIST}) FROM STDIN`)));
}

/** Whether an error is a unique violation (a key stored twice). */
export const isUniqueViolation = (err: unknown): boolean => (err as { code?: string }).code === '23505';

/** Takes up to `limit` records not rated (received or rejected) out of the table for a re-rate, in id order after `afterId`. */
export async function takeUnratedRecords(trx: Knex.Transaction, opts: { afterId: string; limit: number; source?: string }): Promise<Array<{ id: string; source: string; recordId: string; raw: RawUsage; receivedAt: Date }>> {
  const { rows } = await trx.raw(
    `DELETE FROM usage_record WHERE id IN (
        SELECT id FROM usage_record
         WHERE state IN ('received','rejected') AND id > ?::uuid ${opts.source ? 'AND source = ?' : ''}
         ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED)
     RETURNING id, source, record_id, raw, received_at`,
    opts.source ? [opts.afterId, opts.source, opts.limit] : [opts.afterId, opts.limit],
  );
  return (rows as Array<{ id: string; source: string; record_id: string; raw: RawUsage | null; received_at: Date }>)
    .sort((a, b) => a.id.localeCompare(b.id))
    .map((r) => ({ id: r.id, source: r.source, recordId: r.record_id, raw: r.raw ?? {}, receivedAt: r.received_at }));
}
