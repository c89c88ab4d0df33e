/**
 * Sending a bill: its PDF (rendered once and kept with the bill) attached to the billIssued email,
 * once per bill (the notification's idempotency key is the bill), then the bill is `sent`.
 */
import type { Knex } from 'knex';
import { billPdf, setBillState, storeBillPdf, type BillRecord } from '../../db/bills';
import { addDays } from '../../domain/billing/cycle';
import type { Clock } from '../../domain/clock';
import type { SendNotificationInput, SendNotificationResult } from '../notifications';
import { renderBillPdf } from './bill-pdf';
import type { BillingSettings } from './settings';

export interface SendBillDeps {
  knex: Knex;
  clock: Clock;
  publicUrl: string;
  settings: BillingSettings;
  sendNotification(input: SendNotificationInput): Promise<SendNotificationResult>;
}

/** The bill's PDF: the stored one, or rendered now and stored (the first stored wins). */
export async function pdfOfBill(deps: { knex: Knex; settings: BillingSettings }, bill: BillRecord): Promise<Buffer> {
  const stored = await billPdf(deps.knex, bill.id);
  if (stored) return stored;
  return storeBillPdf(deps.knex, bill.id, await renderBillPdf(bill.statement, deps.settings));
}

/** Emails the bill with its PDF to the customer, once; a bill that is still `new` becomes `sent`. */
export async function sendBillEmail(deps: SendBillDeps, bill: BillRecord): Promise<SendNotificationResult> {
  const s = bill.statement;
  const pdf = await pdfOfBill(deps, bill);
  const result = await deps.sendNotification({
    event: 'billIssued',
    params: { givenName: s.customer.name, billNo: s.billNo, periodStart: s.cycle.start, periodEnd: addDays(s.cycle.end, -1), amountDue: s.totals.amountDue, currency: s.currency, dueDate: s.dueDate },
    language: s.language,
    to: { ...(s.customer.email ? { email: s.customer.email } : {}), name: s.customer.name },
    customerId: s.customer.id,
    relatedEntity: { id: bill.id, '@referredType': 'CustomerBill', href: `${deps.publicUrl}/tmf-api/customerBillManagement/v4/customerBill/${bill.id}`, name: s.billNo },
    idempotencyKey: `bill:${bill.id}:issued`,
    attachments: [{ filename: `${s.billNo}.pdf`, contentType: 'application/pdf', contentBase64: pdf.toString('base64') }],
  });
  if (result.some((r) => r.channel === 'email' && r.status === 'sent')) {
    await deps.knex.transaction(async (trx) => {
      const row = await trx('billing_bill').select('state').where({ id: bill.id }).forUpdate().first();
      if (row?.state === 'new') await setBillState(trx, bill.id, 'sent', deps.clock.now());
    });
  }
  return result;
}
