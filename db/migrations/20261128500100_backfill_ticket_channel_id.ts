import type { Knex } from 'knex';

/**
 * Trouble tickets stored with a channel given by name only get the id TMF621's ChannelRef
 * requires: the name, as the ticket model now fills it on every write.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    UPDATE crm_trouble_ticket
       SET body = jsonb_set(body, '{channel,id}', body->'channel'->'name')
     WHERE jsonb_typeof(body->'channel') = 'object'
       AND body->'channel'->'id' IS NULL
       AND jsonb_typeof(body->'channel'->'name') = 'string'`);
}

/** Nothing to undo: the id is the channel's name, valid data either way. */
export async function down(): Promise<void> {}
