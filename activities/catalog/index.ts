/** Catalog activities: read-only views of the catalog for workflows (orders, billing). */
import type { Knex } from 'knex';
import { CatalogReader, type OfferingSnapshot } from './catalog-reader';

export { CatalogReader } from './catalog-reader';

export function createCatalogActivities(deps: { knex: Knex }) {
  const reader = new CatalogReader(deps.knex);
  return {
    /** The offering, its specification and prices as sold now (each carries its version). */
    async getOfferingSnapshot(offeringId: string): Promise<OfferingSnapshot | null> {
      return (await reader.offeringSnapshot(offeringId)) ?? null;
    },
  };
}
