/** Usage records read for the TMF635 API: one by id, or a filtered page newest first. */
import type { Db } from './knex';

/** A stored usage record, as the API renders it. */
export interface StoredUsage {
  id: string;
  source: string;
  record_id: string;
  state: string;
  reason: string | null;
  raw: Record<string, string | undefined> | null;
  msisdn: string | null;
  billing_account_id: string | null;
  subscription_id: string | null;
  usage_type: string | null;
  start_time: Date | null;
  quantity: string | null;
  destination: string | null;
  cycle_start: string | null;
  band: string | null;
  price_id: string | null;
  allowance_quantity: string | null;
  overage_quantity: string | null;
  charged_quantity: string | null;
  amount: string | null;
  currency: string | null;
  bill_id: string | null;
  received_at: Date;
  rated_at: Date | null;
}

/** Columns a list may be filtered on, each with the values wanted (any of them). */
export type UsageFilters = Partial<Record<'id' | 'state' | 'usage_type' | 'billing_account_id' | 'msisdn' | 'source' | 'record_id' | 'start_time', string[]>>;

const SELECT = `*, to_char(cycle_start, 'YYYY-MM-DD') AS cycle_start`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** One record by id. */
export async function findUsage(db: Db, id: string): Promise<StoredUsage | undefined> {
  if (!UUID.test(id)) return undefined;
  return db('usage_record').select(db.raw(SELECT)).where({ id }).first();
}

/** One record by its key (source and record id). */
export async function findUsageByKey(db: Db, source: string, recordId: string): Promise<StoredUsage | undefined> {
  return db('usage_record').select(db.raw(SELECT)).where({ source, record_id: recordId }).first();
}

/** A page of records matching every filter, newest first, with the number matching. */
export async function listUsage(db: Db, filters: UsageFilters, page: { offset: number; limit: number }): Promise<{ items: StoredUsage[]; total: number }> {
  const query = db('usage_record');
  for (const [column, values] of Object.entries(filters)) {
    const wanted = column === 'id' ? (values ?? []).filter((v) => UUID.test(v)) : (values ?? []);
    query.whereIn(column, wanted);
  }
  const [{ count }] = await query.clone().count<{ count: string }[]>('* as count');
  const items = page.limit === 0 ? [] : await query.select(db.raw(SELECT)).orderBy([{ column: 'received_at', order: 'desc' }, { column: 'id', order: 'desc' }]).offset(page.offset).limit(page.limit);
  return { items, total: Number(count) };
}
