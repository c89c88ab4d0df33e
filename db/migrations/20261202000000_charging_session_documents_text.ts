import type { Knex } from 'knex';

/**
 * A session's documents (last answer, usage, reservations) become `text`. Only the OCS writes and
 * reads them, as the JSON text it made; as `json`, PostgreSQL lexed each one on every write (the
 * write's JSON parameter, `json_to_recordset`, then each column's input), about a third of the
 * cost of updating a session row. The sweeper, the one reader in SQL, casts `reservations::json`.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE charging_session
      ALTER COLUMN usage DROP DEFAULT,
      ALTER COLUMN reservations DROP DEFAULT,
      ALTER COLUMN last_answer TYPE text,
      ALTER COLUMN usage TYPE text,
      ALTER COLUMN reservations TYPE text,
      ALTER COLUMN usage SET DEFAULT '{}',
      ALTER COLUMN reservations SET DEFAULT '[]'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE charging_session
      ALTER COLUMN usage DROP DEFAULT,
      ALTER COLUMN reservations DROP DEFAULT,
      ALTER COLUMN last_answer TYPE json USING last_answer::json,
      ALTER COLUMN usage TYPE json USING usage::json,
      ALTER COLUMN reservations TYPE json USING reservations::json,
      ALTER COLUMN usage SET DEFAULT '{}',
      ALTER COLUMN reservations SET DEFAULT '[]'`);
}
