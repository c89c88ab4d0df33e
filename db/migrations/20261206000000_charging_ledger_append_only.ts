import type { Knex } from 'knex';

/**
 * The ledger is append-only, and a bucket's `initial` never changes: reconciliation (balance =
 * initial + credits − debits) proves nothing if an entry can be edited or removed, or the starting
 * point moved, together with the balance. Every writer only inserts entries; a correction is an
 * entry of its own (an adjustment, a refund). UPDATE, DELETE and TRUNCATE of entries, and a change
 * of a bucket's `initial`, are refused (a superuser can still drop the triggers: that is then a
 * deliberate act, not a stray statement).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE FUNCTION charging_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'the charging ledger is append-only (% refused): correct it with an entry of its own', TG_OP USING ERRCODE = 'insufficient_privilege';
    END $$`);
  await knex.raw('CREATE TRIGGER charging_ledger_append_only BEFORE UPDATE OR DELETE ON charging_ledger FOR EACH ROW EXECUTE FUNCTION charging_ledger_append_only()');
  await knex.raw('CREATE TRIGGER charging_ledger_no_truncate BEFORE TRUNCATE ON charging_ledger FOR EACH STATEMENT EXECUTE FUNCTION charging_ledger_append_only()');
  await knex.raw(`
    CREATE TRIGGER charging_bucket_initial_fixed BEFORE UPDATE OF initial ON charging_bucket FOR EACH ROW
    WHEN (OLD.initial IS DISTINCT FROM NEW.initial) EXECUTE FUNCTION charging_ledger_append_only()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER charging_bucket_initial_fixed ON charging_bucket');
  await knex.raw('DROP TRIGGER charging_ledger_no_truncate ON charging_ledger');
  await knex.raw('DROP TRIGGER charging_ledger_append_only ON charging_ledger');
  await knex.raw('DROP FUNCTION charging_ledger_append_only()');
}
