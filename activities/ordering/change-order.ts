/**
 * Change orders (items that modify or delete an existing product): what the workflow needs to
 * know of the products they name (read once, before any side effect), and the TMF637/TMF638
 * side of a plan change and of a termination. One side effect per activity; all idempotent.
 *
 * A plan change keeps the product (its id is what the number, the services, the billing
 * subscription and the charging subscriber refer to): the product moves to the new offering,
 * version and prices, and its productOrderItem lists every order that changed it. The offering
 * it had, with its dates and prices, stays in the billing subscription that ended on the change
 * date and in the product's change events (TMF637 ProductAttributeValueChangeEvent).
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { Knex } from 'knex';
import { productModel, productOrderModel, serviceModel } from '../../db/order-models';
import { findOpenChangeOrderOfProduct } from '../../db/orders';
import { releaseAgedQuarantinedNumbers, retireServiceResources, type RetiredResources, type ServiceResources } from '../../db/resource-retirement';
import { findResource, type TmfDocument } from '../../db/tmf-resources';
import { patchTmfResource } from '../../db/tmf-store';
import type { Clock } from '../../domain/clock';
import { parsePortRef } from '../../domain/inventory/port-ref';
import { planChangeOrder, validateChangeOrder, type ChangePlan, type ExistingProduct, type ModifyItem } from '../../domain/ordering/change';
import type { OrderContext, OrderLine, PaymentType } from '../../domain/ordering/types';
import type { ServiceToProvision } from '../../domain/provisioning/commands';
import type { CatalogReader } from '../catalog';
import { loadOfferingViews } from './offering-view';

/** One product a change order names, as the network, inventory, charging and billing know it. */
export interface ChangeTarget {
  itemId: string;
  productId: string;
  /** The product's services as the network has them now. */
  services: ServiceToProvision[];
  /** A plan change: the same services with the new plan's profile (same order as `services`). */
  changedServices?: ServiceToProvision[];
  /** What each service holds (same order as `services`). */
  resources: ServiceResources[];
  /** The mobile number of the line, if it is one. */
  msisdn?: string;
  /** Where the line's prepaid buckets came from: `order:<orderId>:<itemId>:` of each order that made or changed it. */
  originPrefixes: string[];
  /** The product's offering, prices and characteristics before the change (put back if the change fails). */
  before: { productOffering: unknown; productPrice: unknown; productCharacteristic: unknown };
}

/** A change order read and judged: rejected with reasons, or planned with its targets. */
export type PreparedChange = { outcome: 'invalid'; reasons: string[] } | { outcome: 'change'; change: ChangePlan; targets: ChangeTarget[]; itemNames: string[] };

type ProductOrderItemRef = { orderItemId?: string; productOrderId?: string; orderItemAction?: string };
type ResourceRef = { id: string; '@referredType'?: string };

const customerOfDoc = (doc: TmfDocument) => (doc.relatedParty as Array<{ id: string; role?: string; '@referredType'?: string }> | undefined)?.find((p) => p.role?.toLowerCase() === 'customer' || p['@referredType'] === 'Customer')?.id;
const orderItemsOf = (product: TmfDocument) => (product.productOrderItem as ProductOrderItemRef[] | undefined) ?? [];
const characteristicValue = (doc: TmfDocument, list: string, name: string) =>
  (doc[list] as Array<{ name: string; value: unknown }> | undefined)?.find((c) => c.name === name)?.value;

