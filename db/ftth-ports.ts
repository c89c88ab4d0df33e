/**
 * FTTH capacity: service areas (by postal code or prefix), their access nodes and the nodes' ports;
 * a port reserved for an order in the area of the customer's postal code, never one port to two owners.
 */
import { badRequest, notFound, TmfError } from '../domain/errors';
import { portName } from '../domain/inventory/resource-state';
import { claimOne, countOf, inTransaction, oncePerOwner, type InventoryContext } from './inventory-claims';
import type { Db } from './knex';
import { writeResourceDocument, type InventoryResource } from './resource-models';

export type PortReservation =
  | { status: 'reserved'; areaId: string; accessNode: string; port: string }
  | { status: 'noCapacity'; areaId: string }
  | { status: 'unknownArea' };

export interface ServiceArea {
  id: string;
  name: string;
}


/** Postal codes are compared without spaces, in upper case. */
const normalizePostalCode = (code: string) => code.replace(/\s+/g, '').toUpperCase();

/** The area covering a postal code (the longest matching prefix wins), if any. */
export async function findServiceArea(db: Db, postalCode: string): Promise<ServiceArea | undefined> {
  const code = normalizePostalCode(postalCode);
  if (!code) return undefined;
  const row = await db('inventory_service_area_postal_code as p')
    .join('inventory_service_area as a', 'a.id', 'p.area_id')
    .select('a.id', 'a.name')
    .whereRaw(`? LIKE p.prefix || '%'`, [code])
    .orderByRaw('length(p.prefix) DESC')
    .first();
  return row && { id: row.id, name: row.name };
}

/** Creates an area (or leaves an existing one) and makes it cover the given postal codes or prefixes. */
export async function ensureServiceArea(db: Db, area: { id: string; name: string; postalCodes: string[] }): Promise<void> {
  await db('inventory_service_area').insert({ id: area.id, name: area.name }).onConflict('id').ignore();
  if (area.postalCodes.length) {
    await db('inventory_service_area_postal_code')
      .insert(area.postalCodes.map((prefix) => ({ prefix: normalizePostalCode(prefix), area_id: area.id })))
      .onConflict('prefix')
      .ignore();
  }
}

/** The port an owner holds (reserved or in use), if any, with its area. */
export async function findOwnerPort(db: Db, owner: string): Promise<{ areaId: string; accessNode: string; port: string } | undefined> {
  const row = await db('inventory_port as p')
    .join('inventory_access_node as n', 'n.id', 'p.access_node_id')
    .select('n.area_id', 'p.access_node_id', 'p.name')
    .where('p.owner', owner)
    .whereIn('p.status', ['reserved', 'inUse'])
    .first();
  return row && { areaId: row.area_id, accessNode: row.access_node_id, port: row.name };
}

/**
 * Reserves a port on an access node of the area covering `postalCode` for `owner`. Idempotent per
 * owner (a retry returns the port it holds, wherever it is).
 */
export async function reservePort(
  db: Db,
  args: { owner: string; customerId: string; postalCode: string },
  ctx: InventoryContext,
): Promise<PortReservation> {
  const held = async (): Promise<PortReservation | undefined> => {
    const existing = await findOwnerPort(db, args.owner);
    return existing && { status: 'reserved', ...existing };
  };
  const existing = await held();
  if (existing) return existing;
  const area = await findServiceArea(db, args.postalCode);
  if (!area) return { status: 'unknownArea' };
  return oncePerOwner(
    () =>
      inTransaction(db, async (trx): Promise<PortReservation> => {
        const port = await claimOne(
          async () => {
            // The emptiest node first would spread load; we fill nodes in order, port by port.
            const { rows } = await trx.raw(
              `UPDATE inventory_port
                  SET status = 'reserved', owner = ?, customer_id = ?, reserved_at = ?, status_changed_at = now()
                WHERE (access_node_id, name) = (
                        SELECT p.access_node_id, p.name FROM inventory_port p JOIN inventory_access_node n ON n.id = p.access_node_id
                         WHERE n.area_id = ? AND p.status = 'available'
                         ORDER BY p.access_node_id, p.seq LIMIT 1 FOR UPDATE OF p SKIP LOCKED)
                  AND status = 'available'
            RETURNING access_node_id, name`,
              [args.owner, args.customerId, ctx.now, area.id],
            );
            return rows[0] as { access_node_id: string; name: string } | undefined;
          },
          () =>
            countOf(
              trx('inventory_port as p').join('inventory_access_node as n', 'n.id', 'p.access_node_id').where({ 'n.area_id': area.id, 'p.status': 'available' }),
            ),
        );
        if (!port) return { status: 'noCapacity', areaId: area.id };
        const resource: InventoryResource = { kind: 'port', areaId: area.id, accessNode: port.access_node_id, port: port.name };
        await writeResourceDocument(trx, ctx, resource, 'reserved', { customerId: args.customerId, owner: args.owner });
        return { status: 'reserved', areaId: area.id, accessNode: port.access_node_id, port: port.name };
      }),
    held,
  );
}

