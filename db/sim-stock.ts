/**
 * SIM card stock: cards (ICCID with its Luhn check digit, IMSI) taken in, and reserved for orders,
 * one card to an owner, never one card to two owners.
 */
import { badRequest } from '../domain/errors';
import { isValidIccid, isValidImsi } from '../domain/inventory/sim';
import { claimOne, countOf, inTransaction, oncePerOwner, type InventoryContext } from './inventory-claims';
import type { Db } from './knex';
import { writeResourceDocument } from './resource-models';

export interface SimCard {
  iccid: string;
  imsi: string;
}


/** Adds cards to the stock (existing ICCIDs are left alone); refuses a bad ICCID or IMSI. Returns how many were new. */
export async function addSimCards(db: Db, cards: SimCard[]): Promise<number> {
  for (const c of cards) {
    if (!isValidIccid(c.iccid)) throw badRequest(`iccid: ${c.iccid} is not a valid ICCID (89…, 19 or 20 digits, Luhn check digit)`);
    if (!isValidImsi(c.imsi)) throw badRequest(`imsi: ${c.imsi} is not a 15-digit IMSI`);
  }
  let added = 0;
  for (let i = 0; i < cards.length; i += 1000) {
    const rows = await db('inventory_sim')
      .insert(cards.slice(i, i + 1000).map((c) => ({ iccid: c.iccid, imsi: c.imsi })))
      .onConflict('iccid')
      .ignore()
      .returning('iccid');
    added += rows.length;
  }
  return added;
}

/** The card an owner holds (reserved or in use), if any. */
export async function findOwnerSim(db: Db, owner: string): Promise<SimCard | undefined> {
  const row = await db('inventory_sim').select('iccid', 'imsi').where({ owner }).whereIn('status', ['reserved', 'inUse']).first();
  return row && { iccid: row.iccid, imsi: row.imsi };
}

/** Reserves a SIM card for `owner`; undefined when the stock is empty. Idempotent per owner. */
export async function reserveSim(db: Db, args: { owner: string; customerId: string }, ctx: InventoryContext): Promise<SimCard | undefined> {
  const existing = await findOwnerSim(db, args.owner);
  if (existing) return existing;
  return oncePerOwner(
    () =>
      inTransaction(db, async (trx) => {
        const card = await claimOne(
          async () => {
            const { rows } = await trx.raw(
              `UPDATE inventory_sim
                  SET status = 'reserved', owner = ?, customer_id = ?, reserved_at = ?, status_changed_at = now()
                WHERE iccid = (SELECT iccid FROM inventory_sim WHERE status = 'available' ORDER BY iccid LIMIT 1 FOR UPDATE SKIP LOCKED)
                  AND status = 'available'
            RETURNING iccid, imsi`,
              [args.owner, args.customerId, ctx.now],
            );
            return rows[0] as SimCard | undefined;
          },
          () => countOf(trx('inventory_sim').where({ status: 'available' })),
        );
        if (!card) return undefined;
        await writeResourceDocument(trx, ctx, { kind: 'sim', ...card }, 'reserved', { customerId: args.customerId, owner: args.owner });
        return { iccid: card.iccid, imsi: card.imsi };
      }),
    () => findOwnerSim(db, args.owner),
  );
}
