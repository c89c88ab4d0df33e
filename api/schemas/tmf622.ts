/**
 * TMF622 Product Ordering v4: the product order and its cancellation request as clients write them.
 *
 * Only the shape is checked here: `productOrderItem` (at least one, ids unique, `action`
 * add/modify/delete/noChange, a `product.id` for modify and delete) and `relatedParty` (at least
 * one). That the offering, customer and billing account exist and fit together is decided by the
 * fulfilment workflow's validation, which rejects the order (state `rejected`) when they do not: the
 * order is accepted first, as TMF622 describes, and the conformance kit's order names an offering-
 * less item and an Individual that does not exist.
 *
 * Server-filled and ignored on create: id, href, @type (if absent), state (`acknowledged`), the
 * items' state (`acknowledged`), orderDate, creationDate, completionDate, cancellationDate.
 */
import { z } from 'zod';
import { ORDER_ITEM_ACTIONS, PRODUCT_ORDER_ITEM_STATES, PRODUCT_ORDER_STATES, CANCEL_ORDER_STATES } from '../../domain/ordering/states';
import { dateTime, entityRef, money, tmfBase } from './common';
import { characteristic, relatedParty } from './tmf632';

/** TMF RelatedPlaceRefOrValue: a place by reference or by value, and its role (`installationAddress`). */
export const relatedPlace = z
  .object({
    id: z.string().optional(),
    href: z.string().optional(),
    name: z.string().optional(),
    role: z.string().min(1),
    '@referredType': z.string().optional(),
    ...tmfBase,
  })
  .loose();

/** TMF Note. */
export const note = z
  .object({ id: z.string().optional(), author: z.string().optional(), date: dateTime.optional(), text: z.string().min(1), ...tmfBase })
  .loose();

/** TMF RelatedChannel: where the order was taken (portal, store, callCentre …). */
export const relatedChannel = z
  .object({ id: z.string().optional(), href: z.string().optional(), name: z.string().optional(), role: z.string().optional(), '@referredType': z.string().optional() })
  .loose();

/** TMF Price: amounts as sold. */
export const price = z
  .object({
    dutyFreeAmount: money.optional(),
    taxIncludedAmount: money.optional(),
    percentage: z.number().optional(),
    taxRate: z.number().optional(),
    ...tmfBase,
  })
  .loose();

/** TMF OrderPrice / ProductPrice: a price of an item, by type (oneTime, recurring, usage …). */
export const orderPrice = z
  .object({
    name: z.string().optional(),
    description: z.string().optional(),
    priceType: z.string().min(1),
    recurringChargePeriod: z.string().optional(),
    unitOfMeasure: z.string().optional(),
    price: price.optional(),
    productOfferingPrice: entityRef.optional(),
    ...tmfBase,
  })
  .loose();

/** TMF622 ProductRefOrValue: the product an item adds (by value) or changes (by reference). */
export const productRefOrValue = z
  .object({
    id: z.string().min(1).optional(),
    href: z.string().optional(),
    name: z.string().optional(),
    description: z.string().optional(),
    isBundle: z.boolean().optional(),
    productCharacteristic: z.array(characteristic).optional(),
    productSpecification: entityRef.optional(),
    place: z.array(relatedPlace).optional(),
    relatedParty: z.array(relatedParty).optional(),
    '@referredType': z.string().optional(),
    ...tmfBase,
  })
  .loose();

export const productOrderItem = z
  .object({
    id: z.string().min(1),
    action: z.enum(ORDER_ITEM_ACTIONS),
    quantity: z.number().int().positive().optional(),
    productOffering: entityRef.optional(),
    product: productRefOrValue.optional(),
    billingAccount: entityRef.optional(),
    appointment: entityRef.optional(),
    itemPrice: z.array(orderPrice).optional(),
    itemTotalPrice: z.array(orderPrice).optional(),
    productOrderItemRelationship: z.array(z.object({ id: z.string().min(1), relationshipType: z.string().min(1) }).loose()).optional(),
    state: z.enum(PRODUCT_ORDER_ITEM_STATES).optional(),
    ...tmfBase,
  })
  .loose()
  .superRefine((item, ctx) => {
    if ((item.action === 'modify' || item.action === 'delete') && !item.product?.id) {
      ctx.addIssue({ code: 'custom', path: ['product', 'id'], message: `the product to ${item.action} is required` });
    }
  });

export const productOrderSchema = z
  .object({
    ...tmfBase,
    externalId: z.string().min(1).max(200).optional(),
    description: z.string().optional(),
    category: z.string().optional(),
    priority: z.string().optional(),
    notificationContact: z.string().optional(),
    channel: z.array(relatedChannel).optional(),
    relatedParty: z.array(relatedParty).min(1),
    billingAccount: entityRef.optional(),
    productOrderItem: z.array(productOrderItem).min(1),
    note: z.array(note).optional(),
    requestedStartDate: dateTime.optional(),
    requestedCompletionDate: dateTime.optional(),
    expectedCompletionDate: dateTime.optional(),
    state: z.enum(PRODUCT_ORDER_STATES).optional(),
    orderDate: dateTime.optional(),
    creationDate: dateTime.optional(),
    completionDate: dateTime.optional(),
    cancellationDate: dateTime.optional(),
    cancellationReason: z.string().optional(),
    orderTotalPrice: z.array(orderPrice).optional(),
    agreement: z.array(entityRef).optional(),
    payment: z.array(entityRef).optional(),
    quote: z.array(entityRef).optional(),
    productOfferingQualification: z.array(entityRef).optional(),
  })
  .superRefine((order, ctx) => {
    const seen = new Set<string>();
    order.productOrderItem.forEach((item, i) => {
      if (seen.has(item.id)) ctx.addIssue({ code: 'custom', path: ['productOrderItem', i, 'id'], message: `duplicate item id ${item.id}` });
      seen.add(item.id);
    });
  });

export const cancelProductOrderSchema = z.object({
  ...tmfBase,
  productOrder: entityRef,
  cancellationReason: z.string().optional(),
  requestedCancellationDate: dateTime.optional(),
  effectiveCancellationDate: dateTime.optional(),
  state: z.enum(CANCEL_ORDER_STATES).optional(),
});
