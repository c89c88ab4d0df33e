/**
 * Order activities: read and judge an order, create and complete its service orders, services and
 * products, mirror its state, and tell the customer. One side effect each; all idempotent.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { Knex } from 'knex';
import { billingAccountModel, customerModel, partyInteractionModel } from '../../db/crm-models';
import { countPostpaidMobileServices, findCancellationsOfOrder } from '../../db/orders';
import { cancelProductOrderModel, customerPartyRef, productModel, productOrderModel, serviceModel, serviceOrderModel } from '../../db/order-models';
import { FINAL_ORDER_STATES, type ProductOrderState } from '../../domain/ordering/states';
import { findCustomerRegistrationReservation } from '../../db/inventory';
import { findResource, type TmfDocument } from '../../db/tmf-resources';
import { createTmfResourceOnce, patchTmfResource } from '../../db/tmf-store';
import type { Clock } from '../../domain/clock';
import { uuidV5 } from '../../domain/uuid';
import { planOrder, type FulfilmentPlan } from '../../domain/ordering/plan';
import { DEFAULT_ORDER_POLICY, type OrderLine, type PaymentType } from '../../domain/ordering/types';
import { validateOrder } from '../../domain/ordering/validate';
import { CatalogReader } from '../catalog';
import type { NotificationEvent } from '../notifications/templates';
import type { TmfModel } from '../../db/tmf-store';
import type { SendNotificationInput, SendNotificationResult } from '../notifications';
import { contactOf } from '../crm/customer-contact';
import { loadOfferingViews } from './offering-view';
import { isChangeOrder, type ChangePlan } from '../../domain/ordering/change';
import { newProductDocument } from '../../domain/ordering/product-document';
import { prepareChangeOrder, type ChangeTarget } from './change-order';

export interface OrderFacts {
  orderId: string;
  customerId: string;
  billingAccountId: string;
  paymentType: PaymentType;
  currency: string;
  timeZone: string;
  itemNames: string[];
}

export type PreparedOrder =
  | { outcome: 'valid'; order: OrderFacts; plan: FulfilmentPlan }
  /** Items that modify or delete existing products: the change path (activities/ordering/change-order.ts). */
  | { outcome: 'change'; order: OrderFacts; change: ChangePlan; targets: ChangeTarget[] }
  | { outcome: 'invalid'; reasons: string[]; order?: Pick<OrderFacts, 'customerId'> };

export interface OrderInventoryIds {
  serviceOrderIds: string[];
  productIds: Record<string, string>;
  serviceIds: Record<string, string>;
}

export interface OrderResources {
  mobile: Record<string, { msisdn: string; iccid: string; imsi: string }>;
  ftth: Record<string, { accessNode: string; port: string }>;
}

/** Our namespace for the ids an order's records get (a fixed random UUID). */
const ORDER_NAMESPACE = '8d2c4b9e-1f3a-4e6d-b7c5-2a9f0e4d6c13';

/** A UUID fixed by a business key, so that a retried activity creates the same resource. */
export const stableUuid = (key: string): string => uuidV5(key, ORDER_NAMESPACE);

/** The one service order of a product order (its id is fixed by the order's). */
export const serviceOrderIdOf = (orderId: string) => stableUuid(`${orderId}:serviceOrder`);

type OrderItemDoc = {
  id: string;
  action?: string;
  productOffering?: { id?: string };
  product?: { id?: string; productCharacteristic?: Array<{ name: string; value: unknown }>; place?: Array<Record<string, unknown>> };
  billingAccount?: { id?: string };
};

/** Moves a resource forward along `path` from wherever it is now (a retry finds it further on). */
async function advance(db: Knex.Transaction, model: TmfModel, id: string, path: string[], patch: Record<string, unknown>, now: Date): Promise<void> {
  const current = await findResource(db, model.table, id, { forUpdate: true });
  if (!current) return;
  const field = model.stateField!;
  let at = path.indexOf(String(current[field]));
  if (at === path.length - 1) return;
  for (at++; at < path.length; at++) await patchTmfResource(db, model, id, { ...(at === path.length - 1 ? patch : {}), [field]: path[at] }, now);
}

