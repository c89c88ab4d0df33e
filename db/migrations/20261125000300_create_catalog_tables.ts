import type { Knex } from 'knex';
import { createTmfResourceTable } from '../tmf-resource-table';

const TABLES = [
  'catalog_catalog',
  'catalog_category',
  'catalog_product_specification',
  'catalog_product_offering',
  'catalog_product_offering_price',
];

/** TMF620 resources, stored as their TMF documents. */
export async function up(knex: Knex): Promise<void> {
  for (const table of TABLES) await createTmfResourceTable(knex, table);
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [...TABLES].reverse()) await knex.schema.dropTable(table);
}