/** The product as change rules see it (undefined when there is none). */
async function existingProduct(knex: Knex, productId: string, orderId: string): Promise<{ facts: ExistingProduct; doc: TmfDocument } | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(productId)) return undefined;
  const doc = await findResource(knex, productModel.table, productId);
  if (!doc) return undefined;
  const origin = orderItemsOf(doc).find((i) => i.orderItemAction === 'add') ?? orderItemsOf(doc)[0];
  const order = origin?.productOrderId ? await findResource(knex, productOrderModel.table, origin.productOrderId) : undefined;
  // A component of a bundle shares its order item with the bundle's own product.
  const siblings = origin?.productOrderId ? ((await knex(productModel.table).where({ product_order_id: origin.productOrderId }).select('body')) as Array<{ body: TmfDocument }>) : [];
  const inBundle = siblings.some(({ body }) => body.id !== doc.id && body.isBundle === true && orderItemsOf(body).some((i) => i.orderItemId === origin?.orderItemId));
  const offering = (doc.productOffering ?? {}) as { id?: string; version?: string; name?: string };
  return {
    doc,
    facts: {
      id: productId,
      status: String(doc.status),
      customerId: customerOfDoc(doc),
      billingAccountId: (order?.billingAccount as { id?: string } | undefined)?.id,
      offering: { id: String(offering.id ?? ''), version: String(offering.version ?? ''), name: String(offering.name ?? doc.name ?? '') },
      bundled: doc.isBundle === true || inBundle,
      openChangeOrderId: await findOpenChangeOrderOfProduct(knex, productId, customerOfDoc(doc) ?? '', orderId),
    },
  };
}

/** A service of the product as the network knows it, and what it holds. */
async function serviceOf(knex: Knex, serviceId: string, customerId: string, paymentType: PaymentType): Promise<{ service: ServiceToProvision; resources: ServiceResources } | undefined> {
  const doc = await findResource(knex, serviceModel.table, serviceId);
  if (!doc || doc.state === 'terminated') return undefined;
  const held = (doc.supportingResource as ResourceRef[] | undefined) ?? [];
  const ref = (type: string) => held.find((r) => r['@referredType'] === type)?.id;
  const msisdn = ref('MSISDN');
  const iccid = ref('SimCard');
  const port = ref('AccessPort');
  switch (doc.serviceType) {
    case 'mobile': {
      if (!msisdn || !iccid) throw ApplicationFailure.nonRetryable(`service ${serviceId} names no number and SIM card`, 'ServiceResourcesMissing');
      const sim = await knex('inventory_sim').where({ iccid }).first('imsi');
      if (!sim) throw ApplicationFailure.nonRetryable(`service ${serviceId}: SIM card ${iccid} is not in the SIM stock`, 'ServiceResourcesMissing');
      const speed = (name: string) => {
        const v = characteristicValue(doc, 'serviceCharacteristic', name);
        return v === undefined ? undefined : Number(v);
      };
      return {
        service: { kind: 'mobile', serviceId, msisdn, imsi: sim.imsi, iccid, paymentType, voice: true, sms: true, data: true, downlinkMbps: speed('downloadSpeed'), uplinkMbps: speed('uploadSpeed') },
        resources: { msisdn, iccid },
      };
    }
    case 'ftth': {
      const ref = port ? parsePortRef(port) : undefined;
      if (!ref) throw ApplicationFailure.nonRetryable(`service ${serviceId} names no access port`, 'ServiceResourcesMissing');
      const { accessNode, port: portName } = ref;
      const mbps = (name: string) => Number(characteristicValue(doc, 'serviceCharacteristic', name) ?? 1);
      return {
        service: { kind: 'ftth', serviceId, accessNode, port: portName, downlinkMbps: mbps('downloadSpeed'), uplinkMbps: mbps('uploadSpeed') },
        resources: { port: { accessNode, port: portName } },
      };
    }
    case 'content': {
      const spec = (doc.serviceSpecification as { id?: string; name?: string } | undefined) ?? {};
      return { service: { kind: 'content', serviceId, subscriberId: customerId, entitlement: spec.name ?? spec.id ?? 'CONTENT' }, resources: {} };
    }
    default:
      return undefined;
  }
}