/** Adds `count` ports to an access node, numbered after its last one; returns the node's area and the new port names. */
export async function addPorts(db: Db, args: { accessNode: string; count: number }): Promise<{ areaId: string; accessNode: string; ports: string[] }> {
  if (!Number.isInteger(args.count) || args.count < 1 || args.count > 1024) throw badRequest('count: an integer from 1 to 1024');
  return inTransaction(db, async (trx) => {
    // The node's row lock serialises concurrent additions to the same node.
    const node = await trx('inventory_access_node').select('id', 'area_id').where({ id: args.accessNode }).forUpdate().first();
    if (!node) throw notFound(`access node ${args.accessNode}`);
    const last = await trx('inventory_port').where({ access_node_id: node.id }).max({ seq: 'seq' }).first();
    const start = last?.seq === null || last?.seq === undefined ? 0 : Number(last.seq) + 1;
    const rows = Array.from({ length: args.count }, (_, i) => ({ access_node_id: node.id, seq: start + i, name: portName(start + i) }));
    await trx('inventory_port').insert(rows);
    return { areaId: node.area_id as string, accessNode: node.id as string, ports: rows.map((r) => r.name) };
  });
}

/** Adds an access node with `ports` ports to an area; returns the area. 404 for an unknown area, 409 for an existing node. */
export async function addAccessNode(db: Db, args: { areaId: string; id: string; ports: number }): Promise<{ areaId: string; accessNode: string; ports: string[] }> {
  if (!Number.isInteger(args.ports) || args.ports < 0 || args.ports > 1024) throw badRequest('ports: an integer from 0 to 1024');
  return inTransaction(db, async (trx) => {
    const area = await trx('inventory_service_area').select('id').where({ id: args.areaId }).first();
    if (!area) throw notFound(`service area ${args.areaId}`);
    const inserted = await trx('inventory_access_node').insert({ id: args.id, area_id: args.areaId }).onConflict('id').ignore().returning('id');
    if (!inserted.length) throw new TmfError(409, 'Conflict', `access node ${args.id} already exists`);
    if (args.ports === 0) return { areaId: args.areaId, accessNode: args.id, ports: [] };
    const added = await addPorts(trx, { accessNode: args.id, count: args.ports });
    return { ...added, areaId: args.areaId };
  });
}

/**
 * Makes sure a node exists in an area with at least `ports` ports (the first `ports` numbers): the
 * idempotent form the seeds use. Returns how many ports were added.
 */
export async function ensureAccessNode(db: Db, args: { areaId: string; id: string; ports: number }): Promise<number> {
  await db('inventory_access_node').insert({ id: args.id, area_id: args.areaId }).onConflict('id').ignore();
  const rows = Array.from({ length: args.ports }, (_, seq) => ({ access_node_id: args.id, seq, name: portName(seq) }));
  if (!rows.length) return 0;
  const added = await db('inventory_port').insert(rows).onConflict(['access_node_id', 'seq']).ignore().returning('seq');
  return added.length;
}
