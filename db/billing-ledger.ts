/**
 * The money ledger of postpaid billing accounts (billing_account_entry): bills add, payments
 * subtract, refunds add back, adjustments go either way. Bills read it for the previous balance
 * and the payments of the period; payments and dunning read what is owed.
 */
import type { Db } from './knex';

export type EntryKind = 'bill' | 'payment' | 'refund' | 'adjustment';

export interface AccountEntry {
  billingAccountId: string;
  kind: EntryKind;
  /** Signed decimal string: positive adds to what the account owes. */
  amount: string;
  currency: string;
  /** Business key (bill id, payment idempotency key …): the same reference is booked once. */
  reference: string;
  billId?: string;
  description: string;
  bookedAt: Date;
}

export interface BookedEntry extends AccountEntry {
  id: string;
}

/** Books an entry once per reference; returns false when that reference was already booked. */
export async function bookAccountEntry(db: Db, e: AccountEntry): Promise<boolean> {
  const inserted = await db('billing_account_entry')
    .insert({
      billing_account_id: e.billingAccountId,
      kind: e.kind,
      amount: e.amount,
      currency: e.currency,
      reference: e.reference,
      bill_id: e.billId ?? null,
      description: e.description,
      booked_at: e.bookedAt,
    })
    .onConflict('reference')
    .ignore()
    .returning('id');
  return inserted.length > 0;
}

/** What the account owes (negative: credit in its favour), counting entries booked before `before` when given. */
export async function accountBalance(db: Db, billingAccountId: string, before?: Date): Promise<string> {
  const q = db('billing_account_entry').where({ billing_account_id: billingAccountId });
  if (before) q.where('booked_at', '<', before);
  const row = await q.first(db.raw('coalesce(sum(amount), 0)::numeric(14,2) as balance'));
  return String(row.balance);
}

/** Entries booked in [from, to), oldest first. */
export async function accountEntriesBetween(db: Db, billingAccountId: string, from: Date, to: Date): Promise<BookedEntry[]> {
  const rows = await db('billing_account_entry').where({ billing_account_id: billingAccountId }).where('booked_at', '>=', from).where('booked_at', '<', to).orderBy('id');
  return rows.map((r) => ({
    id: String(r.id),
    billingAccountId: r.billing_account_id,
    kind: r.kind,
    amount: String(r.amount),
    currency: r.currency,
    reference: r.reference,
    billId: r.bill_id ?? undefined,
    description: r.description,
    bookedAt: r.booked_at,
  }));
}
