import type { Knex } from 'knex';

/**
 * The ledger's tie to its bucket, kept from the bucket's side. A foreign key checked every entry
 * as it was inserted: a key lookup and a row lock on the bucket per entry, about a fifth of
 * PostgreSQL's work for a credit-control request (two to three entries each). Every writer already
 * changes the bucket in the statement or transaction that appends its entries (the engine's write,
 * whose guard fails when a bucket is gone; prepay balance management on a bucket it locked; the
 * sweeper's release), so an entry cannot name a bucket that is not there. What is left to refuse
 * is a bucket going away, or changing its id, under its entries; the trigger does that, with the
 * foreign key's error code. It looks once the row is locked, so it sees entries committed by a
 * writer it waited for.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE charging_ledger DROP CONSTRAINT charging_ledger_bucket_id_foreign');
  await knex.raw(`
    CREATE FUNCTION charging_bucket_keep_ledger() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM charging_ledger WHERE bucket_id = OLD.id) THEN
        RAISE EXCEPTION 'charging bucket % has ledger entries', OLD.id USING ERRCODE = 'foreign_key_violation';
      END IF;
      RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END $$`);
  await knex.raw('CREATE TRIGGER charging_bucket_keep_ledger BEFORE DELETE ON charging_bucket FOR EACH ROW EXECUTE FUNCTION charging_bucket_keep_ledger()');
  await knex.raw(`
    CREATE TRIGGER charging_bucket_keep_ledger_id BEFORE UPDATE OF id ON charging_bucket FOR EACH ROW
    WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION charging_bucket_keep_ledger()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER charging_bucket_keep_ledger_id ON charging_bucket');
  await knex.raw('DROP TRIGGER charging_bucket_keep_ledger ON charging_bucket');
  await knex.raw('DROP FUNCTION charging_bucket_keep_ledger()');
  await knex.raw('ALTER TABLE charging_ledger ADD CONSTRAINT charging_ledger_bucket_id_foreign FOREIGN KEY (bucket_id) REFERENCES charging_bucket (id)');
}
