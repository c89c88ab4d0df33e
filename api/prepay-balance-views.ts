/**
 * The read side of TMF654, computed live from the charging tables (PostgreSQL is the truth, there
 * is no copy to drift): buckets, accumulated balances per usage type, and the ledger as balance
 * action history.
 */
import type { Knex } from 'knex';
import type { EqualityFilters } from '../db/tmf-resources';
import { bucketQuery, toPrepayBucket, type PrepayBucket } from '../db/prepay-balance';
import { PREPAY_BALANCE_API } from '../db/prepay-models';
import { uuidV5 } from '../domain/uuid';
import { money } from '../domain/money';
import { bucketStatusOf, bucketTypeOf, describeRemaining, toQuantity, usageTypeOf, USAGE_TYPES, type UsageType } from '../domain/prepay/quantity';
import { badRequest } from './tmf/errors';

export type Doc = Record<string, unknown> & { id: string };

const BASE = `/tmf-api/${PREPAY_BALANCE_API}/v4`;
/** Namespace of accumulated balance ids (a fixed random UUID): the same group keeps its id. */
const ACCUMULATED_NAMESPACE = '3f6b2d1e-9a4c-4b7e-8d2f-5c1a0e9b7d64';

/** Who is asking: a customer sees its own buckets only. */
export interface ViewScope {
  customerId?: string;
}

const customerRef = (publicUrl: string, customerId: string) => ({
  id: customerId,
  href: `${publicUrl}/tmf-api/customerManagement/v4/customer/${customerId}`,
  role: 'customer',
  '@referredType': 'Customer',
});

const accountRef = (publicUrl: string, billingAccountId: string) => ({
  id: billingAccountId,
  href: `${publicUrl}/tmf-api/accountManagement/v4/billingAccount/${billingAccountId}`,
  '@referredType': 'BillingAccount',
});

/** A reference to a bucket, as actions and aggregates carry it. */
export const bucketRef = (publicUrl: string, bucketId: string) => ({ id: bucketId, href: `${publicUrl}${BASE}/bucket/${bucketId}`, '@referredType': 'Bucket' });

/** An account's active lines, by number: each one's product. */
type Lines = Map<string, string | null>;

/** The lines that draw on a bucket: its owner alone (whatever its status), else the account's active lines. */
function linesOf(b: PrepayBucket, accountLines: Lines | undefined): { msisdns: string[]; productIds: string[] } {
  const numbers = b.ownerMsisdn !== null ? [b.ownerMsisdn] : [...(accountLines?.keys() ?? [])];
  const productIds = [...new Set(numbers.map((n) => accountLines?.get(n)).filter((p): p is string => !!p))];
  return { msisdns: numbers, productIds };
}

/** The TMF654 Bucket of a charging bucket. */
export function bucketDocument(b: PrepayBucket, accountLines: Lines | undefined, now: Date, publicUrl: string): Doc {
  const subs = linesOf(b, accountLines);
  const doc: Doc = {
    id: b.id,
    href: `${publicUrl}${BASE}/bucket/${b.id}`,
    '@type': 'Bucket',
    name: `${usageTypeOf(b.type)} ${b.unit}`,
    usageType: usageTypeOf(b.type),
    status: bucketStatusOf(b, now),
    remainingValue: toQuantity(b.balance, b.unit),
    reservedValue: toQuantity(b.reserved, b.unit),
    remainingValueName: describeRemaining(b.balance, b.unit, b.type),
    isShared: subs.msisdns.length > 1,
    confirmationDate: b.createdAt.toISOString(),
    validFor: { startDateTime: b.validFrom.toISOString(), ...(b.validUntil ? { endDateTime: b.validUntil.toISOString() } : {}) },
  };
  if (b.creditLimit !== null) doc.creditLimit = toQuantity(b.creditLimit, b.unit);
  if (b.billingAccountId) doc.partyAccount = accountRef(publicUrl, b.billingAccountId);
  if (b.customerId) doc.relatedParty = [customerRef(publicUrl, b.customerId)];
  if (subs.productIds.length) doc.product = subs.productIds.map((id) => ({ id, href: `${publicUrl}/tmf-api/productInventory/v4/product/${id}`, '@referredType': 'Product' }));
  if (subs.msisdns.length) doc.logicalResource = subs.msisdns.map((msisdn) => ({ id: msisdn, name: msisdn, '@referredType': 'MSISDN' }));
  return doc;
}

