/** Loads the seeded consumer catalog; rows that already exist (by id) are left as they are. */
import type { Knex } from 'knex';
import { saveCatalogVersion } from '../catalog-versions';
import { resourceHref, type TmfDocument } from '../tmf-resources';
import { catalogSeed } from './catalog-data';

const TABLES: Record<keyof typeof catalogSeed, { table: string; versioned: boolean }> = {
  catalog: { table: 'catalog_catalog', versioned: false },
  category: { table: 'catalog_category', versioned: false },
  productSpecification: { table: 'catalog_product_specification', versioned: true },
  productOfferingPrice: { table: 'catalog_product_offering_price', versioned: true },
  productOffering: { table: 'catalog_product_offering', versioned: true },
};

export async function seedCatalog(knex: Knex, publicUrl: string): Promise<void> {
  await knex.transaction(async (trx) => {
    for (const [resource, { table, versioned }] of Object.entries(TABLES)) {
      for (const seed of catalogSeed[resource as keyof typeof catalogSeed] as Array<Record<string, unknown>>) {
        const id = String(seed.id);
        const doc: TmfDocument = { ...seed, id, href: resourceHref(publicUrl, 'productCatalogManagement', resource, id) };
        const inserted = await trx(table).insert({ id: doc.id, body: doc }).onConflict('id').ignore().returning('id');
        if (inserted.length && versioned) await saveCatalogVersion(trx, resource, doc);
      }
    }
  });
}
