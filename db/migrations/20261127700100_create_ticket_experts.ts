import type { Knex } from 'knex';

/**
 * The experts who answer customer queries, each in one queue (billing, technical-support,
 * sales-marketing), one of them its supervisor; and who each query was given to. A query is
 * assigned once (its id is the key): a retried assignment finds the first.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('ticket_expert', (t) => {
    t.uuid('id').primary();
    t.text('name').notNullable();
    t.text('email').notNullable();
    t.text('queue').notNullable().index();
    t.boolean('supervisor').notNullable().defaultTo(false);
    t.boolean('active').notNullable().defaultTo(true);
  });
  await knex.raw(`ALTER TABLE ticket_expert ADD CONSTRAINT ticket_expert_queue CHECK (queue IN ('billing','technical-support','sales-marketing'))`);
  // One supervisor per queue.
  await knex.raw(`CREATE UNIQUE INDEX ticket_expert_one_supervisor ON ticket_expert (queue) WHERE supervisor`);

  await knex.schema.createTable('ticket_assignment', (t) => {
    t.uuid('ticket_id').primary();
    t.text('queue').notNullable();
    t.uuid('expert_id').notNullable().references('id').inTable('ticket_expert');
    t.timestamp('assigned_at', { useTz: true }).notNullable();
    t.timestamp('closed_at', { useTz: true });
    t.index(['expert_id', 'closed_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('ticket_assignment');
  await knex.schema.dropTable('ticket_expert');
}
