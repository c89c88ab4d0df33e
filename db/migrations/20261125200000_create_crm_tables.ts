import type { Knex } from 'knex';
import { createTmfResourceTable } from '../tmf-resource-table';

/** TMF resource tables of the CRM (all customer data, so each row carries its owning customer). */
const CRM_TABLES = [
  'crm_customer', // TMF629 customer
  'crm_party_individual', // TMF632 individual
  'crm_party_organization', // TMF632 organization
  'crm_billing_account', // TMF666 billingAccount
  'crm_party_interaction', // TMF683 partyInteraction
  'crm_document', // TMF667 document
];

export async function up(knex: Knex): Promise<void> {
  for (const table of CRM_TABLES) await createTmfResourceTable(knex, table, { customerOwned: true });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [...CRM_TABLES].reverse()) await knex.schema.dropTable(table);
}
