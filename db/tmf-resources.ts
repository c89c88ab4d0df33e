/**
 * Query functions over a TMF resource table (see tmf-resource-table.ts): the document is the
 * JSONB `body`; filters compare the text of a (possibly nested) attribute as the client wrote it.
 */
import type { Db } from './knex';

export type TmfDocument = Record<string, unknown> & { id: string };

/** attribute path (split on dots) → accepted values (any of them matches). */
export type EqualityFilters = Array<{ path: string[]; values: string[] }>;

/** Restricts a query to the rows of one customer (tables created with `customerOwned`). */
export interface OwnerScope {
  customerId?: string;
}

export interface ListPage {
  offset: number;
  limit: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are UUIDs; anything else names no row (and must not reach a uuid column as a query error). */
export const isUuid = (id: string): boolean => UUID.test(id);

/** The href of a TMF resource: `<publicUrl>/tmf-api/<apiName>/v4/<resource>/<id>`. */
export function resourceHref(publicUrl: string, apiName: string, resource: string, id: string): string {
  return `${publicUrl}/tmf-api/${apiName}/v4/${resource}/${id}`;
}

/** Inserts a new document; `customerId` is its owner, for customer-owned tables. */
export async function insertResource(db: Db, table: string, doc: TmfDocument, customerId?: string): Promise<void> {
  await db(table).insert({ id: doc.id, body: doc, ...(customerId !== undefined ? { customer_id: customerId } : {}) });
}

/** The document with this id, or undefined. `forUpdate` locks the row inside a transaction. */
export async function findResource(
  db: Db,
  table: string,
  id: string,
  opts: { forUpdate?: boolean; scope?: OwnerScope } = {},
): Promise<TmfDocument | undefined> {
  if (!isUuid(id)) return undefined;
  const query = db(table).select('body').where({ id }).first();
  if (opts.scope?.customerId !== undefined) void query.where({ customer_id: opts.scope.customerId });
  const forUpdate = opts.forUpdate;
  if (forUpdate) void query.forUpdate();
  const row = (await query) as { body: TmfDocument } | undefined;
  return row?.body;
}

/** Replaces the document of an existing row (and its owner, for customer-owned tables). */
export async function replaceResource(db: Db, table: string, doc: TmfDocument, customerId?: string): Promise<void> {
  await db(table)
    .where({ id: doc.id })
    .update({ body: doc, updated_at: db.fn.now(), ...(customerId !== undefined ? { customer_id: customerId } : {}) });
}

/** Deletes the row; returns whether it existed. */
export async function deleteResource(db: Db, table: string, id: string): Promise<boolean> {
  if (!isUuid(id)) return false;
  return (await db(table).where({ id }).delete()) > 0;
}

function applyFilters(db: Db, table: string, filters: EqualityFilters, scope: OwnerScope) {
  const query = db(table);
  if (scope.customerId !== undefined) void query.where({ customer_id: scope.customerId });
  for (const f of filters) {
    void query.whereRaw('body #>> ?::text[] = ANY(?::text[])', [f.path, f.values]);
  }
  return query;
}

/** One page of matching documents (oldest first) and the total number that match. */
export async function listResources(
  db: Db,
  table: string,
  filters: EqualityFilters,
  page: ListPage,
  scope: OwnerScope = {},
): Promise<{ items: TmfDocument[]; total: number }> {
  const [{ count }] = (await applyFilters(db, table, filters, scope).count({ count: '*' })) as Array<{ count: string }>;
  const rows = (await applyFilters(db, table, filters, scope)
    .select('body')
    .orderBy([{ column: 'created_at' }, { column: 'id' }])
    .offset(page.offset)
    .limit(page.limit)) as Array<{ body: TmfDocument }>;
  return { items: rows.map((r) => r.body), total: Number(count) };
}
