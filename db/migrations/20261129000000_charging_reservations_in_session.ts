import type { Knex } from 'knex';

/**
 * A session's reservations move into its row (a JSON list), so that a credit-control request writes
 * one session row instead of a session row, a deleted reservation row and a new one, each with
 * its index entries and foreign-key checks. Only the OCS ever read them, always by session.
 * The session's documents (last answer, usage, reservations) become `json`: stored as the text the
 * OCS wrote and read back as it is, where `jsonb` is converted on every write and every read.
 *
 * The row is also made cheap to update in place: nothing a request changes is indexed any more, so
 * with free room in the page (fillfactor 60) the new version is a HOT update without index entries.
 * - `sweep_at`, the one indexed time of an open session, is when the sweeper must look at it next:
 *   never later than its earliest reservation or its own expiry. A request only moves it earlier
 *   (which a later expiry never does), and the sweeper moves it on when it finds nothing due.
 * - `closed_at` (set once, at closing) replaces `updated_at` in the index of sessions to purge.
 * - `revision` counts every write (the engine's and the sweeper's): the engine's guarded write
 *   checks it, so a release by the sweeper between the engine's read and write is never undone.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE charging_session
      ALTER COLUMN usage DROP DEFAULT,
      ALTER COLUMN last_answer TYPE json,
      ALTER COLUMN usage TYPE json,
      ALTER COLUMN usage SET DEFAULT '{}',
      ADD COLUMN reservations json NOT NULL DEFAULT '[]',
      ADD COLUMN revision integer NOT NULL DEFAULT 0,
      ADD COLUMN sweep_at timestamptz,
      ADD COLUMN closed_at timestamptz`);
  await knex.raw(`
    UPDATE charging_session s SET reservations = r.list
    FROM (
      SELECT session_id, json_agg(json_build_object(
               'id', id::text, 'ratingGroup', rating_group, 'bucketId', bucket_id,
               'amount', amount::text, 'quantity', quantity::text, 'expiresAt', expires_at) ORDER BY id) AS list
      FROM charging_reservation GROUP BY session_id
    ) r
    WHERE r.session_id = s.id`);
  await knex.raw(`
    UPDATE charging_session SET
      sweep_at = least(expires_at, (SELECT min((x->>'expiresAt')::timestamptz) FROM json_array_elements(reservations) x)),
      closed_at = CASE WHEN state = 'closed' THEN updated_at END`);
  await knex.raw('ALTER TABLE charging_session ALTER COLUMN sweep_at SET NOT NULL');
  await knex.raw(`ALTER TABLE charging_session ADD CONSTRAINT charging_session_closed_at CHECK ((state = 'closed') = (closed_at IS NOT NULL))`);
  await knex.schema.dropTable('charging_reservation');
  await knex.raw('DROP INDEX charging_session_open_expiry');
  await knex.raw('DROP INDEX charging_session_closed_at');
  await knex.raw(`CREATE INDEX charging_session_sweep ON charging_session (sweep_at) WHERE state = 'open'`);
  await knex.raw(`CREATE INDEX charging_session_closed ON charging_session (closed_at) WHERE state = 'closed'`);
  await knex.raw('ALTER TABLE charging_session SET (fillfactor = 60)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE charging_session RESET (fillfactor)');
  await knex.raw('DROP INDEX charging_session_closed');
  await knex.raw('DROP INDEX charging_session_sweep');
  await knex.raw(`CREATE INDEX charging_session_closed_at ON charging_session (updated_at) WHERE state = 'closed'`);
  await knex.raw(`CREATE INDEX charging_session_open_expiry ON charging_session (expires_at) WHERE state = 'open'`);
  await knex.schema.createTable('charging_reservation', (t) => {
    t.bigIncrements('id');
    t.text('session_id').notNullable().references('id').inTable('charging_session').onDelete('CASCADE').index();
    t.integer('rating_group').notNullable();
    t.uuid('bucket_id').notNullable().references('id').inTable('charging_bucket');
    t.decimal('amount', 30, 6).notNullable();
    t.decimal('quantity', 30, 6).notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable().index();
  });
  // Reservation ids become new row ids; the ones in a session's list are not kept.
  await knex.raw(`
    INSERT INTO charging_reservation (session_id, rating_group, bucket_id, amount, quantity, expires_at)
    SELECT s.id, (x->>'ratingGroup')::int, (x->>'bucketId')::uuid, (x->>'amount')::numeric, (x->>'quantity')::numeric, (x->>'expiresAt')::timestamptz
    FROM charging_session s CROSS JOIN LATERAL json_array_elements(s.reservations) x`);
  await knex.raw('ALTER TABLE charging_session DROP CONSTRAINT charging_session_closed_at');
  await knex.raw('ALTER TABLE charging_session DROP COLUMN reservations, DROP COLUMN revision, DROP COLUMN sweep_at, DROP COLUMN closed_at');
  await knex.raw(`ALTER TABLE charging_session ALTER COLUMN usage DROP DEFAULT, ALTER COLUMN last_answer TYPE jsonb, ALTER COLUMN usage TYPE jsonb, ALTER COLUMN usage SET DEFAULT '{}'`);
}
