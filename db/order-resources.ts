/**
 * An order's mobile number (the customer's registration reservation, else the number asked for,
 * else any), and the confirmation and release of everything an owner holds: numbers, SIM cards
 * and ports, with their TMF639 documents; and the expiry of abandoned registration reservations.
 */
import type { Knex } from 'knex';
import { claimOne, countOf, inTransaction, oncePerOwner, type InventoryContext } from './inventory-claims';
import type { Db } from './knex';
import { writeResourceDocument } from './resource-models';
import type { SimCard } from './sim-stock';

export type OrderMsisdnResult =
  | { msisdn: string; source: 'registration' | 'requested' | 'pool' | 'existing' }
  | { reason: 'numberUnavailable'; msisdn: string }
  | { reason: 'poolEmpty' };

export interface OwnerResources {
  msisdns: string[];
  sims: SimCard[];
  ports: Array<{ accessNode: string; port: string }>;
}



/** The number an owner holds (reserved or in use), if any. */
export async function findOwnerMsisdn(db: Db, owner: string): Promise<string | undefined> {
  const row = await db('inventory_msisdn').select('msisdn').where({ reserved_for: owner }).whereIn('status', ['reserved', 'inUse']).first();
  return row?.msisdn;
}

/**
 * Reserves the order's number. The customer's registration reservation (customer_id = customerId,
 * reserved, not an order's) moves to this owner when no number is asked or it is the one asked;
 * else the asked number if it is available (`numberUnavailable` if not); else any available one
 * (`poolEmpty` if none). Idempotent per owner.
 */
export async function reserveOrderMsisdn(
  db: Db,
  args: { owner: string; customerId: string; msisdn?: string },
  ctx: InventoryContext,
): Promise<OrderMsisdnResult> {
  const held = async (): Promise<OrderMsisdnResult | undefined> => {
    const msisdn = await findOwnerMsisdn(db, args.owner);
    return msisdn ? { msisdn, source: 'existing' } : undefined;
  };
  const existing = await held();
  if (existing) return existing;
  return oncePerOwner(
    () =>
      inTransaction(db, async (trx): Promise<OrderMsisdnResult> => {
        const result = await claimOrderMsisdn(trx, args);
        if (!('reason' in result)) {
          await writeResourceDocument(trx, ctx, { kind: 'msisdn', msisdn: result.msisdn }, 'reserved', { customerId: args.customerId, owner: args.owner });
        }
        return result;
      }),
    held,
  );
}

async function claimOrderMsisdn(trx: Knex.Transaction, args: { owner: string; customerId: string; msisdn?: string }): Promise<OrderMsisdnResult> {
  const asked = args.msisdn;
  const takeOver = await trx.raw(
    `UPDATE inventory_msisdn
        SET previous_owner = reserved_for, previous_reserved_until = reserved_until,
            reserved_for = ?, reserved_until = NULL, order_owned = true, status_changed_at = now()
      WHERE msisdn = (SELECT msisdn FROM inventory_msisdn
                       WHERE customer_id = ? AND status = 'reserved' AND NOT order_owned ${asked ? 'AND msisdn = ?' : ''}
                       ORDER BY status_changed_at, msisdn LIMIT 1 FOR UPDATE SKIP LOCKED)
        AND status = 'reserved' AND NOT order_owned
  RETURNING msisdn`,
    [args.owner, args.customerId, ...(asked ? [asked] : [])],
  );
  if (takeOver.rows.length) return { msisdn: takeOver.rows[0].msisdn, source: 'registration' };

  const claim = (candidate: string, bindings: string[]) =>
    trx.raw(
      `UPDATE inventory_msisdn
          SET status = 'reserved', reserved_for = ?, customer_id = ?, reserved_until = NULL, order_owned = true,
              previous_owner = NULL, previous_reserved_until = NULL, status_changed_at = now()
        WHERE msisdn = (${candidate}) AND status = 'available'
    RETURNING msisdn`,
      [args.owner, args.customerId, ...bindings],
    );
  if (asked) {
    const { rows } = await claim(`SELECT msisdn FROM inventory_msisdn WHERE msisdn = ? AND status = 'available' FOR UPDATE`, [asked]);
    return rows.length ? { msisdn: rows[0].msisdn, source: 'requested' } : { reason: 'numberUnavailable', msisdn: asked };
  }
  const row = await claimOne(
    async () => (await claim(`SELECT msisdn FROM inventory_msisdn WHERE status = 'available' ORDER BY msisdn LIMIT 1 FOR UPDATE SKIP LOCKED`, [])).rows[0] as { msisdn: string } | undefined,
    () => countOf(trx('inventory_msisdn').where({ status: 'available' })),
  );
  return row ? { msisdn: row.msisdn, source: 'pool' } : { reason: 'poolEmpty' };
}


