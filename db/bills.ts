/**
 * Bills and their lines (billing_bill, billing_bill_line): TMF678 customerBill and
 * appliedCustomerBillingRate documents, with the bill's business key (account, cycle start), its
 * number, dates and totals as columns, and the statement its PDF is printed from.
 */
import type { Knex } from 'knex';
import { refuseClientBillMove } from '../domain/billing/bill-states';
import type { BillStatement } from '../domain/billing/statement';
import type { Db } from './knex';
import { publishTmfEvent } from './publish-event';
import { findResource, type TmfDocument } from './tmf-resources';
import { patchTmfResource, type TmfModel } from './tmf-store';

export const CUSTOMER_BILL_API = 'customerBillManagement';

/** The customer a bill document belongs to: its relatedParty of role customer. */
function billOwner(doc: TmfDocument): string | undefined {
  const parties = (doc.relatedParty as Array<{ id?: string; role?: string; '@referredType'?: string }> | undefined) ?? [];
  return parties.find((p) => p.role?.toLowerCase() === 'customer' || p['@referredType'] === 'Customer')?.id;
}

export const customerBillModel: TmfModel = {
  apiName: CUSTOMER_BILL_API,
  name: 'customerBill',
  type: 'CustomerBill',
  table: 'billing_bill',
  stateField: 'state',
  lastUpdateField: 'lastUpdate',
  ownerCustomerId: billOwner,
};

export const appliedCustomerBillingRateModel: TmfModel = {
  apiName: CUSTOMER_BILL_API,
  name: 'appliedCustomerBillingRate',
  type: 'AppliedCustomerBillingRate',
  table: 'billing_bill_line',
  ownerCustomerId: billOwner,
};

/** A request for a bill on demand; its relatedParty is one party (the customer), not a list. */
export const customerBillOnDemandModel: TmfModel = {
  apiName: CUSTOMER_BILL_API,
  name: 'customerBillOnDemand',
  type: 'CustomerBillOnDemand',
  table: 'billing_bill_on_demand',
  stateField: 'state',
  lastUpdateField: 'lastUpdate',
  ownerCustomerId: (doc) => (doc.relatedParty as { id?: string } | undefined)?.id,
};

/** The latest bill of an account (by cycle), if any. */
export async function latestBillOf(db: Db, billingAccountId: string): Promise<BillRecord | undefined> {
  const row = await selectBill(db).where({ billing_account_id: billingAccountId }).orderBy('cycle_start', 'desc').first();
  return row ? toRecord(row) : undefined;
}

/** A stored bill's columns. */
export interface BillRecord {
  id: string;
  billNo: string;
  billingAccountId: string;
  customerId: string;
  cycleStart: string;
  cycleEnd: string;
  issueDate: string;
  dueDate: string;
  currency: string;
  totalCharges: string;
  amountDue: string;
  state: string;
  statement: BillStatement;
  hasPdf: boolean;
}

const BILL_COLUMNS = [
  'id',
  'bill_no',
  'billing_account_id',
  'customer_id',
  'cycle_start',
  'cycle_end',
  'issue_date',
  'due_date',
  'currency',
  'total_charges',
  'amount_due',
  'state',
  'statement',
] as const;

/** `B-` and the sequence number in 10 digits: the bill number printed for the customer. */
export const formatBillNo = (seq: string | number): string => `B-${String(seq).padStart(10, '0')}`;

/** A date column as the calendar date it holds (the pg driver would make a local-midnight Date). */
function dateText(value: unknown): string {
  if (value instanceof Date) return `${value.getFullYear()}-${String(value.getMonth() + 1).padStart(2, '0')}-${String(value.getDate()).padStart(2, '0')}`;
  return String(value).slice(0, 10);
}

function toRecord(r: Record<string, unknown>): BillRecord {
  return {
    id: r.id as string,
    billNo: formatBillNo(r.bill_no as string),
    billingAccountId: r.billing_account_id as string,
    customerId: r.customer_id as string,
    cycleStart: dateText(r.cycle_start),
    cycleEnd: dateText(r.cycle_end),
    issueDate: dateText(r.issue_date),
    dueDate: dateText(r.due_date),
    currency: r.currency as string,
    totalCharges: String(r.total_charges),
    amountDue: String(r.amount_due),
    state: r.state as string,
    statement: r.statement as BillStatement,
    hasPdf: r.has_pdf === true,
  };
}

const selectBill = (db: Db) => db('billing_bill').select(...BILL_COLUMNS, db.raw('pdf IS NOT NULL AS has_pdf'));

/** The bill of an account's cycle, if issued. */
export async function findBillForCycle(db: Db, billingAccountId: string, cycleStart: string): Promise<BillRecord | undefined> {
  const row = await selectBill(db).where({ billing_account_id: billingAccountId, cycle_start: cycleStart }).first();
  return row ? toRecord(row) : undefined;
}

/** A bill by id. */
export async function findBill(db: Db, billId: string): Promise<BillRecord | undefined> {
  const row = await selectBill(db).where({ id: billId }).first();
  return row ? toRecord(row) : undefined;
}

