/**
 * Resources of orders: SIM cards, FTTH ports and the order's mobile number. Every change of owner
 * is one conditional UPDATE (`… AND status = 'available'`, the candidate row locked with SKIP
 * LOCKED), so that a resource never goes to two owners however many race for it; every call is
 * idempotent per owner (the order id): a retry finds what the first call got. The TMF639 document
 * of each resource is written in the same transaction (db/resource-models.ts).
 */
import type { Knex } from 'knex';
import { portName } from '../domain/inventory/resource-state';
import { isValidIccid, isValidImsi } from '../domain/inventory/sim';
import { badRequest, notFound, TmfError } from '../domain/errors';
import type { Db } from './knex';
import { writeResourceDocument, type InventoryResource } from './resource-models';
import type { TmfWriteContext } from './tmf-store';

/** When the TMF639 documents are written and what their hrefs start with. */
export type InventoryContext = TmfWriteContext;

export interface SimCard {
  iccid: string;
  imsi: string;
}

export type PortReservation =
  | { status: 'reserved'; areaId: string; accessNode: string; port: string }
  | { status: 'noCapacity'; areaId: string }
  | { status: 'unknownArea' };

export type OrderMsisdnResult =
  | { msisdn: string; source: 'registration' | 'requested' | 'pool' | 'existing' }
  | { reason: 'numberUnavailable'; msisdn: string }
  | { reason: 'poolEmpty' };

export interface ServiceArea {
  id: string;
  name: string;
}

export interface OwnerResources {
  msisdns: string[];
  sims: SimCard[];
  ports: Array<{ accessNode: string; port: string }>;
}

/** How many times a claim is tried while every remaining candidate is held by an uncommitted claim. */
const CLAIM_ATTEMPTS = 50;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function inTransaction<T>(db: Db, fn: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  return db.transaction(fn);
}

const isUniqueViolation = (err: unknown) => (err as { code?: string } | null)?.code === '23505';

/**
 * Runs a claim; a concurrent call for the same owner that won first trips the owner's unique index,
 * and then its result is what this call returns.
 */
async function oncePerOwner<T>(claim: () => Promise<T>, existing: () => Promise<T | undefined>): Promise<T> {
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
async function claimOne<R>(claim: () => Promise<R | undefined>, remaining: () => Promise<number>): Promise<R | undefined> {
  for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
    const row = await claim();
    if (row) return row;
    if ((await remaining()) === 0) return undefined;
    await pause(2 + attempt * 2);
  }
  throw new Error('inventory claim kept colliding with concurrent claims; try again');
}

const countOf = async (query: Knex.QueryBuilder): Promise<number> => Number(((await query.count({ n: '*' })) as Array<{ n: string }>)[0].n);

// ---------------------------------------------------------------------------------------------
// SIM cards

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

// ---------------------------------------------------------------------------------------------
// Service areas, access nodes and ports

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

// ---------------------------------------------------------------------------------------------
// The order's mobile number

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

// ---------------------------------------------------------------------------------------------
// Confirm and release

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

// ---------------------------------------------------------------------------------------------
// Capacity

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