/** Every number, SIM card and port the owner has reserved becomes inUse (idempotent); returns what changed. */
export async function confirmOwnerResources(db: Db, owner: string, ctx: InventoryContext): Promise<OwnerResources> {
  return inTransaction(db, async (trx) => {
    const { rows: msisdns } = await trx.raw(
      `UPDATE inventory_msisdn SET status = 'inUse', status_changed_at = now()
        WHERE reserved_for = ? AND status = 'reserved' RETURNING msisdn, customer_id`,
      [owner],
    );
    const { rows: sims } = await trx.raw(
      `UPDATE inventory_sim SET status = 'inUse', in_use_since = ?, status_changed_at = now()
        WHERE owner = ? AND status = 'reserved' RETURNING iccid, imsi, customer_id`,
      [ctx.now, owner],
    );
    const { rows: ports } = await trx.raw(
      `UPDATE inventory_port p SET status = 'inUse', in_use_since = ?, status_changed_at = now()
         FROM inventory_access_node n
        WHERE n.id = p.access_node_id AND p.owner = ? AND p.status = 'reserved'
    RETURNING p.access_node_id, p.name, p.customer_id, n.area_id`,
      [ctx.now, owner],
    );
    for (const m of msisdns) await writeResourceDocument(trx, ctx, { kind: 'msisdn', msisdn: m.msisdn }, 'inUse', { customerId: m.customer_id, owner });
    for (const s of sims) await writeResourceDocument(trx, ctx, { kind: 'sim', iccid: s.iccid, imsi: s.imsi }, 'inUse', { customerId: s.customer_id, owner });
    for (const p of ports) {
      await writeResourceDocument(trx, ctx, { kind: 'port', areaId: p.area_id, accessNode: p.access_node_id, port: p.name }, 'inUse', { customerId: p.customer_id, owner });
    }
    return {
      msisdns: msisdns.map((m: { msisdn: string }) => m.msisdn),
      sims: sims.map((s: SimCard) => ({ iccid: s.iccid, imsi: s.imsi })),
      ports: ports.map((p: { access_node_id: string; name: string }) => ({ accessNode: p.access_node_id, port: p.name })),
    };
  });
}

/**
 * Returns everything the owner holds (reserved or in use) to the pool; idempotent. A number taken
 * over from the customer's registration goes back to that registration's reservation (with its
 * deadline) rather than to the pool. Returns what was released.
 */
export async function releaseOwnerResources(db: Db, owner: string, ctx: InventoryContext): Promise<OwnerResources> {
  return inTransaction(db, async (trx) => {
    // A registration that meanwhile holds another number (its unique index) gets nothing back.
    const { rows: msisdns } = await trx.raw(
      `UPDATE inventory_msisdn m
          SET status = CASE WHEN m.previous_owner IS NOT NULL AND NOT EXISTS (
                                  SELECT 1 FROM inventory_msisdn o WHERE o.reserved_for = m.previous_owner AND o.status IN ('reserved','inUse'))
                            THEN 'reserved' ELSE 'available' END,
              reserved_for = CASE WHEN m.previous_owner IS NOT NULL AND NOT EXISTS (
                                  SELECT 1 FROM inventory_msisdn o WHERE o.reserved_for = m.previous_owner AND o.status IN ('reserved','inUse'))
                            THEN m.previous_owner ELSE NULL END,
              reserved_until = m.previous_reserved_until,
              order_owned = false, previous_owner = NULL, previous_reserved_until = NULL, status_changed_at = now()
        WHERE m.reserved_for = ? AND m.status IN ('reserved','inUse')
    RETURNING m.msisdn, m.status, m.customer_id`,
      [owner],
    );
    // The customer stays on a number given back to its registration; a pooled one has none.
    await trx('inventory_msisdn').whereIn('msisdn', msisdns.map((m: { msisdn: string }) => m.msisdn)).where({ status: 'available' }).update({ customer_id: null, reserved_until: null });
    const { rows: sims } = await trx.raw(
      `UPDATE inventory_sim SET status = 'available', owner = NULL, customer_id = NULL, reserved_at = NULL, in_use_since = NULL, status_changed_at = now()
        WHERE owner = ? AND status IN ('reserved','inUse') RETURNING iccid, imsi`,
      [owner],
    );
    const { rows: ports } = await trx.raw(
      `UPDATE inventory_port p SET status = 'available', owner = NULL, customer_id = NULL, reserved_at = NULL, in_use_since = NULL, status_changed_at = now()
         FROM inventory_access_node n
        WHERE n.id = p.access_node_id AND p.owner = ? AND p.status IN ('reserved','inUse')
    RETURNING p.access_node_id, p.name, n.area_id`,
      [owner],
    );
    for (const m of msisdns) {
      // Given back to the registration: still the customer's, reserved; else in the pool.
      const back = m.status === 'reserved';
      await writeResourceDocument(trx, ctx, { kind: 'msisdn', msisdn: m.msisdn }, back ? 'reserved' : 'released', { customerId: back ? m.customer_id : null });
    }
    for (const s of sims) await writeResourceDocument(trx, ctx, { kind: 'sim', iccid: s.iccid, imsi: s.imsi }, 'released', {});
    for (const p of ports) await writeResourceDocument(trx, ctx, { kind: 'port', areaId: p.area_id, accessNode: p.access_node_id, port: p.name }, 'released', {});
    return {
      msisdns: msisdns.map((m: { msisdn: string }) => m.msisdn),
      sims: sims.map((s: SimCard) => ({ iccid: s.iccid, imsi: s.imsi })),
      ports: ports.map((p: { access_node_id: string; name: string }) => ({ accessNode: p.access_node_id, port: p.name })),
    };
  });
}

/**
 * Returns to the pool every registration reservation whose deadline passed (an order's
 * reservation has none), and shows the numbers that had a TMF639 document as released. Returns how many.
 */
export async function releaseExpiredNumberReservations(db: Db, ctx: InventoryContext): Promise<number> {
  return inTransaction(db, async (trx) => {
    const { rows } = await trx.raw(
      `UPDATE inventory_msisdn
          SET status = 'available', reserved_for = NULL, customer_id = NULL, reserved_until = NULL,
              order_owned = false, previous_owner = NULL, previous_reserved_until = NULL, status_changed_at = now()
        WHERE status = 'reserved' AND reserved_until < ?
    RETURNING msisdn`,
      [ctx.now],
    );
    for (const r of rows as Array<{ msisdn: string }>) await writeResourceDocument(trx, ctx, { kind: 'msisdn', msisdn: r.msisdn }, 'released', {});
    return rows.length;
  });
}
