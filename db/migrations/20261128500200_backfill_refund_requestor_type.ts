import type { Knex } from 'knex';

/** Refunds stored before get the @referredType TMF676's RelatedParty requires on their requestor. */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    UPDATE refund
       SET body = jsonb_set(body, '{requestor,@referredType}', '"PartyRole"')
     WHERE jsonb_typeof(body->'requestor') = 'object'
       AND body->'requestor'->'@referredType' IS NULL`);
}

/** Nothing to undo: the staff user a refund names acts in a role either way. */
export async function down(): Promise<void> {}
