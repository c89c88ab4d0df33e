/**
 * How the inventory hands out a resource: one conditional UPDATE per change of owner, the candidate
 * row locked with SKIP LOCKED, retried while the only candidates left are held by uncommitted
 * claims; a concurrent call for the same owner finds what the first one got (the owner's unique index).
 */
import type { Knex } from 'knex';
import type { Db } from './knex';
import type { TmfWriteContext } from './tmf-store';

/** When the TMF639 documents are written and what their hrefs start with. */
export type InventoryContext = TmfWriteContext;

/** How many times a claim is tried while every remaining candidate is held by an uncommitted claim. */
const CLAIM_ATTEMPTS = 50;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function inTransaction<T>(db: Db, fn: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  return db.transaction(fn);
}

const isUniqueViolation = (err: unknown) => (err as { code?: string } | null)?.code === '23505';

/**
 * Runs a claim; a concurrent call for the same owner that won first trips the owner's unique index,
 * and then its result is what this call returns.
 */
export async function oncePerOwner<T>(claim: () => Promise<T>, existing: () => Promise<T | undefined>): Promise<T> {
  try {
    return await claim();
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    const found = await existing();
    if (found === undefined) throw err;
    return found;
  }
}

/**
 * Claims one row: `claim` runs the conditional UPDATE and returns the row it took, if any. When it
 * took none, `remaining` says how many candidates the committed data still has: rows another
 * transaction has locked but not yet taken (it may roll back) are worth another try; none means
 * the pool is empty.
 */
export async function claimOne<R>(claim: () => Promise<R | undefined>, remaining: () => Promise<number>): Promise<R | undefined> {
  for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
    const row = await claim();
    if (row) return row;
    if ((await remaining()) === 0) return undefined;
    await pause(2 + attempt * 2);
  }
  throw new Error('inventory claim kept colliding with concurrent claims; try again');
}

export const countOf = async (query: Knex.QueryBuilder): Promise<number> => Number(((await query.count({ n: '*' })) as Array<{ n: string }>)[0].n);
