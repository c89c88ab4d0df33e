/**
 * TMF622 Product Ordering v4 (`/tmf-api/productOrderingManagement/v4/productOrder`,
 * `/cancelProductOrder`). Storage, owners and lifecycles are in db/order-models.ts; this router
 * adds what belongs to requests:
 *
 * - `POST productOrder` checks the shape (api/schemas/tmf622.ts) and stores the order in state
 *   `acknowledged` with its items acknowledged, orderDate and creationDate. A customer token orders
 *   for itself only: its customer is added to `relatedParty` when the order names none, and an order
 *   naming another customer is 403. After the commit `onOrderCreated(order)` runs, then the answer
 *   is 201 with `Location` (so a 201 means the hook has run). A failing hook is logged and the answer stays 201: the order is stored, and orders
 *   left `acknowledged` are found by state (db/orders.ts findProductOrders).
 * - The same `externalId` for the same customer (an order naming no customer: the same externalId
 *   among such orders) is the same order: the repeat answers **200** with the stored order and its
 *   `Location`, whatever else its body says, and no hook runs. A unique index decides races: of
 *   concurrent identical posts one is created (201), the others answer 200 with it.
 * - `PATCH productOrder` is for staff: an agent may change only description, note, priority,
 *   category, notificationContact, requestedStartDate and requestedCompletionDate (anything else is
 *   400 naming the attribute; items, parties, prices and externalId are fixed once ordered); the
 *   state is the system's (the fulfilment workflow's): only `admin` may PATCH it, for operational
 *   repair, and only along the lifecycle (409 otherwise). An order in a final state does not change
 *   (409). Customers cancel with cancelProductOrder instead. `DELETE` is for `admin` only.
 * - `POST cancelProductOrder` names a visible order (404 otherwise) in state acknowledged, pending,
 *   held or inProgress (409 otherwise). In one transaction the request is stored `acknowledged`
 *   (with the order's customer in `relatedParty`) and the order moves to `assessingCancellation`;
 *   after the commit `onCancellationRequested(request, order)` runs, then the answer is 201. PATCH and DELETE of a request are admin-only.
 *
 * Without hooks (the conformance kit runs without a worker) the API works the same, and orders
 * simply stay where the API left them.
 */
import type { NextFunction, Request, Response } from 'express';
import type { z } from 'zod';
import { relatedCustomerId } from '../db/crm-models';
import { CANCELLABLE_ORDER_STATES, PRODUCT_ORDER_ITEM_STATES, type ProductOrderState } from '../domain/ordering/states';
import {
  cancelProductOrderModel,
  customerPartyRef,
  ORDER_TABLES,
  PRODUCT_ORDER_API,
  productOrderModel,
} from '../db/order-models';
import { findProductOrderByExternalId, isDuplicateExternalId } from '../db/orders';
import { findResource, type OwnerScope, type TmfDocument } from '../db/tmf-resources';
import { insertTmfDocument, newTmfDocument, updateTmfDocument } from '../db/tmf-store';
import { requireRole, type Role } from './auth';
import { cancelProductOrderSchema, productOrderSchema } from './schemas/tmf622';
import { badRequest, describeZodError, notFound, TmfError } from './tmf/errors';
import { TmfApi, type TmfApiDeps, type TmfResourceSpec } from './tmf/resource';

/** Read by staff and customers (their own orders); created by staff and customers (their own). */
export const ORDER_ACCESS: { read: Role[]; write: Role[] } = { read: ['admin', 'agent', 'customer'], write: ['admin', 'agent', 'customer'] };

/** What the order API tells the rest of the system (the fulfilment workflow starter), after commit. */
export interface ProductOrderHooks {
  /** A new product order was stored (not called for a repeated externalId). */
  onOrderCreated?(order: TmfDocument): Promise<void>;
  /** A new cancellation request was stored; `order` is the order, now assessingCancellation. */
  onCancellationRequested?(cancelRequest: TmfDocument, order: TmfDocument): Promise<void>;
}

export interface ProductOrderApiDeps extends TmfApiDeps, ProductOrderHooks {}

export const productOrderSpec: TmfResourceSpec = { ...productOrderModel, schema: productOrderSchema, access: ORDER_ACCESS };
export const cancelProductOrderSpec: TmfResourceSpec = { ...cancelProductOrderModel, schema: cancelProductOrderSchema, access: ORDER_ACCESS };

