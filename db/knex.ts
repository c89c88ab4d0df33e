/** The one place a knex instance is made; callers pass it (or a transaction) to query functions. */
import knex, { type Knex } from 'knex';
import pg from 'pg';

// numeric (1700) and bigint (20) arrive as strings so money and counters never pass through a float.
pg.types.setTypeParser(1700, (v) => v);
pg.types.setTypeParser(20, (v) => v);

export type Db = Knex | Knex.Transaction;

/** Creates a pooled knex client for a PostgreSQL connection string. */
export function createKnex(connectionString: string, pool: { min?: number; max?: number } = {}): Knex {
  return knex({
    client: 'pg',
    connection: { connectionString },
    pool: { min: pool.min ?? 0, max: pool.max ?? 10 },
  });
}