/** Active lines of each account, by account id. */
async function linesOfAccounts(knex: Knex, accountIds: string[]): Promise<Map<string, Lines>> {
  const rows = accountIds.length
    ? await knex('charging_subscriber').whereIn('charging_account_id', accountIds).andWhere({ status: 'active' }).orderBy('msisdn').select('charging_account_id', 'msisdn', 'product_id')
    : [];
  const byAccount = new Map<string, Lines>();
  for (const r of rows) {
    const lines = byAccount.get(r.charging_account_id) ?? new Map<string, string | null>();
    lines.set(r.msisdn, r.product_id);
    byAccount.set(r.charging_account_id, lines);
  }
  return byAccount;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A bucket's document, and the line it belongs to (null: its account's, shared by its lines). */
export interface BucketView {
  doc: Doc;
  line: string | null;
}

/**
 * Buckets in view, oldest first. Filters on id, usageType, partyAccount.id and relatedParty.id
 * narrow the query; the caller applies every filter to the documents as well.
 */
export async function bucketDocuments(knex: Knex, scope: ViewScope, filters: EqualityFilters, now: Date, publicUrl: string): Promise<Doc[]> {
  return (await bucketViews(knex, scope, filters, now, publicUrl)).map((v) => v.doc);
}

/** bucketDocuments with each bucket's line. */
export async function bucketViews(knex: Knex, scope: ViewScope, filters: EqualityFilters, now: Date, publicUrl: string): Promise<BucketView[]> {
  const query = bucketQuery(knex).orderBy([{ column: 'b.created_at' }, { column: 'b.id' }]);
  if (scope.customerId !== undefined) void query.where('a.customer_id', scope.customerId).whereNot('a.customer_id', '');
  for (const f of filters) {
    const path = f.path.join('.');
    if (path === 'id') void query.whereIn('b.id', f.values.filter((v) => UUID.test(v)));
    if (path === 'usageType') void query.whereIn('b.bucket_type', f.values.map((v) => (USAGE_TYPES as readonly string[]).includes(v) ? bucketTypeOf(v as UsageType) ?? '' : ''));
    if (path === 'partyAccount.id') void query.whereIn('a.billing_account_id', f.values);
    if (path === 'relatedParty.id') void query.whereIn('a.customer_id', f.values);
  }
  const buckets = (await query).map(toPrepayBucket);
  const lines = await linesOfAccounts(knex, [...new Set(buckets.map((b) => b.chargingAccountId))]);
  return buckets.map((b) => ({ doc: bucketDocument(b, lines.get(b.chargingAccountId), now, publicUrl), line: b.ownerMsisdn }));
}

/** One bucket in view, or undefined. */
export async function bucketDocumentById(knex: Knex, scope: ViewScope, id: string, now: Date, publicUrl: string): Promise<Doc | undefined> {
  if (!UUID.test(id)) return undefined;
  return (await bucketDocuments(knex, scope, [{ path: ['id'], values: [id] }], now, publicUrl))[0];
}

/**
 * Accumulated balances: for each customer (a standalone bucket: its account), one per usage type
 * and unit, totalling the remaining value of its active shared buckets, and one more per line that
 * has buckets of its own of that type (no line draws on another's: their sum is nobody's balance).
 */
