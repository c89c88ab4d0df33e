/**
 * How the order-side TMF resources are stored, and the rules that hold for every write, whether it
 * comes through the API or from an activity (db/tmf-store: createTmfResourceOnce, patchTmfResource):
 *
 * - TMF622 productOrder and cancelProductOrder, TMF641 serviceOrder, TMF637 product and TMF638
 *   service, each in its own table with its state as a generated column (migrations 20261126400xxx);
 * - each state moves only as domain/ordering/states.ts allows (409 otherwise);
 * - a product order in a final state (rejected, cancelled, completed, failed, partial) no longer
 *   changes at all, and no order changes its customer (409);
 * - the owner (customer scoping) of each is the customer named in `relatedParty`: the first entry
 *   whose `role` is `customer` (any case) or whose `@referredType` is `Customer` (as in the CRM).
 *   A cancelProductOrder carries its order's customer in `relatedParty` (filled by the API).
 *
 * The APIs add schemas, access rules and the request-only rules on top (api/tmf622-…, tmf641-…,
 * tmf637-…, tmf638-…).
 */
import {
  CANCEL_ORDER_TRANSITIONS,
  FINAL_ORDER_STATES,
  ORDER_TRANSITIONS,
  PRODUCT_TRANSITIONS,
  SERVICE_TRANSITIONS,
  transitionProblem,
  type ProductOrderState,
} from '../domain/ordering/states';
import { TmfError } from '../domain/errors';
import { relatedCustomerId } from './crm-models';
import type { TmfDocument } from './tmf-resources';
import type { TmfModel, TmfWriteHooks } from './tmf-store';

export const PRODUCT_ORDER_API = 'productOrderingManagement';
export const SERVICE_ORDER_API = 'serviceOrdering';
export const PRODUCT_INVENTORY_API = 'productInventory';
export const SERVICE_INVENTORY_API = 'serviceInventory';

/** The tables of the order-side resources. */
export const ORDER_TABLES = {
  productOrder: 'product_order',
  cancelProductOrder: 'cancel_product_order',
  serviceOrder: 'service_order',
  product: 'product_inventory',
  service: 'service_inventory',
} as const;

/** Name of the unique index that keeps one product order per customer and externalId. */
export const PRODUCT_ORDER_EXTERNAL_ID_INDEX = 'product_order_external_id_unique';

type BeforeWrite = NonNullable<TmfWriteHooks['beforeWrite']>;

const conflict = (message: string) => new TmfError(409, 'Conflict', message);

/** Refuses a change of `field` that `transitions` does not allow. */
function lifecycleHook<S extends string>(transitions: Record<S, readonly S[]>, what: string, field: string): BeforeWrite {
  return ({ before, after }) => {
    const problem = before && transitionProblem(transitions, what, field, before[field] as S | undefined, after[field] as S | undefined);
    if (problem) throw conflict(problem);
    return after;
  };
}

/** JSON text with object keys sorted, to compare documents whatever order their keys came in. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const orderLifecycle = lifecycleHook(ORDER_TRANSITIONS, 'product order', 'state');

/** Product orders (TMF622): state acknowledged and orderDate on creation; see the rules above. */
export const productOrderModel: TmfModel = {
  apiName: PRODUCT_ORDER_API,
  name: 'productOrder',
  type: 'ProductOrder',
  table: ORDER_TABLES.productOrder,
  stateField: 'state',
  creationDateField: 'creationDate',
  defaults: (now) => ({ state: 'acknowledged', orderDate: now.toISOString() }),
  ownerCustomerId: relatedCustomerId,
  hooks: {
    beforeWrite: async (ctx) => {
      const { before, after } = ctx;
      if (before) {
        if (FINAL_ORDER_STATES.includes(before.state as ProductOrderState) && canonical(before) !== canonical(after)) {
          throw conflict(`a product order in state ${String(before.state)} can no longer be changed`);
        }
        if (relatedCustomerId(before) !== relatedCustomerId(after)) throw conflict('relatedParty: the customer of an order cannot change');
      }
      return orderLifecycle(ctx);
    },
  },
};

/** Cancellation requests of product orders (TMF622 cancelProductOrder). */
export const cancelProductOrderModel: TmfModel = {
  apiName: PRODUCT_ORDER_API,
  name: 'cancelProductOrder',
  type: 'CancelProductOrder',
  table: ORDER_TABLES.cancelProductOrder,
  stateField: 'state',
  creationDateField: 'creationDate',
  defaults: () => ({ state: 'acknowledged' }),
  ownerCustomerId: relatedCustomerId,
  hooks: { beforeWrite: lifecycleHook(CANCEL_ORDER_TRANSITIONS, 'cancellation request', 'state') },
};

const serviceOrderLifecycle = lifecycleHook(ORDER_TRANSITIONS, 'service order', 'state');

/**
 * Service orders (TMF641), made by decomposing a product order; their link to it is an
 * `externalReference` `{externalReferenceType: 'ProductOrder', name: <product order id>}`.
 */
export const serviceOrderModel: TmfModel = {
  apiName: SERVICE_ORDER_API,
  name: 'serviceOrder',
  type: 'ServiceOrder',
  table: ORDER_TABLES.serviceOrder,
  stateField: 'state',
  defaults: (now) => ({ state: 'acknowledged', orderDate: now.toISOString() }),
  ownerCustomerId: relatedCustomerId,
  hooks: {
    beforeWrite: (ctx) => {
      if (ctx.before && relatedCustomerId(ctx.before) !== relatedCustomerId(ctx.after)) {
        throw conflict('relatedParty: the customer of an order cannot change');
      }
      return serviceOrderLifecycle(ctx);
    },
  },
};

/** Products in the inventory (TMF637): status created unless given. */
export const productModel: TmfModel = {
  apiName: PRODUCT_INVENTORY_API,
  name: 'product',
  type: 'Product',
  table: ORDER_TABLES.product,
  stateField: 'status',
  defaults: () => ({ status: 'created' }),
  ownerCustomerId: relatedCustomerId,
  hooks: { beforeWrite: lifecycleHook(PRODUCT_TRANSITIONS, 'product', 'status') },
};

/** Services in the inventory (TMF638): state designed unless given. */
export const serviceModel: TmfModel = {
  apiName: SERVICE_INVENTORY_API,
  name: 'service',
  type: 'Service',
  table: ORDER_TABLES.service,
  stateField: 'state',
  defaults: () => ({ state: 'designed' }),
  ownerCustomerId: relatedCustomerId,
  hooks: { beforeWrite: lifecycleHook(SERVICE_TRANSITIONS, 'service', 'state') },
};

/** The reference a product order's customer is named by in relatedParty. */
export const customerPartyRef = (customerId: string): Record<string, unknown> => ({ id: customerId, role: 'customer', '@referredType': 'Customer' });

export type { TmfDocument };