/** Attributes of an order an agent may change with PATCH; `admin` may also PATCH `state`. */
export const AGENT_EDITABLE_ORDER_FIELDS = [
  'description',
  'note',
  'priority',
  'category',
  'notificationContact',
  'requestedStartDate',
  'requestedCompletionDate',
] as const;

/** Attributes of a new order the server fills, whatever the client sent. */
const SERVER_FILLED = ['id', 'href', 'state', 'orderDate', 'creationDate', 'completionDate', 'cancellationDate', 'expectedCompletionDate'];

const isCustomerOnly = (req: Request) => !!req.principal && req.principal.roles.every((r) => r === 'customer');
const scopeFor = (req: Request): OwnerScope => (isCustomerOnly(req) ? { customerId: req.principal?.customerId ?? '' } : {});

function jsonBody(req: Request): Record<string, unknown> {
  if (!req.is(['application/json', 'application/merge-patch+json'])) {
    throw new TmfError(415, 'Unsupported Media Type', 'send application/json or application/merge-patch+json');
  }
  if (req.body === null || typeof req.body !== 'object' || Array.isArray(req.body)) throw badRequest('(body): expected a JSON object');
  return req.body as Record<string, unknown>;
}

function parse<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const result = schema.safeParse(body);
  if (!result.success) throw badRequest(describeZodError(result.error));
  return result.data;
}

/** A hook failure never undoes what was committed: it is logged. */
async function runHook(req: Request, name: string, hook: (() => Promise<void>) | undefined): Promise<void> {
  if (!hook) return;
  try {
    await hook();
  } catch (err) {
    req.log?.error({ err, hook: name }, 'order hook failed');
  }
}

/** Builds the TMF622 router. */
export function productOrderApi(deps: ProductOrderApiDeps): TmfApi {
  const { knex, clock, publicUrl } = deps;
  const api = new TmfApi(PRODUCT_ORDER_API, deps);
  const router = api.router;
  const createRoles = requireRole(...ORDER_ACCESS.write);

  // These routes come before the generic ones of api.resource(), which they replace or guard.
  router.post('/productOrder', createRoles, async (req, res) => {
    const given = { ...jsonBody(req) };
    for (const key of SERVER_FILLED) delete given[key];
    if (isCustomerOnly(req) && Array.isArray(given.relatedParty) && !relatedCustomerId(given as TmfDocument)) {
      given.relatedParty = [customerPartyRef(req.principal?.customerId ?? ''), ...(given.relatedParty as unknown[])];
    } else if (isCustomerOnly(req) && given.relatedParty === undefined) {
      given.relatedParty = [customerPartyRef(req.principal?.customerId ?? '')];
    }
    const body = parse(productOrderSchema.loose(), given) as Record<string, unknown> & z.output<typeof productOrderSchema>;
    body.productOrderItem = body.productOrderItem.map((item) => ({ ...item, state: PRODUCT_ORDER_ITEM_STATES[0] }));
    const now = clock.now();
    const doc = newTmfDocument(productOrderModel, body, { now, publicUrl });
    const customerId = relatedCustomerId(doc);
    if (isCustomerOnly(req) && customerId !== req.principal?.customerId) {
      throw new TmfError(403, 'Forbidden', 'a customer may only order for itself');
    }
    const externalId = body.externalId;
    const repeat = async () => (externalId === undefined ? undefined : findProductOrderByExternalId(knex, customerId, externalId));
    let existing = await repeat();
    if (!existing) {
      try {
        const stored = await knex.transaction((trx) => insertTmfDocument(trx, productOrderModel, doc, now));
        await runHook(req, 'onOrderCreated', deps.onOrderCreated && (() => deps.onOrderCreated!(stored)));
        res.status(201).location(stored.href as string).json(stored);
        return;
      } catch (err) {
        if (!isDuplicateExternalId(err)) throw err;
        existing = await repeat();
        if (!existing) throw err;
      }
    }
    res.status(200).location(existing.href as string).json(existing);
  });

  const guardOrderPatch = (req: Request, _res: Response, next: NextFunction) => {
    const patch: unknown = req.body;
    if (patch !== null && typeof patch === 'object' && !Array.isArray(patch)) {
      const isAdmin = req.principal?.roles.includes('admin') ?? false;
      for (const key of Object.keys(patch)) {
        if (key === 'state') {
          if (!isAdmin) {
            return next(new TmfError(403, 'Forbidden', 'state: the order system moves an order; to cancel it, POST a cancelProductOrder'));
          }
        } else if (!(AGENT_EDITABLE_ORDER_FIELDS as readonly string[]).includes(key)) {
          return next(badRequest(`${key}: cannot be changed once ordered (changeable: ${AGENT_EDITABLE_ORDER_FIELDS.join(', ')})`));
        }
      }
    }
    next();
  };
  router.patch('/productOrder/:id', requireRole('admin', 'agent'), guardOrderPatch);
  router.delete('/productOrder/:id', requireRole('admin'));
  router.patch('/cancelProductOrder/:id', requireRole('admin'));
  router.delete('/cancelProductOrder/:id', requireRole('admin'));

  router.post('/cancelProductOrder', createRoles, async (req, res) => {
    const given = { ...jsonBody(req) };
    for (const key of ['id', 'href', 'state', 'effectiveCancellationDate', 'creationDate', 'relatedParty']) delete given[key];
    const body = parse(cancelProductOrderSchema.loose(), given) as Record<string, unknown> & z.output<typeof cancelProductOrderSchema>;
    const now = clock.now();
    const { cancelRequest, order } = await knex.transaction(async (trx) => {
      const before = await findResource(trx, ORDER_TABLES.productOrder, body.productOrder.id, { forUpdate: true, scope: scopeFor(req) });
      if (!before) throw notFound(`productOrder.id: ProductOrder ${body.productOrder.id}`);
      if (!CANCELLABLE_ORDER_STATES.includes(before.state as ProductOrderState)) {
        throw new TmfError(409, 'Conflict', `productOrder: an order in state ${String(before.state)} cannot be cancelled`);
      }
      const customerId = relatedCustomerId(before);
      const requestDoc = newTmfDocument(
        cancelProductOrderModel,
        {
          ...body,
          productOrder: { ...body.productOrder, id: before.id, href: before.href, '@referredType': 'ProductOrder' },
          ...(customerId ? { relatedParty: [customerPartyRef(customerId)] } : {}),
        },
        { now, publicUrl },
      );
      const stored = await insertTmfDocument(trx, cancelProductOrderModel, requestDoc, now);
      const moved = await updateTmfDocument(trx, productOrderModel, before, { ...before, state: 'assessingCancellation' }, now);
      return { cancelRequest: stored, order: moved };
    });
    await runHook(req, 'onCancellationRequested', deps.onCancellationRequested && (() => deps.onCancellationRequested!(cancelRequest, order)));
    res.status(201).location(cancelRequest.href as string).json(cancelRequest);
  });

  return api.resource(productOrderSpec).resource(cancelProductOrderSpec);
}