/** Ends a resource the order made, if it is not final yet. */
async function endIfOpen(db: Knex.Transaction, model: TmfModel, id: string, to: string, finals: string[], now: Date): Promise<void> {
  const current = await findResource(db, model.table, id, { forUpdate: true });
  if (current && !finals.includes(String(current[model.stateField!]))) await patchTmfResource(db, model, id, { [model.stateField!]: to }, now);
}

const characteristicsOf = (product: { productCharacteristic?: Array<{ name: string; value: unknown }> } | undefined) =>
  Object.fromEntries((product?.productCharacteristic ?? []).map((c) => [c.name, String(c.value)]));

function placeOf(product: { place?: Array<Record<string, unknown>> } | undefined): OrderLine['place'] {
  const place = product?.place?.find((p) => p.role === 'installationAddress') ?? product?.place?.[0];
  if (!place) return undefined;
  const street = (place.street as string | undefined) ?? [place.streetName, place.streetNr].filter(Boolean).join(' ');
  return { street: street || undefined, city: place.city as string | undefined, postalCode: (place.postcode ?? place.postalCode) as string | undefined, country: place.country as string | undefined };
}

export function createOrderingActivities(deps: {
  knex: Knex;
  clock: Clock;
  publicUrl: string;
  sendNotification(input: SendNotificationInput): Promise<SendNotificationResult>;
  supervisorEmail: string;
}) {
  const { knex, clock, publicUrl } = deps;
  const reader = new CatalogReader(knex);
  const ctx = () => ({ now: clock.now(), publicUrl });

  async function loadOrder(orderId: string): Promise<TmfDocument> {
    const order = await findResource(knex, productOrderModel.table, orderId);
    if (!order) throw ApplicationFailure.nonRetryable(`product order ${orderId} does not exist`);
    return order;
  }

  const customerOf = (order: TmfDocument) => (order.relatedParty as Array<{ id: string; role?: string; '@referredType'?: string }>).find((p) => p.role?.toLowerCase() === 'customer' || p['@referredType'] === 'Customer')?.id;

  return {
    /** Reads the order, the catalog and the customer; validates; plans. No side effect. */
    async prepareOrderFulfilment(orderId: string): Promise<PreparedOrder> {
      const order = await loadOrder(orderId);
      const items = (order.productOrderItem as OrderItemDoc[] | undefined) ?? [];
      const lines: OrderLine[] = items.map((item) => ({
        itemId: String(item.id),
        action: String(item.action ?? 'add'),
        offeringId: String(item.productOffering?.id ?? ''),
        ...(item.product?.id ? { productId: String(item.product.id) } : {}),
        characteristics: characteristicsOf(item.product),
        place: placeOf(item.product),
      }));
      const customerId = customerOf(order);
      const accountId = (order.billingAccount as { id?: string } | undefined)?.id ?? items.find((i) => i.billingAccount?.id)?.billingAccount?.id;
      const customer = customerId ? await findResource(knex, customerModel.table, customerId) : undefined;
      const account = accountId ? await findResource(knex, billingAccountModel.table, accountId) : undefined;
      const structure = (account?.billStructure as { currency?: string; timeZone?: string; paymentType?: string } | undefined) ?? {};
      if (isChangeOrder(lines)) {
        const paymentType = structure.paymentType ?? (account?.accountType as string | undefined);
        const prepared = await prepareChangeOrder(knex, reader, {
          orderId,
          lines,
          ctx: {
            customer: customer && { id: String(customer.id), status: String(customer.status) },
            billingAccount: account && { id: String(account.id), state: String(account.state ?? ''), paymentType, currency: structure.currency, ownerCustomerId: billingAccountModel.ownerCustomerId?.(account) },
            postpaidMobileLines: 0,
          },
          account: paymentType === 'prepaid' || paymentType === 'postpaid' ? { paymentType, currency: structure.currency ?? 'EUR' } : undefined,
        });
        if (prepared.outcome === 'invalid') return { outcome: 'invalid', reasons: prepared.reasons, order: customerId ? { customerId } : undefined };
        return {
          outcome: 'change',
          order: { orderId, customerId: customerId!, billingAccountId: String(account!.id), paymentType: prepared.change.paymentType, currency: prepared.change.currency, timeZone: structure.timeZone ?? 'Europe/Madrid', itemNames: prepared.itemNames },
          change: prepared.change,
          targets: prepared.targets,
        };
      }
      const offerings = await loadOfferingViews(reader, lines.map((l) => l.offeringId).filter(Boolean));
      const reservation = customerId ? await findCustomerRegistrationReservation(knex, customerId) : undefined;
      const reasons = validateOrder(
        lines,
        offerings,
        {
          customer: customer && { id: String(customer.id), status: String(customer.status) },
          billingAccount: account && {
            id: String(account.id),
            state: String(account.state ?? ''),
            paymentType: structure.paymentType ?? (account.accountType as string | undefined),
            currency: structure.currency,
            ownerCustomerId: billingAccountModel.ownerCustomerId?.(account),
          },
          postpaidMobileLines: customerId ? await countPostpaidMobileServices(knex, customerId, serviceOrderIdOf(orderId)) : 0,
          reservedMsisdn: reservation?.msisdn,
        },
        DEFAULT_ORDER_POLICY,
      );
      if (reasons.length) return { outcome: 'invalid', reasons, order: customerId ? { customerId } : undefined };
      const paymentType = (structure.paymentType ?? account!.accountType) as PaymentType;
      const currency = structure.currency ?? 'EUR';
      const plan = planOrder(lines, offerings, { paymentType, currency }, { hasReservedMsisdn: !!reservation, policy: DEFAULT_ORDER_POLICY });
      return {
        outcome: 'valid',
        order: {
          orderId,
          customerId: customerId!,
          billingAccountId: String(account!.id),
          paymentType,
          currency,
          timeZone: structure.timeZone ?? 'Europe/Madrid',
          itemNames: lines.map((l) => offerings.get(l.offeringId)!.name),
        },
        plan,
      };
    },

    /**
     * Mirrors the workflow's state onto the TMF622 order (which publishes the state change event).
     * While a cancellation is assessed or under way the cancellation owns the state: only a final
     * state is written then, and `cancelled` also closes the cancellation requests.
     */
    async recordOrderState(orderId: string, state: string, reasons: string[]): Promise<void> {
      await knex.transaction(async (trx) => {
        const order = await findResource(trx, productOrderModel.table, orderId, { forUpdate: true });
        if (!order || order.state === state) return;
        const cancelling = order.state === 'assessingCancellation' || order.state === 'pendingCancellation';
        if (cancelling && !FINAL_ORDER_STATES.includes(state as ProductOrderState)) return;
        if (state === 'cancelled' && order.state !== 'pendingCancellation') {
          if (order.state !== 'assessingCancellation') await patchTmfResource(trx, productOrderModel, orderId, { state: 'assessingCancellation' }, clock.now());
          await patchTmfResource(trx, productOrderModel, orderId, { state: 'pendingCancellation' }, clock.now());
        }
        if (state === 'cancelled') {
          for (const request of await findCancellationsOfOrder(trx, orderId)) {
            if (request.state === 'acknowledged' || request.state === 'inProgress') {
              await patchTmfResource(trx, cancelProductOrderModel, String(request.id), { state: 'done', effectiveCancellationDate: clock.now().toISOString() }, clock.now());
            }
          }
        }
        const now = clock.now().toISOString();
        const patch: Record<string, unknown> = { state };
        if (['completed', 'failed', 'rejected', 'cancelled', 'partial'].includes(state)) patch.completionDate = now;
        if (reasons.length) {
          const notes = (order.note as unknown[] | undefined) ?? [];
          patch.note = [...notes, { id: String(notes.length + 1), author: 'order fulfilment', date: now, text: `${state}: ${reasons.join('; ')}` }];
        }
        await patchTmfResource(trx, productOrderModel, orderId, patch, clock.now());
      });
    },

    /**
     * The workflow's answer to a cancelProductOrder: accepted → the order is pendingCancellation and
     * the request inProgress (done once the order is cancelled); refused → the request ends in
     * terminatedWithError and the order returns to the state the workflow has it in.
     */
    async resolveOrderCancellation(input: { orderId: string; cancellationId: string; accepted: boolean; reason?: string; orderState: string }): Promise<void> {
      const now = clock.now();
      await knex.transaction(async (trx) => {
        const request = await findResource(trx, cancelProductOrderModel.table, input.cancellationId, { forUpdate: true });
        const order = await findResource(trx, productOrderModel.table, input.orderId, { forUpdate: true });
        if (!request || !order || request.state === 'done' || request.state === 'terminatedWithError') return;
        if (input.accepted) {
          if (order.state !== 'assessingCancellation') await patchTmfResource(trx, productOrderModel, input.orderId, { state: 'assessingCancellation' }, now);
          await patchTmfResource(trx, productOrderModel, input.orderId, { state: 'pendingCancellation' }, now);
          if (request.state === 'acknowledged') await patchTmfResource(trx, cancelProductOrderModel, input.cancellationId, { state: 'inProgress' }, now);
          return;
        }
        await patchTmfResource(trx, cancelProductOrderModel, input.cancellationId, { state: 'terminatedWithError' }, now);
        // CancelProductOrder has no place for the reason: the order's notes keep it.
        const notes = (order.note as unknown[] | undefined) ?? [];
        const note = { id: String(notes.length + 1), author: 'order fulfilment', date: now.toISOString(), text: `cancellation ${input.cancellationId} refused: ${input.reason ?? 'refused'}` };
        const back = order.state === 'assessingCancellation' && input.orderState !== 'assessingCancellation' ? { state: input.orderState } : {};
        if (!FINAL_ORDER_STATES.includes(order.state as ProductOrderState)) await patchTmfResource(trx, productOrderModel, input.orderId, { ...back, note: [...notes, note] }, now);
      });
    },

    /** Service orders, services and products of the plan, created once (ids fixed by the order and key). */
    async createOrderInventory(orderId: string, plan: FulfilmentPlan): Promise<OrderInventoryIds> {
      const order = await loadOrder(orderId);
      const customerId = customerOf(order)!;
      const party = [customerPartyRef(customerId)];
      const serviceOrderId = serviceOrderIdOf(orderId);
      const ids: OrderInventoryIds = { serviceOrderIds: [serviceOrderId], productIds: {}, serviceIds: {} };
      await knex.transaction(async (trx) => {
        for (const s of plan.services) ids.serviceIds[s.key] = stableUuid(`${orderId}:service:${s.key}`);
        for (const p of plan.products) ids.productIds[p.key] = stableUuid(`${orderId}:product:${p.key}`);
        await createTmfResourceOnce(trx, serviceOrderModel, serviceOrderId, {
          externalId: orderId,
          description: `Services of product order ${orderId}`,
          relatedParty: party,
          externalReference: [{ name: orderId, externalReferenceType: 'ProductOrder' }],
          serviceOrderItem: plan.services.map((s, i) => ({
            id: String(i + 1),
            action: 'add',
            service: { id: ids.serviceIds[s.key], '@referredType': 'Service', serviceType: s.kind },
          })),
        }, ctx());
        for (const [i, s] of plan.services.entries()) {
          const characteristics = { ...s.characteristics, ...(s.kind === 'mobile' ? { paymentType: plan.paymentType } : {}) };
          await createTmfResourceOnce(trx, serviceModel, ids.serviceIds[s.key], {
            name: `${s.kind} service`,
            serviceType: s.kind,
            state: 'designed',
            ...(s.specificationId ? { serviceSpecification: { id: s.specificationId, name: s.specificationCode } } : {}),
            serviceCharacteristic: Object.entries(characteristics).map(([name, value]) => ({ name, value })),
            serviceOrderItem: [{ serviceOrderId, itemId: String(i + 1), role: 'realizes' }],
            relatedParty: party,
          }, ctx());
        }
        for (const p of plan.products) {
          await createTmfResourceOnce(trx, productModel, ids.productIds[p.key], {
            ...newProductDocument(plan, p, orderId),
            realizingService: p.services.map((k) => ({ id: ids.serviceIds[k], '@referredType': 'Service' })),
            relatedParty: party,
          }, ctx());
        }
      });
      return ids;
    },

    /** Resources in use, services and products active at the version and price they were sold at. */
    async completeOrderInventory(orderId: string, input: { ids: OrderInventoryIds; resources: OrderResources }): Promise<void> {
      const { ids, resources } = input;
      const now = clock.now();
      await knex.transaction(async (trx) => {
        for (const [key, serviceId] of Object.entries(ids.serviceIds)) {
          const mobile = resources.mobile[key];
          const ftth = resources.ftth[key];
          const supportingResource = [
            ...(mobile
              ? [
                  { id: mobile.msisdn, name: mobile.msisdn, '@referredType': 'MSISDN' },
                  { id: mobile.iccid, name: `SIM ${mobile.iccid}`, '@referredType': 'SimCard' },
                ]
              : []),
            ...(ftth ? [{ id: `${ftth.accessNode}/${ftth.port}`, name: `${ftth.accessNode} port ${ftth.port}`, '@referredType': 'AccessPort' }] : []),
          ];
          await advance(trx, serviceModel, serviceId, ['designed', 'reserved', 'inactive', 'active'], { supportingResource, startDate: now.toISOString() }, now);
        }
        for (const productId of Object.values(ids.productIds)) {
          await advance(trx, productModel, productId, ['created', 'pendingActive', 'active'], { startDate: now.toISOString() }, now);
        }
        for (const serviceOrderId of ids.serviceOrderIds) {
          await advance(trx, serviceOrderModel, serviceOrderId, ['acknowledged', 'inProgress', 'completed'], { completionDate: now.toISOString() }, now);
        }
      });
    },

    /** Compensation: the order's products are cancelled, its services terminated, its service order failed. */
    async cancelOrderInventory(orderId: string): Promise<void> {
      const now = clock.now();
      const serviceOrderId = serviceOrderIdOf(orderId);
      await knex.transaction(async (trx) => {
        const serviceOrder = await findResource(trx, serviceOrderModel.table, serviceOrderId);
        if (!serviceOrder) return;
        for (const item of (serviceOrder.serviceOrderItem as Array<{ service: { id: string } }> | undefined) ?? []) {
          await endIfOpen(trx, serviceModel, item.service.id, 'terminated', ['terminated'], now);
        }
        const products = await trx(productModel.table).select('id').where({ product_order_id: orderId });
        for (const { id } of products as Array<{ id: string }>) {
          await endIfOpen(trx, productModel, id, 'cancelled', ['cancelled', 'aborted', 'terminated'], now);
        }
        // TMF641: a service order fails from inProgress.
        await advance(trx, serviceOrderModel, serviceOrderId, ['acknowledged', 'inProgress'], {}, now);
        await endIfOpen(trx, serviceOrderModel, serviceOrderId, 'failed', ['completed', 'failed', 'cancelled', 'rejected', 'partial'], now);
      });
    },

    /** Tells the customer, in their language, on every contact they have, and records the contact. Never fails the workflow. */
    async notifyOrderCustomer(orderId: string, event: NotificationEvent, params: Record<string, unknown>, occurrence = ''): Promise<void> {
      const order = await loadOrder(orderId);
      const customerId = customerOf(order);
      const customer = customerId ? await findResource(knex, customerModel.table, customerId) : undefined;
      if (!customer) return;
      const contact = contactOf(customer);
      const key = `order-${orderId}:${event}${occurrence ? `:${occurrence}` : ''}`;
      await deps.sendNotification({
        event,
        language: contact.language,
        params: { orderId, ...params },
        to: { email: contact.email, msisdn: contact.msisdn, name: contact.name },
        customerId: String(customer.id),
        relatedEntity: { id: orderId, '@referredType': 'ProductOrder' },
        idempotencyKey: key,
      });
      await knex.transaction((trx) => createTmfResourceOnce(trx, partyInteractionModel(clock), stableUuid(key), {
        description: `Order ${orderId}: ${event}`,
        reason: 'order',
        direction: 'outbound',
        channel: [{ id: contact.email ? 'email' : 'sms', role: 'interaction channel' }],
        status: 'completed',
        relatedParty: [customerPartyRef(String(customer.id))],
        relatedEntity: [{ id: orderId, role: 'productOrder', '@referredType': 'ProductOrder' }],
      }, ctx()));
    },

    /** Tells the supervisor that an installation visit failed again. */
    async escalateInstallation(input: { orderId: string; workOrderId: string; misses: number }): Promise<void> {
      await deps.sendNotification({
        event: 'installationEscalation',
        language: 'en',
        params: input,
        to: { email: deps.supervisorEmail, name: 'Field service supervisor' },
        relatedEntity: { id: input.orderId, '@referredType': 'ProductOrder' },
        idempotencyKey: `order-${input.orderId}:installationEscalation:${input.misses}`,
      });
    },
  };
}
