/**
 * The TMF678 documents of an issued bill: the customerBill and one appliedCustomerBillingRate per
 * line. Amounts are TMF Money ({unit, value}); the exact decimals live in the bill's columns.
 */
import { startOfDateIn } from '../../domain/billing/cycle';
import type { BillLine } from '../../domain/billing/bill';
import type { BillStatement } from '../../domain/billing/statement';
import { money } from '../../domain/money';
import { uuidV5 } from '../../domain/uuid';
import { CUSTOMER_BILL_API } from '../../db/bills';
import { resourceHref, type TmfDocument } from '../../db/tmf-resources';

/** Namespace of bill and bill-line ids (name-based: a retried issue names the same records). */
const BILL_NAMESPACE = '5b1d2c8e-7a4f-4e0b-9a55-3f0c2b6d8e71';

/** The id of the bill of an account's cycle. */
export const billIdFor = (billingAccountId: string, cycleStart: string): string => uuidV5(`bill:${billingAccountId}:${cycleStart}`, BILL_NAMESPACE);

const lineIdFor = (billId: string, lineNo: number): string => uuidV5(`bill-line:${billId}:${lineNo}`, BILL_NAMESPACE);

const amount = (value: string, unit: string) => ({ unit, value: Number(value) });

/**
 * Local midnight of a date in a zone, as an ISO instant. Remembered: a bill asks for the same few
 * dates many times, and each answer costs several time-zone conversions.
 */
const midnights = new Map<string, string>();
function midnightIn(date: string, timeZone: string): string {
  const key = `${date}|${timeZone}`;
  let iso = midnights.get(key);
  if (iso === undefined) {
    iso = startOfDateIn(date, timeZone).toISOString();
    if (midnights.size >= 10_000) midnights.clear();
    midnights.set(key, iso);
  }
  return iso;
}

/** Where the bill's PDF is downloaded. */
export const billPdfUrl = (publicUrl: string, billId: string): string => `${resourceHref(publicUrl, CUSTOMER_BILL_API, 'customerBill', billId)}/pdf`;

/** The customerBill document of a bill. */
export function customerBillDocument(s: BillStatement, ctx: { billId: string; publicUrl: string; now: Date; nextCycleEnd: string }): TmfDocument {
  const at = (date: string) => midnightIn(date, s.timeZone);
  const due = money(s.totals.amountDue);
  return {
    id: ctx.billId,
    href: resourceHref(ctx.publicUrl, CUSTOMER_BILL_API, 'customerBill', ctx.billId),
    '@type': 'CustomerBill',
    billNo: s.billNo,
    billDate: at(s.issueDate),
    category: 'normal',
    runType: 'onCycle',
    state: 'new',
    lastUpdate: ctx.now.toISOString(),
    billingAccount: { id: s.billingAccountId, href: resourceHref(ctx.publicUrl, 'accountManagement', 'billingAccount', s.billingAccountId), '@referredType': 'BillingAccount' },
    billingPeriod: { startDateTime: at(s.cycle.start), endDateTime: at(s.cycle.end) },
    paymentDueDate: at(s.dueDate),
    nextBillDate: at(ctx.nextCycleEnd),
    amountDue: amount(s.totals.amountDue, s.currency),
    remainingAmount: amount(due.isNegative() ? '0.00' : s.totals.amountDue, s.currency),
    taxExcludedAmount: amount(s.totals.net, s.currency),
    taxIncludedAmount: amount(s.totals.charges, s.currency),
    taxItem: s.taxes.map((t) => ({ taxCategory: 'VAT', taxRate: Number(t.taxRate), taxAmount: amount(t.tax, s.currency) })),
    appliedPayment: [],
    billDocument: [
      {
        id: `${ctx.billId}-pdf`,
        '@type': 'Attachment',
        attachmentType: 'bill',
        mimeType: 'application/pdf',
        name: `${s.billNo}.pdf`,
        url: billPdfUrl(ctx.publicUrl, ctx.billId),
      },
    ],
    relatedParty: [{ id: s.customer.id, name: s.customer.name, role: 'customer', '@referredType': 'Customer' }],
  };
}

function characteristics(l: BillLine): Array<{ name: string; valueType: string; value: unknown }> {
  const c: Array<{ name: string; valueType: string; value: unknown }> = [];
  const add = (name: string, value: unknown, valueType = 'string') => value !== undefined && c.push({ name, valueType, value });
  add('subscriptionId', l.subscriptionId);
  add('priceId', l.priceId);
  add('oneTimeChargeId', l.oneTimeChargeId);
  add('days', l.days, 'integer');
  add('cycleDays', l.cycleDays, 'integer');
  add('percentage', l.percentage);
  add('usageType', l.usage?.usageType);
  add('band', l.usage?.band);
  add('records', l.usage?.records, 'integer');
  add('quantity', l.usage?.quantity);
  add('msisdn', l.usage?.msisdn ?? undefined);
  return c;
}

/** The appliedCustomerBillingRate documents of a bill's lines, in line order. */
export function appliedRateDocuments(s: BillStatement, ctx: { billId: string; publicUrl: string }): TmfDocument[] {
  const billHref = resourceHref(ctx.publicUrl, CUSTOMER_BILL_API, 'customerBill', ctx.billId);
  const at = (date: string) => midnightIn(date, s.timeZone);
  return s.lines.map((l, i) => {
    const id = lineIdFor(ctx.billId, i + 1);
    return {
      id,
      href: resourceHref(ctx.publicUrl, CUSTOMER_BILL_API, 'appliedCustomerBillingRate', id),
      '@type': 'AppliedCustomerBillingRate',
      name: l.description,
      description: l.description,
      type: l.kind,
      date: at(s.issueDate),
      isBilled: true,
      bill: { id: ctx.billId, href: billHref },
      billingAccount: { id: s.billingAccountId, '@referredType': 'BillingAccount' },
      periodCoverage: { startDateTime: at(l.periodStart), endDateTime: at(l.periodEnd) },
      ...(l.productId ? { product: { id: l.productId, href: resourceHref(ctx.publicUrl, 'productInventory', 'product', l.productId) } } : {}),
      taxExcludedAmount: amount(l.net, s.currency),
      taxIncludedAmount: amount(l.gross, s.currency),
      appliedTax: [{ taxCategory: 'VAT', taxRate: Number(l.taxRate), taxAmount: amount(l.tax, s.currency) }],
      characteristic: characteristics(l),
      relatedParty: [{ id: s.customer.id, role: 'customer', '@referredType': 'Customer' }],
    };
  });
}
