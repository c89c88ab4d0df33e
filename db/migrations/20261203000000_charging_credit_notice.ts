import type { Knex } from 'knex';

/**
 * A charging account that gains credit tells the OCS at once (`NOTIFY charging_credit`, the
 * account id as payload): a top-up, a credit adjustment, a bucket bought, a reservation released
 * by the sweeper or by a prepay reservation, a credit limit raised. The OCS then asks the network
 * to re-authorise the sessions of the account that were on their final units or refused for
 * credit (Diameter RAR, RFC 4006 §5.5), instead of leaving the subscriber cut off or redirected
 * until the grant's validity time runs out.
 *
 * It joins the bucket trigger that counts the account's revision (one trigger, so the engine's own
 * writes, left out of both, evaluate one WHEN per row). A notification is sent on commit and only
 * once per account and transaction; a rolled-back change sends none.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE FUNCTION charging_bucket_touch() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP <> 'INSERT' THEN
        UPDATE charging_account SET revision = revision + 1 WHERE id = OLD.charging_account_id;
      END IF;
      IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.charging_account_id IS DISTINCT FROM OLD.charging_account_id) THEN
        UPDATE charging_account SET revision = revision + 1 WHERE id = NEW.charging_account_id;
      END IF;
      IF TG_OP = 'INSERT'
         OR (TG_OP = 'UPDATE' AND (NEW.balance > OLD.balance OR NEW.reserved < OLD.reserved
             OR coalesce(NEW.credit_limit, 0) > coalesce(OLD.credit_limit, 0)
             OR NEW.charging_account_id IS DISTINCT FROM OLD.charging_account_id)) THEN
        PERFORM pg_notify('charging_credit', NEW.charging_account_id::text);
      END IF;
      RETURN NULL;
    END $$`);
  await knex.raw('DROP TRIGGER charging_bucket_touch ON charging_bucket');
  await knex.raw(`
    CREATE TRIGGER charging_bucket_touch AFTER INSERT OR UPDATE OR DELETE ON charging_bucket FOR EACH ROW
    WHEN (current_setting('ocs.writer', true) IS DISTINCT FROM 'engine')
    EXECUTE FUNCTION charging_bucket_touch()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER charging_bucket_touch ON charging_bucket');
  await knex.raw(`
    CREATE TRIGGER charging_bucket_touch AFTER INSERT OR UPDATE OR DELETE ON charging_bucket FOR EACH ROW
    WHEN (current_setting('ocs.writer', true) IS DISTINCT FROM 'engine')
    EXECUTE FUNCTION charging_account_touch()`);
  await knex.raw('DROP FUNCTION charging_bucket_touch()');
}
