/** Number inventory (MSISDNs) as small query functions; every change of owner is one conditional update. */
import type { Db } from './knex';

export interface MsisdnReservation {
  msisdn: string;
  reservedUntil: Date;
}

/** Adds a range of numbers to the pool (`+34600000000` … count), leaving existing ones alone. */
export async function addMsisdnRange(db: Db, first: string, count: number): Promise<void> {
  const digits = first.replace(/^\+/, '');
  await db.raw(
    `INSERT INTO inventory_msisdn (msisdn)
     SELECT '+' || (?::numeric + n)::text FROM generate_series(0, ? - 1) AS n
     ON CONFLICT (msisdn) DO NOTHING`,
    [digits, count],
  );
}

/** Up to `count` available numbers, picked at random, for a customer to choose from. Nothing is held. */
export async function sampleAvailableMsisdns(db: Db, count: number): Promise<string[]> {
  const rows = await db('inventory_msisdn').select('msisdn').where({ status: 'available' }).orderByRaw('random()').limit(count);
  return rows.map((r: { msisdn: string }) => r.msisdn);
}

/** The live reservation of an owner, if any. */
export async function findReservation(db: Db, owner: string): Promise<MsisdnReservation | undefined> {
  const row = await db('inventory_msisdn').select('msisdn', 'reserved_until').where({ reserved_for: owner, status: 'reserved' }).first();
  return row && { msisdn: row.msisdn, reservedUntil: row.reserved_until };
}

/**
 * Reserves a number for `owner` until `until`: the preferred one if it is still available, else
 * any available one. Idempotent per owner (a retry returns the first reservation). Safe under
 * any concurrency: the row lock (SKIP LOCKED) and the status condition let one owner win a number.
 * Returns undefined when the pool is empty.
 */
export async function reserveMsisdn(
  db: Db,
  args: { owner: string; customerId?: string; preferred?: string; until: Date },
): Promise<MsisdnReservation | undefined> {
  const existing = await findReservation(db, args.owner);
  if (existing) return existing;
  const claim = (candidateSql: string, candidateBindings: string[]) =>
    db.raw(
      `UPDATE inventory_msisdn
          SET status = 'reserved', reserved_for = ?, customer_id = ?, reserved_until = ?, status_changed_at = now()
        WHERE msisdn = (${candidateSql})
          AND status = 'available'
    RETURNING msisdn, reserved_until`,
      [args.owner, args.customerId ?? null, args.until, ...candidateBindings],
    );
  let result = args.preferred
    ? await claim(`SELECT msisdn FROM inventory_msisdn WHERE msisdn = ? AND status = 'available' FOR UPDATE SKIP LOCKED`, [args.preferred])
    : undefined;
  // A candidate taken between the subquery and the update claims nothing; try the next one.
  for (let attempt = 0; attempt < 5 && !result?.rows.length; attempt++) {
    result = await claim(`SELECT msisdn FROM inventory_msisdn WHERE status = 'available' ORDER BY msisdn LIMIT 1 FOR UPDATE SKIP LOCKED`, []);
  }
  const row = result?.rows[0];
  return row && { msisdn: row.msisdn, reservedUntil: row.reserved_until };
}

/** Records the customer a reservation is for (known only once the account exists). */
export async function setReservationCustomer(db: Db, owner: string, customerId: string): Promise<void> {
  await db('inventory_msisdn').where({ reserved_for: owner, status: 'reserved' }).update({ customer_id: customerId });
}

/** Returns an owner's reserved number to the pool; returns the number released, if there was one. */
export async function releaseReservation(db: Db, owner: string): Promise<string | undefined> {
  const rows = await db('inventory_msisdn')
    .where({ reserved_for: owner, status: 'reserved' })
    .update({ status: 'available', reserved_for: null, customer_id: null, reserved_until: null, status_changed_at: db.fn.now() })
    .returning('msisdn');
  return rows[0]?.msisdn;
}

/** Releases every reservation whose deadline has passed (abandoned); returns how many. */
export async function releaseExpiredReservations(db: Db, now: Date): Promise<number> {
  return db('inventory_msisdn')
    .where({ status: 'reserved' })
    .andWhere('reserved_until', '<', now)
    .update({ status: 'available', reserved_for: null, customer_id: null, reserved_until: null, status_changed_at: db.fn.now() });
}

/** The number a customer holds from registration (reserved for them, not yet taken by an order). */
export async function findCustomerRegistrationReservation(db: Db, customerId: string): Promise<MsisdnReservation | undefined> {
  const row = await db('inventory_msisdn')
    .select('msisdn', 'reserved_until')
    .where({ customer_id: customerId, status: 'reserved' })
    .where({ order_owned: false })
    .orderBy('status_changed_at')
    .first();
  return row && { msisdn: row.msisdn, reservedUntil: row.reserved_until };
}
