/**
 * TMF637 Product Inventory v4 (`/tmf-api/productInventory/v4/product`): what each customer has
 * bought, with the offering version and prices as sold. Written by order fulfilment (activities,
 * db/order-models.ts productModel) and by staff; a customer token reads its own.
 */
import { PRODUCT_INVENTORY_API, productModel } from '../db/order-models';
import { productSchema } from './schemas/tmf637';
import { FULFILMENT_ACCESS } from './tmf641-service-order';
import { TmfApi, type TmfApiDeps, type TmfResourceSpec } from './tmf/resource';

export const productSpec: TmfResourceSpec = { ...productModel, schema: productSchema, access: FULFILMENT_ACCESS };

/** Builds the TMF637 router. */
export function productInventoryApi(deps: TmfApiDeps): TmfApi {
  return new TmfApi(PRODUCT_INVENTORY_API, deps).resource(productSpec);
}
