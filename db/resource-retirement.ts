/**
 * What becomes of a terminated service's resources: its number goes to quarantine (not handed out
 * again until it has aged, so calls meant for the old subscriber do not reach a new one), its SIM
 * card is retired (the card stays with the customer), its FTTH port goes back to the pool. Each
 * is a conditional update of a resource still in use, so a retry changes nothing.
 */
import type { InventoryContext } from './inventory-claims';
import { inTransaction } from './inventory-claims';
import type { Db } from './knex';
import { writeResourceDocument } from './resource-models';

/** The resources a terminated service held. */
export interface ServiceResources {
  msisdn?: string;
  iccid?: string;
  port?: { accessNode: string; port: string };
}

/** What was retired (empty on a retry). */
export interface RetiredResources {
  quarantined: string[];
  retiredSims: string[];
  freedPorts: string[];
}

/** Quarantines the number, retires the SIM and frees the port of a terminated service (idempotent). */
export async function retireServiceResources(db: Db, resources: ServiceResources, ctx: InventoryContext): Promise<RetiredResources> {
  return inTransaction(db, async (trx) => {
    const retired: RetiredResources = { quarantined: [], retiredSims: [], freedPorts: [] };
    if (resources.msisdn) {
      // The number keeps no owner; status_changed_at starts its ageing, on the clock that
      // releaseAgedQuarantinedNumbers compares it with (not the database's).
      const rows = await trx('inventory_msisdn')
        .where({ msisdn: resources.msisdn, status: 'inUse' })
        .update({ status: 'quarantined', reserved_for: null, customer_id: null, reserved_until: null, order_owned: false, previous_owner: null, previous_reserved_until: null, status_changed_at: ctx.now })
        .returning('msisdn');
      for (const r of rows as Array<{ msisdn: string }>) {
        retired.quarantined.push(r.msisdn);
        await writeResourceDocument(trx, ctx, { kind: 'msisdn', msisdn: r.msisdn }, 'released', {});
      }
    }
    if (resources.iccid) {
      const rows = await trx('inventory_sim').where({ iccid: resources.iccid, status: 'inUse' }).update({ status: 'retired', status_changed_at: trx.fn.now() }).returning(['iccid', 'imsi']);
      for (const r of rows as Array<{ iccid: string; imsi: string }>) {
        retired.retiredSims.push(r.iccid);
        await writeResourceDocument(trx, ctx, { kind: 'sim', iccid: r.iccid, imsi: r.imsi }, 'released', {});
      }
    }
    if (resources.port) {
      const { rows } = await trx.raw(
        `UPDATE inventory_port p SET status = 'available', owner = NULL, customer_id = NULL, reserved_at = NULL, in_use_since = NULL, status_changed_at = now()
           FROM inventory_access_node n
          WHERE n.id = p.access_node_id AND p.access_node_id = ? AND p.name = ? AND p.status = 'inUse'
      RETURNING p.access_node_id, p.name, n.area_id`,
        [resources.port.accessNode, resources.port.port],
      );
      for (const p of rows as Array<{ access_node_id: string; name: string; area_id: string }>) {
        retired.freedPorts.push(`${p.access_node_id}/${p.name}`);
        await writeResourceDocument(trx, ctx, { kind: 'port', areaId: p.area_id, accessNode: p.access_node_id, port: p.name }, 'released', {});
      }
    }
    return retired;
  });
}

/** Days a number of a terminated line stays in quarantine before it may be handed out again. */
export const NUMBER_QUARANTINE_DAYS = 90;

/** Returns to the pool every number whose quarantine (`days` since it was quarantined) is over; returns them. */
export async function releaseAgedQuarantinedNumbers(db: Db, now: Date, days = NUMBER_QUARANTINE_DAYS): Promise<string[]> {
  const agedBefore = new Date(now.getTime() - days * 86_400_000);
  const rows = await db('inventory_msisdn')
    .where({ status: 'quarantined' })
    .andWhere('status_changed_at', '<', agedBefore)
    .update({ status: 'available', customer_id: null, reserved_for: null, reserved_until: null, status_changed_at: now })
    .returning('msisdn');
  return (rows as Array<{ msisdn: string }>).map((r) => r.msisdn);
}