/** The new plan's profile of a service (a plan change is offered for mobile lines only). */
function changedService(service: ServiceToProvision, item: ModifyItem): ServiceToProvision {
  if (service.kind !== 'mobile') return service;
  const speed = (name: string) => (item.characteristics[name] === undefined ? undefined : Number(item.characteristics[name]));
  return { ...service, downlinkMbps: speed('downloadSpeed'), uplinkMbps: speed('uploadSpeed') };
}

/** Reads the products a change order names, validates the order and plans it. No side effect. */
export async function prepareChangeOrder(
  knex: Knex,
  reader: CatalogReader,
  input: { orderId: string; lines: OrderLine[]; ctx: OrderContext; account?: { paymentType: PaymentType; currency: string } },
): Promise<PreparedChange> {
  const { lines, ctx } = input;
  const found = new Map<string, { facts: ExistingProduct; doc: TmfDocument } | undefined>();
  for (const line of lines) if (line.productId && !found.has(line.productId)) found.set(line.productId, await existingProduct(knex, line.productId, input.orderId));
  const products = new Map([...found].map(([id, p]) => [id, p?.facts]));
  const offeringIds = [...lines.map((l) => l.offeringId), ...[...products.values()].map((p) => p?.offering.id ?? '')].filter(Boolean);
  const offerings = await loadOfferingViews(reader, [...new Set(offeringIds)]);
  const reasons = validateChangeOrder(lines, products, offerings, ctx);
  if (reasons.length || !input.account) return { outcome: 'invalid', reasons };

  const change = planChangeOrder(lines, products, offerings, input.account);
  const targets: ChangeTarget[] = [];
  for (const item of change.items) {
    const { doc } = found.get(item.productId)!;
    const services: ServiceToProvision[] = [];
    const resources: ServiceResources[] = [];
    for (const ref of (doc.realizingService as ResourceRef[] | undefined) ?? []) {
      const got = await serviceOf(knex, ref.id, ctx.customer!.id, input.account.paymentType);
      if (got) {
        services.push(got.service);
        resources.push(got.resources);
      }
    }
    const msisdn = resources.find((r) => r.msisdn)?.msisdn;
    targets.push({
      itemId: item.itemId,
      productId: item.productId,
      services,
      ...(item.action === 'modify' ? { changedServices: services.map((s) => changedService(s, item)) } : {}),
      resources,
      ...(msisdn ? { msisdn } : {}),
      originPrefixes: orderItemsOf(doc)
        .filter((i) => i.productOrderId && i.orderItemId)
        .map((i) => `order:${i.productOrderId}:${i.orderItemId}:`),
      before: { productOffering: doc.productOffering, productPrice: doc.productPrice, productCharacteristic: doc.productCharacteristic },
    });
  }
  const itemNames = change.items.map((i) => (i.action === 'modify' ? `Plan change from ${i.from.name} to ${i.to.name}` : `End of ${i.offering.name}`));
  return { outcome: 'change', change, targets, itemNames };
}

/** Appends this order's item to the product's productOrderItem, once. */
function withOrderItem(product: TmfDocument, entry: Required<ProductOrderItemRef>): ProductOrderItemRef[] {
  const items = orderItemsOf(product);
  return items.some((i) => i.productOrderId === entry.productOrderId && i.orderItemId === entry.orderItemId) ? items : [...items, entry];
}

