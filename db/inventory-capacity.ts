/** Capacity of the inventory's pools: ports per service area and access node, numbers and SIM cards by status. */
import type { Db } from './knex';


export interface PortCapacity {
  total: number;
  available: number;
  reserved: number;
  inUse: number;
}

export interface AreaCapacity extends PortCapacity {
  areaId: string;
  name: string;
  postalCodes: string[];
  accessNodes: Array<{ id: string } & PortCapacity>;
}

const portCounts = (rows: Array<{ status: string; n: string }>): PortCapacity => {
  const by = (s: string) => Number(rows.find((r) => r.status === s)?.n ?? 0);
  const c = { available: by('available'), reserved: by('reserved'), inUse: by('inUse') };
  return { total: c.available + c.reserved + c.inUse, ...c };
};

/** Ports per service area and access node, by status. */
export async function serviceAreaCapacity(db: Db, areaId?: string): Promise<AreaCapacity[]> {
  const areas = await db('inventory_service_area').select('id', 'name').modify((q) => void (areaId !== undefined && q.where({ id: areaId }))).orderBy('id');
  const prefixes = await db('inventory_service_area_postal_code').select('prefix', 'area_id').orderBy('prefix');
  const nodes = await db('inventory_access_node').select('id', 'area_id').orderBy('id');
  const counts = (await db('inventory_port').select('access_node_id', 'status').count({ n: '*' }).groupBy('access_node_id', 'status')) as Array<{
    access_node_id: string;
    status: string;
    n: string;
  }>;
  return areas.map((a: { id: string; name: string }) => {
    const accessNodes = nodes
      .filter((n: { area_id: string }) => n.area_id === a.id)
      .map((n: { id: string }) => ({ id: n.id, ...portCounts(counts.filter((c) => c.access_node_id === n.id)) }));
    const sum = (k: keyof PortCapacity) => accessNodes.reduce((s: number, n: PortCapacity) => s + n[k], 0);
    return {
      areaId: a.id,
      name: a.name,
      postalCodes: prefixes.filter((p: { area_id: string }) => p.area_id === a.id).map((p: { prefix: string }) => p.prefix),
      total: sum('total'),
      available: sum('available'),
      reserved: sum('reserved'),
      inUse: sum('inUse'),
      accessNodes,
    };
  });
}

/** Numbers and SIM cards by status. */
export async function poolCapacity(db: Db): Promise<{ msisdn: Record<string, number>; sim: Record<string, number> }> {
  const tally = async (table: string) => {
    const rows = (await db(table).select('status').count({ n: '*' }).groupBy('status')) as Array<{ status: string; n: string }>;
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  };
  return { msisdn: await tally('inventory_msisdn'), sim: await tally('inventory_sim') };
}
