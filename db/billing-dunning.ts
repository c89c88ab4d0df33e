/**
 * The collection state of postpaid billing accounts (billing_dunning), as their billing cycle
 * workflows report it: what the API shows about an account that is late with a bill.
 */
import type { CollectionState } from '../domain/billing/collection-state';
import type { Db } from './knex';

export interface AccountDunning {
  billingAccountId: string;
  state: CollectionState;
  /** The overdue bill being chased, when there is one. */
  billId?: string;
  dueDate?: string;
  /** Decimal string: what is overdue at the last report. */
  overdueAmount?: string;
  disputedBills: string[];
  /** First day of the cycle that is open (not yet billed). */
  currentCycleStart?: string;
  updatedAt: Date;
}

/** Stores the account's state as last reported (the latest report wins). */
export async function saveAccountDunning(db: Db, d: AccountDunning): Promise<void> {
  const row = {
    billing_account_id: d.billingAccountId,
    state: d.state,
    bill_id: d.billId ?? null,
    due_date: d.dueDate ?? null,
    overdue_amount: d.overdueAmount ?? null,
    disputed_bills: d.disputedBills,
    current_cycle_start: d.currentCycleStart ?? null,
    updated_at: d.updatedAt,
  };
  await db('billing_dunning').insert(row).onConflict('billing_account_id').merge();
}

/** The account's collection state, if its billing cycle has reported one. */
export async function findAccountDunning(db: Db, billingAccountId: string): Promise<AccountDunning | undefined> {
  const r = await db('billing_dunning').where({ billing_account_id: billingAccountId }).first();
  if (!r) return undefined;
  return {
    billingAccountId: r.billing_account_id,
    state: r.state,
    billId: r.bill_id ?? undefined,
    dueDate: r.due_date ? formatDate(r.due_date) : undefined,
    overdueAmount: r.overdue_amount === null ? undefined : String(r.overdue_amount),
    disputedBills: r.disputed_bills ?? [],
    currentCycleStart: r.current_cycle_start ?? undefined,
    updatedAt: r.updated_at,
  };
}

/** `date` columns come back as local-midnight Dates from node-postgres, or as strings. */
function formatDate(value: Date | string): string {
  if (typeof value === 'string') return value.slice(0, 10);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${value.getFullYear()}-${pad(value.getMonth() + 1)}-${pad(value.getDate())}`;
}
