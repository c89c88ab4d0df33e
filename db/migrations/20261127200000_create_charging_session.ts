import type { Knex } from 'knex';

/**
 * Online charging sessions (a Diameter Session-Id or an Nchf chargingDataRef): the last request
 * number and its answer, so a retransmission gets the first answer again and nothing is charged
 * twice, and per rating group what the session has used so far, so a call is rated as one event.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('charging_session', (t) => {
    t.text('id').primary();
    t.uuid('charging_account_id').notNullable().references('id').inTable('charging_account').index();
    t.text('msisdn').notNullable();
    t.text('state').notNullable();
    t.integer('last_request_number').notNullable();
    t.jsonb('last_answer').notNullable();
    // Per rating group: units used from buckets and from money, money charged, the event start.
    t.jsonb('usage').notNullable().defaultTo('{}');
    t.timestamp('started_at', { useTz: true }).notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable();
    // An open session not heard of by then is abandoned and closed by the sweeper.
    t.timestamp('expires_at', { useTz: true }).notNullable();
  });
  await knex.raw(`ALTER TABLE charging_session ADD CONSTRAINT charging_session_state CHECK (state IN ('open','closed'))`);
  await knex.raw(`CREATE INDEX charging_session_open_expiry ON charging_session (expires_at) WHERE state = 'open'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('charging_session');
}
