/**
 * TMF629 Customer Management v4 (`/tmf-api/customerManagement/v4/customer`). How customers are
 * stored and owned, and their lifecycle, is in db/crm-models.ts; the API adds schema and access.
 */
import { CUSTOMER_API, customerModel } from '../db/crm-models';
import type { Role } from './auth';
import { customerSchema } from './schemas/tmf629';
import { TmfApi, type TmfApiDeps, type TmfResourceSpec } from './tmf/resource';

/** Read by staff and by customers (their own data); written by staff only. */
export const CRM_ACCESS: { read: Role[]; write: Role[] } = { read: ['admin', 'agent', 'customer'], write: ['admin', 'agent'] };

/** The customer resource (stored as db/crm-models.ts says). */
export const customerSpec: TmfResourceSpec = { ...customerModel, schema: customerSchema, access: CRM_ACCESS };

/** Builds the TMF629 router. */
export function customerApi(deps: TmfApiDeps): TmfApi {
  return new TmfApi(CUSTOMER_API, deps).resource(customerSpec);
}
