/**
 * What a generated order sold, as order fulfilment plans it (domain/ordering planOrder over the
 * catalog's offering views), and its TMF637 products taken to active as fulfilment does, so that
 * bills and charging name real products.
 */
import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { CatalogReader } from '../../activities/catalog';
import { loadOfferingViews } from '../../activities/ordering/offering-view';
import { customerPartyRef, productModel } from '../../db/order-models';
import { createTmfResourceOnce, patchTmfResource } from '../../db/tmf-store';
import { planOrder, type FulfilmentPlan } from '../../domain/ordering/plan';
import { newProductDocument } from '../../domain/ordering/product-document';
import { DEFAULT_ORDER_POLICY, type OfferingView, type PaymentType } from '../../domain/ordering/types';

/** Plans orders of one offering each (order item 1), the catalog read once per offering. */
export function createOrderPlanner(knex: Knex) {
  const reader = new CatalogReader(knex, 24 * 3_600_000);
  const views = new Map<string, OfferingView | undefined>();
  return async (offeringId: string, paymentType: PaymentType, characteristics: Record<string, string> = {}): Promise<FulfilmentPlan> => {
    if (!views.has(offeringId)) views.set(offeringId, (await loadOfferingViews(reader, [offeringId])).get(offeringId));
    if (!views.get(offeringId)) throw new Error(`offering ${offeringId} is not in the catalog`);
    return planOrder([{ itemId: '1', action: 'add', offeringId, characteristics }], views, { paymentType, currency: 'EUR' }, { hasReservedMsisdn: false, policy: DEFAULT_ORDER_POLICY });
  };
}

/** Creates the order's products and takes them to active at `now`; returns their ids by product key. */
export async function createActiveProducts(knex: Knex, o: { orderId: string; customerId: string; plan: FulfilmentPlan; now: Date; publicUrl: string }): Promise<Record<string, string>> {
  const ids: Record<string, string> = {};
  const ctx = { now: o.now, publicUrl: o.publicUrl };
  await knex.transaction(async (trx) => {
    for (const p of o.plan.products) {
      const id = (ids[p.key] = randomUUID());
      await createTmfResourceOnce(trx, productModel, id, { ...newProductDocument(o.plan, p, o.orderId), relatedParty: [customerPartyRef(o.customerId)] }, ctx);
      await patchTmfResource(trx, productModel, id, { status: 'pendingActive' }, o.now);
      await patchTmfResource(trx, productModel, id, { status: 'active', startDate: o.now.toISOString() }, o.now);
    }
  });
  return ids;
}
