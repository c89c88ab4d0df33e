/** TMF620 Product Catalog Management v4: catalogs, categories, specifications, offerings, prices. */
import type { z } from 'zod';
import { saveCatalogVersion } from '../db/catalog-versions';
import { versionAfterUpdate } from '../domain/catalog/versioning';
import { ROLES } from './auth';
import {
  catalogSchema,
  categorySchema,
  productOfferingPriceSchema,
  productOfferingSchema,
  productSpecificationSchema,
} from './schemas/tmf620';
import { TmfApi, type TmfApiDeps, type TmfResourceSpec } from './tmf/resource';

const access = { read: [...ROLES], write: ['admin' as const] };

/** Common to every catalog item: lifecycle, version and validity filled by the server. */
function catalogItem(name: string, type: string, table: string, schema: z.ZodObject, versioned: boolean): TmfResourceSpec {
  return {
    name,
    type,
    table,
    schema,
    stateField: 'lifecycleStatus',
    lastUpdateField: 'lastUpdate',
    defaults: (now) => ({ lifecycleStatus: 'In design', version: '1.0', validFor: { startDateTime: now.toISOString() } }),
    access,
    hooks: versioned
      ? {
          beforeWrite: ({ before, after }) => (before ? { ...after, version: versionAfterUpdate(name, before, after) } : after),
          afterWrite: ({ db, doc }) => saveCatalogVersion(db, name, doc),
        }
      : undefined,
  };
}

/** Builds the TMF620 router. */
export function productCatalogApi(deps: TmfApiDeps): TmfApi {
  return new TmfApi('productCatalogManagement', deps)
    .resource(catalogItem('catalog', 'Catalog', 'catalog_catalog', catalogSchema, false))
    .resource(catalogItem('category', 'Category', 'catalog_category', categorySchema, false))
    .resource(catalogItem('productSpecification', 'ProductSpecification', 'catalog_product_specification', productSpecificationSchema, true))
    .resource(catalogItem('productOffering', 'ProductOffering', 'catalog_product_offering', productOfferingSchema, true))
    .resource(catalogItem('productOfferingPrice', 'ProductOfferingPrice', 'catalog_product_offering_price', productOfferingPriceSchema, true));
}
