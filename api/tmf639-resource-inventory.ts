/**
 * TMF639 Resource Inventory v4 (`/tmf-api/resourceInventoryManagement/v4/resource`): every number,
 * SIM card and FTTH port allocated to an order, written by the inventory in the allocation's
 * transaction (db/resource-inventory.ts), and whatever staff record by hand. Customers read their
 * own resources (relatedParty); staff read and write all.
 */
import { RESOURCE_INVENTORY_API, resourceModel } from '../db/resource-models';
import type { Role } from './auth';
import { resourceSchema } from './schemas/tmf639';
import { TmfApi, type TmfApiDeps, type TmfResourceSpec } from './tmf/resource';

export const RESOURCE_ACCESS: { read: Role[]; write: Role[] } = {
  read: ['admin', 'agent', 'technician', 'network', 'customer'],
  write: ['admin', 'agent', 'network'],
};

export const resourceSpec: TmfResourceSpec = { ...resourceModel, schema: resourceSchema, access: RESOURCE_ACCESS };

/** Builds the TMF639 router. */
export function resourceInventoryApi(deps: TmfApiDeps): TmfApi {
  return new TmfApi(RESOURCE_INVENTORY_API, deps).resource(resourceSpec);
}
