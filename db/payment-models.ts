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