/**
 * Takes the account's issuing lock for the transaction and the next bill number: one round trip.
 * A number taken by a run that then finds the bill already issued is not reused (a gap).
 */
export async function lockAccountForBilling(trx: Knex.Transaction, billingAccountId: string): Promise<{ nextBillNo: string }> {
  const { rows } = await trx.raw<{ rows: Array<{ n: string }> }>(`SELECT pg_advisory_xact_lock(hashtext(?)), nextval('billing_bill_no_seq')::text AS n`, [`bill:${billingAccountId}`]);
  return { nextBillNo: rows[0].n };
}

export interface NewBill {
  id: string;
  billNoSeq: string;
  customerId: string;
  statement: BillStatement;
  dueDate: string;
  document: TmfDocument;
  lines: TmfDocument[];
}

/**
 * Stores a bill and its lines and publishes CustomerBillCreateEvent, in the caller's transaction.
 * The unique (account, cycle start) refuses a second bill for the period.
 */
export async function insertBill(trx: Knex.Transaction, bill: NewBill, now: Date): Promise<void> {
  const s = bill.statement;
  await trx('billing_bill').insert({
    id: bill.id,
    body: bill.document,
    customer_id: bill.customerId,
    bill_no: bill.billNoSeq,
    billing_account_id: s.billingAccountId,
    cycle_start: s.cycle.start,
    cycle_end: s.cycle.end,
    issue_date: s.issueDate,
    due_date: bill.dueDate,
    currency: s.currency,
    total_net: s.totals.net,
    total_tax: s.totals.tax,
    total_charges: s.totals.charges,
    previous_balance: s.totals.previousBalance,
    payments: s.totals.payments,
    adjustments: s.totals.adjustments,
    amount_due: s.totals.amountDue,
    statement: JSON.stringify(s),
  });
  if (bill.lines.length) {
    await trx('billing_bill_line').insert(
      bill.lines.map((doc, i) => ({
        id: doc.id,
        body: doc,
        customer_id: bill.customerId,
        bill_id: bill.id,
        line_no: i + 1,
        kind: s.lines[i].kind,
        net: s.lines[i].net,
        tax_rate: s.lines[i].taxRate,
        tax: s.lines[i].tax,
        gross: s.lines[i].gross,
      })),
    );
  }
  await publishTmfEvent(trx, { apiName: CUSTOMER_BILL_API, resourceName: customerBillModel.name, type: customerBillModel.type, kind: 'CreateEvent', resource: bill.document, now });
}

/** The stored PDF of a bill, if rendered. */
export async function billPdf(db: Db, billId: string): Promise<Buffer | undefined> {
  const row = await db('billing_bill').select('pdf').where({ id: billId }).first();
  return (row?.pdf as Buffer | null | undefined) ?? undefined;
}

/** Keeps the rendered PDF of a bill (the first one stored stays: it is what the customer got). */
export async function storeBillPdf(db: Db, billId: string, pdf: Buffer): Promise<Buffer> {
  await db('billing_bill').where({ id: billId }).whereNull('pdf').update({ pdf });
  return (await billPdf(db, billId))!;
}

/** The bill's TMF document. */
export function findBillDocument(db: Db, billId: string): Promise<TmfDocument | undefined> {
  return findResource(db, customerBillModel.table, billId);
}

/**
 * Moves a bill to a TMF678 state (sent, partiallyPaid, settled, onHold …) with its events;
 * false when the bill does not exist. For the systems that own the state (sending, payments).
 */
export async function setBillState(trx: Knex.Transaction, billId: string, state: string, now: Date, change: Record<string, unknown> = {}): Promise<boolean> {
  return (await patchTmfResource(trx, customerBillModel, billId, { ...change, state }, now)) !== undefined;
}

/**
 * Puts a bill on hold for dunning (a dispute, a billing query), remembering the state it was in
 * (`heldFrom`). Returns the bill and that state (also when it was on hold already), or undefined
 * when the bill does not exist or may not be held (a settled bill).
 */
export async function holdBill(trx: Knex.Transaction, billId: string, now: Date): Promise<{ bill: TmfDocument; priorState: string } | undefined> {
  const bill = await findBillDocument(trx, billId);
  if (!bill) return undefined;
  const state = String(bill.state);
  if (state === 'onHold') return { bill, priorState: String(bill.heldFrom ?? 'sent') };
  if (refuseClientBillMove(state, 'onHold')) return undefined;
  await setBillState(trx, billId, 'onHold', now, { heldFrom: state });
  return { bill, priorState: state };
}

/** Releases a bill on hold to `to` (by default the state it was held from); false when it is not on hold. */
export async function releaseHeldBill(trx: Knex.Transaction, billId: string, now: Date, to?: string): Promise<boolean> {
  const bill = await findBillDocument(trx, billId);
  if (bill?.state !== 'onHold') return false;
  return setBillState(trx, billId, to ?? String(bill.heldFrom ?? 'sent'), now, { heldFrom: undefined });
}
