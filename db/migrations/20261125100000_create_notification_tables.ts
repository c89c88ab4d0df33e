import type { Knex } from 'knex';
import { createTmfResourceTable } from '../tmf-resource-table';

/**
 * Customer notifications:
 * - `crm_communication_message`: TMF681 communicationMessage documents, owned by the customer
 *   they were sent to (`customer_id`, read from `receiver[].party` of `@referredType` Customer).
 * - `crm_notification_dispatch`: one row per (idempotency key, channel), the claim that makes a
 *   repeated sendNotification send nothing; it names the communicationMessage and its outcome.
 * - `dev_outbox`: what the local SMTP/SMPP sinks received (development and tests only).
 */
export async function up(knex: Knex): Promise<void> {
  await createTmfResourceTable(knex, 'crm_communication_message', { customerOwned: true });

  await knex.schema.createTable('crm_notification_dispatch', (t) => {
    t.text('idempotency_key').notNullable();
    t.text('channel').notNullable(); // email | sms
    t.uuid('communication_message_id').notNullable();
    t.text('status').notNullable(); // inProgress | sent | failed
    t.text('provider_message_id');
    t.text('error');
    t.integer('attempts').notNullable().defaultTo(0);
    // While a sender holds the claim; past it, a retried activity may take over an unfinished send.
    t.timestamp('lease_until', { useTz: true }).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['idempotency_key', 'channel']);
  });

  await knex.schema.createTable('dev_outbox', (t) => {
    t.uuid('id').primary();
    t.text('channel').notNullable(); // email | sms
    t.text('sender');
    t.text('recipient').notNullable();
    t.text('subject');
    t.text('body').notNullable();
    t.timestamp('received_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['recipient', 'received_at']);
    t.index(['received_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('dev_outbox');
  await knex.schema.dropTable('crm_notification_dispatch');
  await knex.schema.dropTable('crm_communication_message');
}
