/**
 * What a bill is made from, as billing stores it: the account's postpaid subscriptions and its
 * pending one-time charges (billing_subscription, billing_one_time_charge, written by orders).
 */
import type { BillableSubscription, PendingCharge } from '../domain/billing/bill';
import type { BillCycle } from '../domain/billing/cycle';
import type { SoldPrice } from '../domain/ordering/plan';
import { subscriptionColumns, subscriptionFromRow } from './billing';
import { CRM_TABLES } from './crm';
import type { Db } from './knex';
import { isUuid, type TmfDocument } from './tmf-resources';

/** Subscriptions that may have days in the cycle (voided ones are left to the bill rules to skip). */
export async function subscriptionsForCycle(db: Db, billingAccountId: string, cycle: BillCycle): Promise<BillableSubscription[]> {
  const rows = await db('billing_subscription')
    .where({ billing_account_id: billingAccountId })
    .where('start_date', '<', cycle.end)
    .where((q) => void q.whereNull('end_date').orWhere('end_date', '>', cycle.start))
    .select(subscriptionColumns(db))
    .orderBy('id');
  return rows.map((r) => ({ ...subscriptionFromRow(r), prices: r.prices as SoldPrice[] }));
}

/** One-time charges waiting for a bill, locked for the issuing transaction. */
export async function pendingOneTimeCharges(db: Db, billingAccountId: string): Promise<PendingCharge[]> {
  const rows = await db('billing_one_time_charge').where({ billing_account_id: billingAccountId, status: 'pending' }).orderBy(['created_at', 'id']).forUpdate();
  return rows.map((r) => ({
    id: r.id,
    productKey: r.product_key,
    priceId: r.price_id,
    description: r.description,
    net: String(r.net),
    tax: String(r.tax),
    taxRate: String(r.tax_rate),
    currency: r.currency,
  }));
}

/** Marks one-time charges as billed by a bill. */
export async function markOneTimeChargesBilled(db: Db, ids: string[], billId: string): Promise<void> {
  if (!ids.length) return;
  await db('billing_one_time_charge').whereIn('id', ids).where({ status: 'pending' }).update({ status: 'billed', bill_id: billId });
}

/** A billing account and the customer it belongs to (its owner), in one read. */
export async function accountWithCustomer(db: Db, billingAccountId: string): Promise<{ account: TmfDocument; customer?: TmfDocument } | undefined> {
  if (!isUuid(billingAccountId)) return undefined;
  const { rows } = await db.raw<{ rows: Array<{ account: TmfDocument; customer: TmfDocument | null }> }>(
    `SELECT a.body AS account, c.body AS customer FROM ${CRM_TABLES.billingAccount} a LEFT JOIN ${CRM_TABLES.customer} c ON c.id::text = a.customer_id WHERE a.id = ?`,
    [billingAccountId],
  );
  const row = rows[0];
  return row ? { account: row.account as TmfDocument, ...(row.customer ? { customer: row.customer as TmfDocument } : {}) } : undefined;
}
