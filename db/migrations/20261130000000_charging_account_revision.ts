import type { Knex } from 'knex';

/**
 * A charging account's `revision` counts the changes made to it, its subscribers and its buckets by
 * anyone but the charging engine: top-ups, adjustments, prepay reservations, bucket creation and
 * expiry, the sweeper's releases, a suspension, a plan change, an operator's SQL. The OCS keeps the
 * accounts it charges in memory and writes each request guarded by the revision it planned on, so
 * that any such change, committed before the write, makes it read the account again.
 *
 * Triggers rather than each writer's code, so that no writer can forget. The engine's own bucket
 * changes are left out (its write marks its transaction `ocs.writer = engine`): they would make
 * every account it charges change under it, and it learns the balances they leave from its write.
 * Row triggers that fire after the statement: a writer locks the account row after the bucket
 * rows of its statement, the order in which every writer already locks them.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE charging_account ADD COLUMN revision bigint NOT NULL DEFAULT 0');
  // A change to the account itself (its status) counts too; the triggers below set it explicitly.
  await knex.raw(`
    CREATE FUNCTION charging_account_revise() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.revision = OLD.revision THEN NEW.revision := OLD.revision + 1; END IF;
      RETURN NEW;
    END $$`);
  await knex.raw('CREATE TRIGGER charging_account_revise BEFORE UPDATE ON charging_account FOR EACH ROW EXECUTE FUNCTION charging_account_revise()');
  // A bucket or subscriber row changes its account's revision (both accounts when it moves).
  await knex.raw(`
    CREATE FUNCTION charging_account_touch() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP <> 'INSERT' THEN
        UPDATE charging_account SET revision = revision + 1 WHERE id = OLD.charging_account_id;
      END IF;
      IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.charging_account_id IS DISTINCT FROM OLD.charging_account_id) THEN
        UPDATE charging_account SET revision = revision + 1 WHERE id = NEW.charging_account_id;
      END IF;
      RETURN NULL;
    END $$`);
  await knex.raw(`
    CREATE TRIGGER charging_bucket_touch AFTER INSERT OR UPDATE OR DELETE ON charging_bucket FOR EACH ROW
    WHEN (current_setting('ocs.writer', true) IS DISTINCT FROM 'engine')
    EXECUTE FUNCTION charging_account_touch()`);
  await knex.raw('CREATE TRIGGER charging_subscriber_touch AFTER INSERT OR UPDATE OR DELETE ON charging_subscriber FOR EACH ROW EXECUTE FUNCTION charging_account_touch()');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER charging_subscriber_touch ON charging_subscriber');
  await knex.raw('DROP TRIGGER charging_bucket_touch ON charging_bucket');
  await knex.raw('DROP FUNCTION charging_account_touch()');
  await knex.raw('DROP TRIGGER charging_account_revise ON charging_account');
  await knex.raw('DROP FUNCTION charging_account_revise()');
  await knex.raw('ALTER TABLE charging_account DROP COLUMN revision');
}