export function accumulatedDocuments(buckets: BucketView[], publicUrl: string): Doc[] {
  const groups = new Map<string, { owner: string; usageType: string; units: string; line: string | null; members: Doc[] }>();
  for (const { doc: b, line } of buckets) {
    if (b.status !== 'active') continue;
    const owner = (b.relatedParty as Array<{ id: string }> | undefined)?.[0]?.id ?? `bucket:${b.id}`;
    const usageType = String(b.usageType);
    const { units } = b.remainingValue as { units: string };
    // A shared group's key is what it was before buckets had lines: its id stays.
    const key = `${owner}|${usageType}|${units}${line === null ? '' : `|${line}`}`;
    const group = groups.get(key) ?? { owner, usageType, units, line, members: [] };
    group.members.push(b);
    groups.set(key, group);
  }
  // Per owner, in the spec's order of usage types (monetary first), the shared group before the lines'.
  const order = (g: { owner: string; usageType: string; line: string | null }) => `${g.owner}|${USAGE_TYPES.indexOf(g.usageType as UsageType)}|${g.line ?? ''}`;
  return [...groups.entries()].sort(([, a], [, b]) => order(a).localeCompare(order(b))).map(([key, { owner, usageType, units, line, members }]) => {
    const id = uuidV5(key, ACCUMULATED_NAMESPACE);
    const total = members.reduce((s, b) => s.plus(String((b.remainingValue as { amount: number }).amount)), money(0));
    const doc: Doc = {
      id,
      href: `${publicUrl}${BASE}/accumulatedBalance/${id}`,
      '@type': 'AccumulatedBalance',
      name: `${usageType} ${units}`,
      description: `Total ${usageType} balance (${units}) of ${members.length} bucket${members.length === 1 ? '' : 's'}`,
      usageType,
      totalBalance: toQuantity(total, units),
      bucket: members.map((b) => bucketRef(publicUrl, b.id)),
    };
    if (!owner.startsWith('bucket:')) doc.relatedParty = [customerRef(publicUrl, owner)];
    if (line !== null) doc.logicalResource = [{ id: line, name: line, '@referredType': 'MSISDN' }];
    const accounts = [...new Set(members.map((b) => (b.partyAccount as { id: string } | undefined)?.id).filter(Boolean))];
    if (accounts.length === 1) doc.partyAccount = accountRef(publicUrl, accounts[0]!);
    return doc;
  });
}

const HISTORY_FILTERS: Record<string, string> = {
  id: 'l.id',
  actionType: 'l.kind',
  'bucket.id': 'l.bucket_id',
  'partyAccount.id': 'a.billing_account_id',
  'relatedParty.id': 'a.customer_id',
};

/** One page of the ledger as TMF654 BalanceActionHistory, newest last, and how many match. */
export async function historyDocuments(
  knex: Knex,
  scope: ViewScope,
  filters: EqualityFilters,
  page: { offset: number; limit: number },
  publicUrl: string,
): Promise<{ items: Doc[]; total: number }> {
  const base = () => {
    const q = knex({ l: 'charging_ledger' }).join({ b: 'charging_bucket' }, 'b.id', 'l.bucket_id').join({ a: 'charging_account' }, 'a.id', 'b.charging_account_id');
    if (scope.customerId !== undefined) void q.where('a.customer_id', scope.customerId).whereNot('a.customer_id', '');
    for (const f of filters) {
      const column = HISTORY_FILTERS[f.path.join('.')];
      if (!column) throw badRequest(`${f.path.join('.')}: balanceActionHistory filters on ${Object.keys(HISTORY_FILTERS).join(', ')}`);
      const values = column === 'l.id' ? f.values.filter((v) => /^\d{1,18}$/.test(v)) : column === 'l.bucket_id' ? f.values.filter((v) => UUID.test(v)) : f.values;
      void q.whereIn(column, values);
    }
    return q;
  };
  const [{ count }] = (await base().count({ count: '*' })) as Array<{ count: string }>;
  const rows = await base()
    .select('l.id', 'l.kind', 'l.amount', 'l.reference', 'l.created_at', 'l.bucket_id', 'b.unit', 'b.bucket_type', 'a.customer_id', 'a.billing_account_id')
    .orderBy('l.id')
    .offset(page.offset)
    .limit(page.limit);
  const items = rows.map((r): Doc => {
    const id = String(r.id);
    const doc: Doc = {
      id,
      href: `${publicUrl}${BASE}/balanceActionHistory/${id}`,
      '@type': 'BalanceActionHistory',
      actionType: r.kind,
      status: 'completed',
      description: `${String(r.kind)} ${String(r.reference)}`,
      reason: r.reference,
      usageType: usageTypeOf(r.bucket_type),
      amount: toQuantity(String(r.amount), r.unit),
      bucket: bucketRef(publicUrl, r.bucket_id),
      confirmationDate: new Date(r.created_at).toISOString(),
    };
    if (r.billing_account_id) doc.partyAccount = accountRef(publicUrl, r.billing_account_id);
    if (r.customer_id) doc.relatedParty = [customerRef(publicUrl, r.customer_id)];
    return doc;
  });
  return { items, total: Number(count) };
}
