/**
 * TMF641 Service Ordering v4 (`/tmf-api/serviceOrdering/v4/serviceOrder`). Service orders are made
 * by the fulfilment of product orders (activities write them with db/order-models.ts
 * serviceOrderModel); staff may read and write them, a customer token reads its own.
 */
import { SERVICE_ORDER_API, serviceOrderModel } from '../db/order-models';
import type { Role } from './auth';
import { serviceOrderSchema } from './schemas/tmf641';
import { TmfApi, type TmfApiDeps, type TmfResourceSpec } from './tmf/resource';

/** Read by staff (technicians too) and customers (their own); written by staff. */
export const FULFILMENT_ACCESS: { read: Role[]; write: Role[] } = { read: ['admin', 'agent', 'technician', 'customer'], write: ['admin', 'agent'] };

export const serviceOrderSpec: TmfResourceSpec = { ...serviceOrderModel, schema: serviceOrderSchema, access: FULFILMENT_ACCESS };

/** Builds the TMF641 router. */
export function serviceOrderApi(deps: TmfApiDeps): TmfApi {
  return new TmfApi(SERVICE_ORDER_API, deps).resource(serviceOrderSpec);
}
