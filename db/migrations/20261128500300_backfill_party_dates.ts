import type { Knex } from 'knex';

const DATE = `'^\\d{4}-\\d{2}-\\d{2}$'`;

/** `UPDATE` of one array of identifications: each date-only issuingDate as that day's midnight UTC. */
function identificationDates(table: string, attribute: string): string {
  return `
    UPDATE ${table}
       SET body = jsonb_set(body, '{${attribute}}', (
             SELECT jsonb_agg(CASE WHEN e->>'issuingDate' ~ ${DATE} THEN jsonb_set(e, '{issuingDate}', to_jsonb((e->>'issuingDate') || 'T00:00:00Z')) ELSE e END ORDER BY n)
               FROM jsonb_array_elements(body->'${attribute}') WITH ORDINALITY AS x(e, n)))
     WHERE jsonb_typeof(body->'${attribute}') = 'array'
       AND EXISTS (SELECT 1 FROM jsonb_array_elements(body->'${attribute}') AS e WHERE e->>'issuingDate' ~ ${DATE})`;
}

/**
 * Individuals and organizations stored with dates written as dates (`1990-05-17`) get the
 * date-times TMF632 types them as (`1990-05-17T00:00:00Z`), as the party models now store them.
 */
export async function up(knex: Knex): Promise<void> {
  for (const field of ['birthDate', 'deathDate']) {
    await knex.raw(`
      UPDATE crm_party_individual
         SET body = jsonb_set(body, '{${field}}', to_jsonb((body->>'${field}') || 'T00:00:00Z'))
       WHERE body->>'${field}' ~ ${DATE}`);
  }
  await knex.raw(identificationDates('crm_party_individual', 'individualIdentification'));
  await knex.raw(identificationDates('crm_party_organization', 'organizationIdentification'));
}

/** Nothing to undo: midnight UTC of the day is the same date. */
export async function down(): Promise<void> {}