export function createChangeOrderActivities(deps: { knex: Knex; clock: Clock; publicUrl: string }) {
  const { knex, clock, publicUrl } = deps;
  return {
    /** The product moves to the new offering at the version and prices sold now (once per order). */
    async applyProductPlanChange(input: { orderId: string; item: ModifyItem }): Promise<void> {
      const { orderId, item } = input;
      await knex.transaction(async (trx) => {
        const product = await findResource(trx, productModel.table, item.productId, { forUpdate: true });
        if (!product) throw ApplicationFailure.nonRetryable(`product ${item.productId} does not exist`);
        if (orderItemsOf(product).some((i) => i.productOrderId === orderId)) return;
        const chosen = ((product.productCharacteristic as Array<{ name: string; value: unknown }> | undefined) ?? []).filter((c) => !(c.name in item.characteristics));
        await patchTmfResource(trx, productModel, item.productId, {
          name: item.to.name,
          productOffering: { id: item.to.id, name: item.to.name, version: item.to.version },
          productCharacteristic: [...chosen, ...Object.entries(item.characteristics).map(([name, value]) => ({ name, value }))],
          productPrice: item.prices.map((price) => ({
            name: price.name,
            priceType: price.priceType,
            productOfferingPrice: { id: price.id, version: price.version },
            ...(price.amount ? { price: { taxRate: Number(price.taxRate), dutyFreeAmount: { unit: price.currency, value: Number(price.amount) } } } : {}),
          })),
          productOrderItem: withOrderItem(product, { orderItemId: item.itemId, productOrderId: orderId, orderItemAction: 'modify' }),
        }, clock.now());
      });
    },

    /** Compensation: the product gets back the offering, prices and characteristics it had. */
    async revertProductPlanChange(input: { orderId: string; productId: string; before: ChangeTarget['before'] }): Promise<void> {
      await knex.transaction(async (trx) => {
        const product = await findResource(trx, productModel.table, input.productId, { forUpdate: true });
        if (!product || !orderItemsOf(product).some((i) => i.productOrderId === input.orderId)) return;
        const offering = input.before.productOffering as { name?: string } | undefined;
        await patchTmfResource(trx, productModel, input.productId, {
          ...(offering?.name ? { name: offering.name } : {}),
          productOffering: input.before.productOffering,
          productPrice: input.before.productPrice,
          productCharacteristic: input.before.productCharacteristic,
          productOrderItem: orderItemsOf(product).filter((i) => i.productOrderId !== input.orderId),
        }, clock.now());
      });
    },

    /** TMF638 services and the TMF637 product terminated (pendingTerminate → terminated), with their dates. */
    async terminateOrderProduct(input: { orderId: string; itemId: string; productId: string; serviceIds: string[] }): Promise<void> {
      const now = clock.now();
      await knex.transaction(async (trx) => {
        for (const serviceId of input.serviceIds) {
          const service = await findResource(trx, serviceModel.table, serviceId, { forUpdate: true });
          if (service && service.state !== 'terminated') await patchTmfResource(trx, serviceModel, serviceId, { state: 'terminated', endDate: now.toISOString() }, now);
        }
        const product = await findResource(trx, productModel.table, input.productId, { forUpdate: true });
        if (!product || product.status === 'terminated') return;
        const productOrderItem = withOrderItem(product, { orderItemId: input.itemId, productOrderId: input.orderId, orderItemAction: 'delete' });
        if (product.status !== 'pendingTerminate') await patchTmfResource(trx, productModel, input.productId, { status: 'pendingTerminate', productOrderItem }, now);
        await patchTmfResource(trx, productModel, input.productId, { status: 'terminated', terminationDate: now.toISOString(), productOrderItem }, now);
      });
    },

    /** Housekeeping: numbers whose quarantine is over go back to the pool; returns how many. */
    async releaseAgedQuarantinedNumbers(): Promise<number> {
      return (await releaseAgedQuarantinedNumbers(knex, clock.now())).length;
    },

    /** The terminated services' number to quarantine, SIM card retired, FTTH port back to the pool. */
    async retireProductResources(input: { resources: ServiceResources[] }): Promise<RetiredResources> {
      const all: RetiredResources = { quarantined: [], retiredSims: [], freedPorts: [] };
      for (const r of input.resources) {
        const done = await retireServiceResources(knex, r, { now: clock.now(), publicUrl });
        all.quarantined.push(...done.quarantined);
        all.retiredSims.push(...done.retiredSims);
        all.freedPorts.push(...done.freedPorts);
      }
      return all;
    },
  };
}