type Operation = { responses: Record<string, unknown> };
type PathItem = Partial<Record<'get' | 'post' | 'patch' | 'delete', Operation>>;

/**
 * Adds to the generated OpenAPI document the answers the generic description of a resource
 * lacks: the 200 of a repeated externalId, and the 404/409 of cancellations and lifecycle moves.
 */
export function describeOrderResponses(doc: Record<string, unknown>): void {
  const paths = doc.paths as Record<string, PathItem>;
  const error = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
  const base = `/tmf-api/${PRODUCT_ORDER_API}/v4`;
  const createOrder = paths[`${base}/productOrder`]?.post;
  if (createOrder) {
    createOrder.responses['200'] = {
      description: 'An order with this externalId exists for this customer: that order, unchanged',
      headers: { Location: { schema: { type: 'string' } } },
      content: { 'application/json': { schema: { $ref: '#/components/schemas/ProductOrder' } } },
    };
  }
  const createCancel = paths[`${base}/cancelProductOrder`]?.post;
  if (createCancel) {
    createCancel.responses['404'] = error('No such product order');
    createCancel.responses['409'] = error('The order is in a state that cannot be cancelled');
  }
  const lifecycle = error('The change breaks the lifecycle, or the resource can no longer change');
  for (const path of [
    `${base}/productOrder/{id}`,
    `${base}/cancelProductOrder/{id}`,
    '/tmf-api/serviceOrdering/v4/serviceOrder/{id}',
    '/tmf-api/productInventory/v4/product/{id}',
    '/tmf-api/serviceInventory/v4/service/{id}',
  ]) {
    const patch = paths[path]?.patch;
    if (patch) patch.responses['409'] = lifecycle;
  }
}
