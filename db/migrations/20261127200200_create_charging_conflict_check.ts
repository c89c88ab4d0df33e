import type { Knex } from 'knex';

/**
 * `charging_check(ok)`: raises a serialization failure (40001) unless `ok`. The charging engine
 * writes a request in one statement guarded by what it read; when another writer got there first
 * (a concurrent reservation, a sweep, a retransmission) the statement fails whole and is retried.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE FUNCTION charging_check(ok boolean) RETURNS boolean LANGUAGE plpgsql AS $$
    BEGIN
      IF ok IS NOT TRUE THEN
        RAISE EXCEPTION 'charging state changed since it was read' USING ERRCODE = '40001';
      END IF;
      RETURN true;
    END $$`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP FUNCTION charging_check(boolean)');
}
