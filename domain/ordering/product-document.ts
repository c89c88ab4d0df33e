import type { FulfilmentPlan, PlannedProduct } from './plan';

/**
 * The TMF637 product a planned product becomes when its order creates it (status `created`), with
 * the offering version and prices it is sold at; the caller adds its related party and the
 * services that realise it.
 */
export function newProductDocument(plan: FulfilmentPlan, product: PlannedProduct, orderId: string): Record<string, unknown> {
  return {
    name: product.offering.name,
    status: 'created',
    isBundle: plan.products.some((x) => x.key !== product.key && x.bundle?.id === product.offering.id),
    productOffering: { id: product.offering.id, name: product.offering.name, version: product.offering.version },
    productCharacteristic: Object.entries(product.characteristics).map(([name, value]) => ({ name, value })),
    productPrice: product.prices.map((price) => ({
      name: price.name,
      priceType: price.priceType,
      productOfferingPrice: { id: price.id, version: price.version },
      ...(price.amount ? { price: { taxRate: Number(price.taxRate), dutyFreeAmount: { unit: price.currency, value: Number(price.amount) } } } : {}),
    })),
    productOrderItem: [{ orderItemId: product.itemId, productOrderId: orderId, orderItemAction: 'add' }],
  };
}
