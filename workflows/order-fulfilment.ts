/**
 * Order fulfilment (`order-<id>`): validate, decompose into service orders, reserve resources,
 * collect what is due up front, install where needed, provision the network, activate inventory,
 * start charging or billing, and tell the customer at each step. Every wait has an SLA; a
 * failure after side effects runs the compensations last-in-first-out and ends in `failed`.
 * Until activation starts (the point of no return) the order can be cancelled.
 */
import {
  ApplicationFailure,
  CancellationScope,
  condition,
  defineQuery,
  defineSignal,
  defineUpdate,
  log,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import { act, network, notify } from './order-activities';
import { failureReason, runCompensations, toMs } from './common';
import { fulfilChangeOrder } from './order-change';
import type { FulfilmentPlan, PlannedService } from '../domain/ordering/plan';
import type { ServiceToProvision } from '../domain/provisioning/commands';

export type OrderState = 'acknowledged' | 'inProgress' | 'pending' | 'held' | 'completed' | 'failed' | 'rejected' | 'cancelled';

export interface Appointment {
  appointmentId: string;
  workOrderId: string;
  start: string;
  end: string;
}

export interface OrderStatus {
  state: OrderState;
  reasons: string[];
  appointment?: Appointment;
  msisdns: string[];
  /** True once activation has started: the order can no longer be cancelled. */
  pointOfNoReturn: boolean;
}

export interface OrderTimeouts {
  /** Waiting for network capacity in the area before the order is rejected. */
  capacityWait: string;
  /** Waiting for a new payment method after a decline before the order is cancelled. */
  paymentDeadline: string;
  /** After an appointment's end, how long before it counts as missed. */
  installationGrace: string;
}

export const DEFAULT_ORDER_TIMEOUTS: OrderTimeouts = { capacityWait: '14 days', paymentDeadline: '3 days', installationGrace: '4 hours' };

const FINAL_STATES: OrderState[] = ['completed', 'failed', 'rejected', 'cancelled'];

/** Missed visits: the first is rebooked, the second also escalates to a supervisor, the third fails the order. */
const MAX_MISSED_VISITS = 3;

export const orderStatusQuery = defineQuery<OrderStatus>('orderStatus');
export const capacityAddedSignal = defineSignal('capacityAdded');
export const workOrderCompletedSignal = defineSignal<[{ workOrderId: string }]>('workOrderCompleted');
/** A cancelProductOrder request: accepted until activation starts, refused after. */
export const cancelOrderSignal = defineSignal<[{ cancellationId: string; reason?: string }]>('cancelOrder');
export const payWithUpdate = defineUpdate<OrderStatus, [{ paymentMethodId: string }]>('payWith');
export const moveAppointmentUpdate = defineUpdate<Appointment, [{ start: string }]>('moveAppointment');

/** Ends the workflow with a business outcome (not a failure). */
class OrderEnded extends Error {
  constructor(readonly state: 'rejected' | 'cancelled', readonly reasons: string[]) {
    super(reasons.join('; '));
  }
}

/** Resource owner of one service: several lines of one order each get their own number and SIM. */
const ownerOf = (orderId: string, service: PlannedService) => `${orderId}/${service.key}`;

export async function orderFulfilment(input: { orderId: string; timeouts?: Partial<OrderTimeouts> }): Promise<OrderStatus> {
  const { orderId } = input;
  const timeouts = { ...DEFAULT_ORDER_TIMEOUTS, ...input.timeouts };
  const status: OrderStatus = { state: 'acknowledged', reasons: [], msisdns: [], pointOfNoReturn: false };
  let cancelRequest: { cancellationId: string; reason?: string } | undefined;
  const cancellationQueue: Array<{ cancellationId: string; reason?: string }> = [];
  let finished = false;
  let capacityAdded = false;
  let newPaymentMethod: string | undefined;
  const completedWorkOrders = new Set<string>();

  setHandler(orderStatusQuery, () => status);
  setHandler(capacityAddedSignal, () => {
    capacityAdded = true;
  });
  setHandler(workOrderCompletedSignal, ({ workOrderId }) => {
    completedWorkOrders.add(workOrderId);
  });
  setHandler(cancelOrderSignal, (request) => {
    cancellationQueue.push(request);
  });
  // Cancellation requests are judged as they come, even while the order waits on an activity.
  const cancellations = (async () => {
    for (;;) {
      await condition(() => cancellationQueue.length > 0 || finished);
      const request = cancellationQueue.shift();
      if (!request) return;
      const refusal = status.pointOfNoReturn
        ? 'activation has started: the order can no longer be cancelled'
        : cancelRequest
          ? 'a cancellation is already under way'
          : FINAL_STATES.includes(status.state)
            ? `the order is already ${status.state}`
            : undefined;
      if (!refusal) cancelRequest = request;
      await act.resolveOrderCancellation({ orderId, cancellationId: request.cancellationId, accepted: !refusal, reason: refusal, orderState: status.state });
    }
  })();
  setHandler(
    payWithUpdate,
    ({ paymentMethodId }) => {
      newPaymentMethod = paymentMethodId;
      return { ...status };
    },
    {
      validator: (_request) => {
        if (status.state !== 'held') throw new Error(`the order is ${status.state}, not held for payment`);
      },
    },
  );

  const finish = async () => {
    finished = true;
    await cancellations;
    return status;
  };
  const moveTo = async (state: OrderState, reasons: string[] = []) => {
    status.state = state;
    status.reasons = reasons;
    await act.recordOrderState(orderId, state, reasons);
    await upsertSearchAttributes({ OrderState: [state] });
  };
  const throwIfCancelled = () => {
    if (cancelRequest) throw new OrderEnded('cancelled', [cancelRequest.reason ?? 'cancelled at the customer’s request']);
  };
  const owners = (plan: FulfilmentPlan) => plan.services.filter((s) => s.kind !== 'content').map((s) => ownerOf(orderId, s));

  // 1–2. Receive and validate (no side effects yet).
  await upsertSearchAttributes({ OrderId: [orderId], OrderState: ['acknowledged'] });
  const prepared = await act.prepareOrderFulfilment(orderId);
  if (prepared.order) await upsertSearchAttributes({ CustomerId: [prepared.order.customerId] });
  if (prepared.outcome === 'invalid') {
    await moveTo('rejected', prepared.reasons);
    await notify.notifyOrderCustomer(orderId, 'orderRejected', { reasons: prepared.reasons });
    return finish();
  }
  if (prepared.outcome === 'change') {
    // Items that modify or delete existing products: their own path (workflows/order-change.ts).
    try {
      await fulfilChangeOrder({
        orderId,
        order: prepared.order,
        change: prepared.change,
        targets: prepared.targets,
        moveTo,
        cancelRequested: () => cancelRequest && (cancelRequest.reason ?? 'cancelled at the customer’s request'),
        passPointOfNoReturn: () => {
          status.pointOfNoReturn = true;
        },
      });
    } catch (err) {
      finished = true;
      await cancellations;
      throw err;
    }
    return finish();
  }
  const { order, plan } = prepared;
  await notify.notifyOrderCustomer(orderId, 'orderAcknowledged', { items: order.itemNames });
  await moveTo('inProgress');

  const compensations: Array<() => Promise<unknown>> = [];
  let refundedOnFailure: string | undefined;
  try {
    // 3. Decompose into service orders, services and products.
    compensations.push(() => act.cancelOrderInventory(orderId));
    const ids = await act.createOrderInventory(orderId, plan);
    throwIfCancelled();

    // 4. Resources: a number and a SIM per mobile line, a port per FTTH access.
    compensations.push(async () => {
      for (const owner of owners(plan)) await act.releaseOrderResources({ orderId: owner });
    });
    const resources = await reserveResources(orderId, plan, order.customerId);
    status.msisdns = Object.values(resources.mobile).map((m) => m.msisdn);
    if (status.msisdns.length) await upsertSearchAttributes({ Msisdn: status.msisdns });

    // 5. What is due up front.
    if (plan.upFrontTotal !== '0.00') {
      compensations.push(async () => {
        const { refunded } = await act.refundOrderPayments({ orderId });
        if (refunded.length) refundedOnFailure = plan.upFrontTotal;
      });
      await collectUpFront(order.customerId, plan);
    }

    // 6. Installation visits.
    const installs = plan.services.filter((s) => s.requiresInstallation);
    if (installs.length) {
      compensations.push(() => act.cancelInstallation({ orderId }));
      await installService(order.customerId, installs[0]);
    } else {
      await notify.notifyOrderCustomer(orderId, 'orderInProgress', {});
    }
    throwIfCancelled();

    // 7. Provision and activate: from here on there is no cancelling.
    throwIfCancelled();
    status.pointOfNoReturn = true;
    const provisioned: ServiceToProvision[] = plan.services.map((s) => toProvision(order.customerId, s, ids.serviceIds[s.key], resources, plan.paymentType));
    for (const service of provisioned) {
      // Registered before the call: a half-applied activation is undone too (deactivation is idempotent).
      compensations.push(() => network.deactivateService({ orderId, service }));
      await network.activateService({ orderId, service });
    }

    // 8. Inventory in use; services and products active at the version and price sold.
    for (const owner of owners(plan)) await act.confirmOrderResources({ orderId: owner });
    await act.completeOrderInventory(orderId, { ids, resources });

    // 9. Charging (prepaid) or billing (postpaid).
    if (plan.paymentType === 'prepaid') {
      const lines = plan.services
        .filter((s) => s.kind === 'mobile')
        .map((s) => ({
          serviceKey: s.key,
          msisdn: resources.mobile[s.key].msisdn,
          imsi: resources.mobile[s.key].imsi,
          productId: ids.productIds[s.key],
          credit: plan.prepaidCredit[s.key],
          allowances: plan.prepaidAllowances[s.key] ?? {},
        }));
      if (lines.length) {
        compensations.push(() => act.closeOrderCharging({ orderId, msisdns: lines.map((l) => l.msisdn) }));
        await act.openPrepaidCharging({ orderId, customerId: order.customerId, billingAccountId: order.billingAccountId, currency: order.currency, lines });
      }
    } else {
      compensations.push(() => act.voidOrderBilling({ orderId }));
      await act.startBillingSubscriptions({
        orderId,
        customerId: order.customerId,
        billingAccountId: order.billingAccountId,
        timeZone: order.timeZone,
        products: plan.products.map((p) => ({ productKey: p.key, productId: ids.productIds[p.key], offeringId: p.offering.id, offeringVersion: p.offering.version, prices: p.prices, msisdn: resources.mobile[p.key]?.msisdn, allowances: p.allowances })),
        oneTimeCharges: plan.nextBill,
      });
    }
  } catch (err) {
    const ended = err instanceof OrderEnded ? err : undefined;
    await CancellationScope.nonCancellable(async () => {
      await runCompensations(compensations, { orderId });
      const refunded = refundedOnFailure ? { refunded: refundedOnFailure, currency: order.currency } : {};
      if (ended) {
        await moveTo(ended.state, ended.reasons);
        if (ended.state === 'cancelled') await notify.notifyOrderCustomer(orderId, 'orderCancelled', { reason: ended.reasons[0], ...refunded });
        else await notify.notifyOrderCustomer(orderId, 'orderRejected', { reasons: ended.reasons });
      } else {
        await moveTo('failed', [failureReason(err, 'the order could not be fulfilled')]);
        await notify.notifyOrderCustomer(orderId, 'orderFailed', refunded);
      }
    });
    if (ended) return finish();
    finished = true;
    await cancellations;
    throw err;
  }

  // 10. Done: irreversible and last.
  await moveTo('completed');
  await notify.notifyOrderCustomer(orderId, 'orderCompleted', { msisdn: status.msisdns[0], items: order.itemNames });
  return finish();

  // ---- steps ----

  async function reserveResources(orderId: string, plan: FulfilmentPlan, customerId: string) {
    const mobile: Record<string, { msisdn: string; iccid: string; imsi: string }> = {};
    const ftth: Record<string, { accessNode: string; port: string }> = {};
    for (const service of plan.services) {
      const owner = ownerOf(orderId, service);
      if (service.kind === 'mobile') {
        const msisdn = service.msisdn === 'reserved' || service.msisdn === 'any' ? undefined : service.msisdn;
        mobile[service.key] = await act.reserveMobileResources({ orderId: owner, customerId, msisdn });
      }
      if (service.kind === 'ftth') {
        const postalCode = service.place?.postalCode ?? '';
        // The flag is cleared before each attempt, so capacity added during or after a failed
        // attempt (even while the customer is being told) wakes the wait below.
        capacityAdded = false;
        let port = await act.reserveFtthPort({ orderId: owner, customerId, postalCode });
        const waitUntil = Date.now() + toMs(timeouts.capacityWait);
        while (port.status === 'noCapacity') {
          await moveTo('pending', [`no free port on the access network of area ${port.areaId} yet`]);
          await notify.notifyOrderCustomer(orderId, 'orderPending', { reason: 'there is no free capacity on the fibre network in your area yet' });
          const remaining = waitUntil - Date.now();
          const woken = remaining > 0 && (await condition(() => capacityAdded || cancelRequest !== undefined, remaining));
          throwIfCancelled();
          if (!woken) throw new OrderEnded('rejected', [`no fibre capacity in area ${port.areaId} within ${timeouts.capacityWait}`]);
          capacityAdded = false;
          port = await act.reserveFtthPort({ orderId: owner, customerId, postalCode });
        }
        if (port.status === 'unknownArea') throw new OrderEnded('rejected', [`postal code ${postalCode} is outside the fibre service areas`]);
        ftth[service.key] = { accessNode: port.accessNode, port: port.port };
        if (status.state === 'pending') await moveTo('inProgress');
      }
    }
    return { mobile, ftth };
  }

  async function collectUpFront(customerId: string, plan: FulfilmentPlan): Promise<void> {
    let attempt = 1;
    let paymentMethodId: string | undefined;
    for (;;) {
      const outcome = await act.collectOrderPayment({ orderId, customerId, amount: plan.upFrontTotal, currency: plan.currency, attempt, paymentMethodId });
      if (outcome.status === 'captured') break;
      const payBefore = new Date(Date.now() + toMs(timeouts.paymentDeadline)).toISOString();
      // Forgotten before the order is held (payWith is accepted from then on), not after: a payment
      // made as soon as the customer reads the notice may come while the notice is still being sent.
      newPaymentMethod = undefined;
      await moveTo('held', [`payment declined: ${outcome.reason}`]);
      await notify.notifyOrderCustomer(orderId, 'orderPaymentDeclined', { amount: plan.upFrontTotal, currency: plan.currency, reason: outcome.reason, payBefore }, `${attempt}`);
      const paid = await condition(() => newPaymentMethod !== undefined || cancelRequest !== undefined, timeouts.paymentDeadline);
      throwIfCancelled();
      if (!paid) throw new OrderEnded('cancelled', [`no payment by ${payBefore}`]);
      paymentMethodId = newPaymentMethod;
      attempt++;
      await moveTo('inProgress');
    }
  }

  async function installService(customerId: string, service: PlannedService): Promise<void> {
    // From the next day on; a standard fibre installation takes three hours.
    let booking = await act.bookInstallation({
      orderId,
      customerId,
      postalCode: service.place?.postalCode ?? '',
      address: [service.place?.street, service.place?.city].filter(Boolean).join(', '),
      earliest: new Date(Date.now() + 86_400_000).toISOString(),
      durationMinutes: 180,
    });
    if (booking.status !== 'booked') throw ApplicationFailure.nonRetryable('no technician slot is available for the installation');
    const setAppointment = (b: { appointmentId: string; workOrderId: string; start: string; end: string }) => {
      status.appointment = { appointmentId: b.appointmentId, workOrderId: b.workOrderId, start: b.start, end: b.end };
    };
    setAppointment(booking);
    setHandler(
      moveAppointmentUpdate,
      async ({ start }) => {
        const moved = await act.moveInstallation({ orderId, start });
        if (moved.status !== 'booked') throw ApplicationFailure.nonRetryable(`the appointment cannot move: ${moved.message}`);
        setAppointment(moved);
        await notify.notifyOrderCustomer(orderId, 'appointmentRescheduled', { start: moved.start, end: moved.end, reason: 'moved' }, `moved-${moved.start}`);
        return status.appointment!;
      },
      {
        validator: (_request) => {
          if (status.pointOfNoReturn || completedWorkOrders.size > 0) throw new Error('the installation is done');
        },
      },
    );
    await notify.notifyOrderCustomer(orderId, 'orderInProgress', { appointment: { start: booking.start, end: booking.end, address: service.place?.street } });

    let misses = 0;
    for (;;) {
      const visit = status.appointment!;
      const moved = () => status.appointment!.start !== visit.start || status.appointment!.workOrderId !== visit.workOrderId;
      const done = () => completedWorkOrders.has(status.appointment!.workOrderId);
      const remaining = new Date(visit.end).getTime() + toMs(timeouts.installationGrace) - Date.now();
      await condition(() => done() || moved() || cancelRequest !== undefined, Math.max(remaining, 1));
      throwIfCancelled();
      if (done()) return;
      if (moved()) continue; // the customer moved it: wait for the new time
      // The visit's time is over. The technician's completion may have been saved without its signal reaching us.
      const installation = await act.getInstallation({ orderId });
      if (installation.status === 'completed' || (installation.status !== 'none' && installation.workOrderState === 'completed')) return;
      misses++;
      log.warn('installation visit missed', { orderId, workOrderId: visit.workOrderId, misses });
      if (misses >= MAX_MISSED_VISITS) throw ApplicationFailure.nonRetryable(`the installation visit was missed ${misses} times`);
      if (misses === 2) await notify.escalateInstallation({ orderId, workOrderId: visit.workOrderId, misses });
      booking = await act.rebookInstallation({ orderId, earliest: new Date(Date.now() + 86_400_000).toISOString(), missedAppointmentId: visit.appointmentId });
      if (booking.status !== 'booked') throw ApplicationFailure.nonRetryable('no technician slot is available to rebook the installation');
      setAppointment(booking);
      await notify.notifyOrderCustomer(orderId, 'appointmentRescheduled', { start: booking.start, end: booking.end, reason: 'missed' }, `missed-${misses}`);
    }
  }
}

/** The network's view of a service, from the plan and the resources it was given. */
function toProvision(
  customerId: string,
  service: PlannedService,
  serviceId: string,
  resources: { mobile: Record<string, { msisdn: string; iccid: string; imsi: string }>; ftth: Record<string, { accessNode: string; port: string }> },
  paymentType: 'prepaid' | 'postpaid',
): ServiceToProvision {
  const c = service.characteristics;
  if (service.kind === 'mobile') {
    const r = resources.mobile[service.key];
    return { kind: 'mobile', serviceId, msisdn: r.msisdn, imsi: r.imsi, iccid: r.iccid, paymentType, voice: true, sms: true, data: true };
  }
  if (service.kind === 'ftth') {
    const r = resources.ftth[service.key];
    return { kind: 'ftth', serviceId, accessNode: r.accessNode, port: r.port, downlinkMbps: Number(c.downloadSpeed ?? 0), uplinkMbps: Number(c.uploadSpeed ?? 0) };
  }
  return { kind: 'content', serviceId, subscriberId: customerId, entitlement: service.specificationCode ?? service.specificationId ?? 'CONTENT' };
}
