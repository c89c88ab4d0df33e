/**
 * Finding the order-side resources by the columns kept beside their documents (migrations
 * 20261126400xxx): customer, state or status, external id, and the order a resource came from.
 * Writes go through db/tmf-store with the models of db/order-models.ts.
 */
import type { ProductOrderState, ProductStatus, ServiceState } from '../domain/ordering/states';
import type { Db } from './knex';
import { ORDER_TABLES, PRODUCT_ORDER_EXTERNAL_ID_INDEX } from './order-models';
import type { TmfDocument } from './tmf-resources';

type Row = { body: TmfDocument };
const bodies = (rows: Row[]) => rows.map((r) => r.body);

/** The product order a customer (undefined: an order naming no customer) submitted under `externalId`. */
export async function findProductOrderByExternalId(db: Db, customerId: string | undefined, externalId: string): Promise<TmfDocument | undefined> {
  const row = (await db(ORDER_TABLES.productOrder)
    .select('body')
    .whereRaw(`coalesce(customer_id, '') = ?`, [customerId ?? ''])
    .andWhere({ external_id: externalId })
    .first()) as Row | undefined;
  return row?.body;
}

/** Product orders, oldest first, of a customer and/or in one of some states. */
export async function findProductOrders(
  db: Db,
  where: { customerId?: string; state?: ProductOrderState | ProductOrderState[] } = {},
): Promise<TmfDocument[]> {
  const query = db(ORDER_TABLES.productOrder).select('body').orderBy([{ column: 'created_at' }, { column: 'id' }]);
  if (where.customerId !== undefined) void query.where({ customer_id: where.customerId });
  if (where.state !== undefined) void query.whereIn('state', ([] as string[]).concat(where.state));
  return bodies((await query) as Row[]);
}

/** The cancellation requests of a product order, oldest first. */
export async function findCancellationsOfOrder(db: Db, productOrderId: string): Promise<TmfDocument[]> {
  return bodies(
    (await db(ORDER_TABLES.cancelProductOrder).select('body').where({ product_order_id: productOrderId }).orderBy([{ column: 'created_at' }, { column: 'id' }])) as Row[],
  );
}

/** The service orders made for a product order, oldest first. */
export async function findServiceOrdersOfProductOrder(db: Db, productOrderId: string): Promise<TmfDocument[]> {
  return bodies(
    (await db(ORDER_TABLES.serviceOrder).select('body').where({ product_order_id: productOrderId }).orderBy([{ column: 'created_at' }, { column: 'id' }])) as Row[],
  );
}

/** Products of a customer and/or made by a product order, optionally in some statuses, oldest first. */
export async function findProducts(
  db: Db,
  where: { customerId?: string; productOrderId?: string; status?: ProductStatus | ProductStatus[] },
): Promise<TmfDocument[]> {
  const query = db(ORDER_TABLES.product).select('body').orderBy([{ column: 'created_at' }, { column: 'id' }]);
  if (where.customerId !== undefined) void query.where({ customer_id: where.customerId });
  if (where.productOrderId !== undefined) void query.where({ product_order_id: where.productOrderId });
  if (where.status !== undefined) void query.whereIn('status', ([] as string[]).concat(where.status));
  return bodies((await query) as Row[]);
}

/** Services of a customer and/or made by a service order, optionally in some states, oldest first. */
export async function findServices(
  db: Db,
  where: { customerId?: string; serviceOrderId?: string; state?: ServiceState | ServiceState[] },
): Promise<TmfDocument[]> {
  const query = db(ORDER_TABLES.service).select('body').orderBy([{ column: 'created_at' }, { column: 'id' }]);
  if (where.customerId !== undefined) void query.where({ customer_id: where.customerId });
  if (where.serviceOrderId !== undefined) void query.where({ service_order_id: where.serviceOrderId });
  if (where.state !== undefined) void query.whereIn('state', ([] as string[]).concat(where.state));
  return bodies((await query) as Row[]);
}

/** Whether an error is the unique index on (customer, externalId) of product orders. */
export function isDuplicateExternalId(err: unknown): boolean {
  const e = err as { code?: unknown; constraint?: unknown } | null;
  return !!e && e.code === '23505' && e.constraint === PRODUCT_ORDER_EXTERNAL_ID_INDEX;
}

/**
 * Postpaid mobile lines a customer has or has on order (services not terminated), other than
 * those of `exceptServiceOrderId`: what the credit rule counts.
 */
export async function countPostpaidMobileServices(db: Db, customerId: string, exceptServiceOrderId?: string): Promise<number> {
  const query = db(ORDER_TABLES.service)
    .where({ customer_id: customerId })
    .whereNotIn('state', ['terminated'])
    .whereRaw(`body ->> 'serviceType' = 'mobile'`)
    .whereRaw(`body -> 'serviceCharacteristic' @> '[{"name":"paymentType","value":"postpaid"}]'::jsonb`);
  if (exceptServiceOrderId) void query.whereRaw('service_order_id IS DISTINCT FROM ?', [exceptServiceOrderId]);
  const [{ n }] = await query.count({ n: '*' });
  return Number(n);
}

/**
 * Another order, not yet final, whose items modify or delete the product: its id, if there is
 * one. Two changes of one product at once would race (a plan change on a line being ended).
 */
export async function findOpenChangeOrderOfProduct(db: Db, productId: string, customerId: string, exceptOrderId: string): Promise<string | undefined> {
  // The customer's own orders only: another customer's order naming the product is rejected anyway.
  const row = await db(ORDER_TABLES.productOrder)
    .where({ customer_id: customerId })
    .whereNot({ id: exceptOrderId })
    .whereNotIn('state', ['rejected', 'cancelled', 'completed', 'failed', 'partial'])
    .whereRaw(`body -> 'productOrderItem' @> ?::jsonb`, [JSON.stringify([{ product: { id: productId } }])])
    .first('id');
  return row?.id;
}
