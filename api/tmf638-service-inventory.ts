/**
 * TMF638 Service Inventory v4 (`/tmf-api/serviceInventory/v4/service`): the services that realise
 * products. Written by order fulfilment (activities, db/order-models.ts serviceModel) and by
 * staff; a customer token reads its own.
 */
import { SERVICE_INVENTORY_API, serviceModel } from '../db/order-models';
import { serviceSchema } from './schemas/tmf638';
import { FULFILMENT_ACCESS } from './tmf641-service-order';
import { TmfApi, type TmfApiDeps, type TmfResourceSpec } from './tmf/resource';

export const serviceSpec: TmfResourceSpec = { ...serviceModel, schema: serviceSchema, access: FULFILMENT_ACCESS };

/** Builds the TMF638 router. */
export function serviceInventoryApi(deps: TmfApiDeps): TmfApi {
  return new TmfApi(SERVICE_INVENTORY_API, deps).resource(serviceSpec);
}
