/**
 * TMF637 Product Inventory v4: a product as sold. `productOffering` names the offering and the
 * `version` it was sold at; `productPrice` keeps the prices as sold (the catalog may change later).
 */
import { z } from 'zod';
import { PRODUCT_STATUSES } from '../../domain/ordering/states';
import { dateTime, entityRef, timePeriod, tmfBase } from './common';
import { characteristic, relatedParty } from './tmf632';
import { orderPrice, relatedPlace } from './tmf622';

/** TMF RelatedProductOrderItem: the order item that made or changed the product. */
export const relatedProductOrderItem = z
  .object({
    orderItemId: z.string().min(1),
    productOrderId: z.string().min(1),
    orderItemAction: z.string().optional(),
    productOrderHref: z.string().optional(),
    role: z.string().optional(),
    ...tmfBase,
  })
  .loose();

export const productSchema = z.object({
  ...tmfBase,
  name: z.string().optional(),
  description: z.string().optional(),
  isBundle: z.boolean().optional(),
  isCustomerVisible: z.boolean().optional(),
  productSerialNumber: z.string().optional(),
  status: z.enum(PRODUCT_STATUSES).optional(),
  orderDate: dateTime.optional(),
  startDate: dateTime.optional(),
  terminationDate: dateTime.optional(),
  productOffering: entityRef.optional(),
  productSpecification: entityRef.optional(),
  productPrice: z.array(orderPrice).optional(),
  productCharacteristic: z.array(characteristic).optional(),
  productOrderItem: z.array(relatedProductOrderItem).optional(),
  productRelationship: z.array(z.object({ relationshipType: z.string().min(1) }).loose()).optional(),
  productTerm: z.array(z.object({ name: z.string().optional(), validFor: timePeriod.optional() }).loose()).optional(),
  product: z.array(entityRef).optional(),
  realizingService: z.array(entityRef).optional(),
  realizingResource: z.array(entityRef).optional(),
  billingAccount: entityRef.optional(),
  agreement: z.array(entityRef).optional(),
  place: z.array(relatedPlace).optional(),
  relatedParty: z.array(relatedParty).optional(),
});
