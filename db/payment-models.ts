/** How TMF676 payments are stored (table `payment`): one per correlatorId, owned by the paying customer. */
import type { Db } from './knex';
import type { TmfDocument } from './tmf-resources';
import type { TmfModel } from './tmf-store';

export const PAYMENT_API = 'paymentManagement';

export const paymentModel: TmfModel = {
  apiName: PAYMENT_API,
  name: 'payment',
  type: 'Payment',
  table: 'payment',
  stateField: 'status',
  ownerCustomerId: (doc) => (doc.payer as { id?: string } | undefined)?.id,
};

/** The payment recorded under a correlatorId (the client's idempotency key), if any. */
export async function findPaymentByCorrelator(db: Db, correlatorId: string): Promise<TmfDocument | undefined> {
  const row = await db('payment').where({ correlator_id: correlatorId }).first('body');
  return row?.body;
}

export const refundModel: TmfModel = {
  apiName: PAYMENT_API,
  name: 'refund',
  type: 'Refund',
  table: 'refund',
  stateField: 'status',
  // Refund has no payer: the customer refunded is named in relatedParty (an extension attribute).
  ownerCustomerId: (doc) => (doc.relatedParty as Array<{ id?: string; role?: string }> | undefined)?.find((p) => p.role === 'customer')?.id,
};

/** The refund recorded under a correlatorId, if any. */
export async function findRefundByCorrelator(db: Db, correlatorId: string): Promise<TmfDocument | undefined> {
  const row = await db('refund').where({ correlator_id: correlatorId }).first('body');
  return row?.body;
}

/**
 * Adds `amount` to what was refunded of a captured charge (the charge is `refunded` once all of
 * it is); false when that would refund more than was charged (nothing changes then).
 */
export async function addRefundToCharge(db: Db, chargeId: string, amount: string, gatewayRefundId: string, now: Date): Promise<boolean> {
  const updated = await db('payment_charge')
    .where({ id: chargeId })
    .whereIn('status', ['captured', 'refunded'])
    .whereRaw('refunded_amount + ?::numeric <= amount', [amount])
    .update({
      refunded_amount: db.raw('refunded_amount + ?::numeric', [amount]),
      status: db.raw(`CASE WHEN refunded_amount + ?::numeric = amount THEN 'refunded' ELSE status END`, [amount]),
      gateway_refund_id: gatewayRefundId,
      updated_at: now,
    });
  return updated === 1;
}
