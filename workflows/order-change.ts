/**
 * The change path of order fulfilment: an order whose items modify (plan change) or delete
 * (terminate) existing products. orderFulfilment branches here once preparation says
 * `change`, so the add path's commands, and the histories recorded of it, are untouched.
 *
 * Steps, as for a new product: acknowledged → inProgress (customer told), what is due up front
 * (prepaid plan change: the new plan's first period), then past the point of no return the
 * network (plan change: the new profile where it differs; termination: the services removed),
 * the inventory (product on the new offering; or services and product terminated, number to
 * quarantine, SIM retired, port freed), then charging (prepaid) or billing (postpaid), and
 * completed. A failure runs the compensations last-in-first-out and ends in `failed`.
 */
import { ApplicationFailure, CancellationScope } from '@temporalio/workflow';
import { act, network, notify } from './order-activities';
import type { OrderFacts } from '../activities/ordering';
import type { ChangeTarget } from '../activities/ordering/change-order';
import type { ChangePlan, DeleteItem, ModifyItem } from '../domain/ordering/change';
import { failureReason, runCompensations } from './common';

/** What the change path needs of the order workflow it runs in. */
export interface ChangeOrderRun {
  orderId: string;
  order: OrderFacts;
  change: ChangePlan;
  targets: ChangeTarget[];
  /** Moves the order (workflow status, TMF622 order, search attribute). */
  moveTo(state: 'inProgress' | 'completed' | 'failed' | 'cancelled', reasons?: string[]): Promise<void>;
  /** The reason of an accepted cancellation request, if there is one. */
  cancelRequested(): string | undefined;
  /** From here on the order can no longer be cancelled. */
  passPointOfNoReturn(): void;
}

/** A cancellation accepted before the point of no return. */
class ChangeCancelled extends Error {}

/** Fulfils a change order; throws (after compensating and moving to `failed`) when it fails. */
export async function fulfilChangeOrder(run: ChangeOrderRun): Promise<void> {
  const { orderId, order, change, targets } = run;
  const targetOf = (productId: string) => targets.find((t) => t.productId === productId)!;
  const throwIfCancelled = () => {
    const reason = run.cancelRequested();
    if (reason) throw new ChangeCancelled(reason);
  };

  await notify.notifyOrderCustomer(orderId, 'orderAcknowledged', { items: order.itemNames });
  await run.moveTo('inProgress');

  const compensations: Array<() => Promise<unknown>> = [];
  let refunded = false;
  try {
    // 1. What is due up front: a prepaid plan change pays the new plan's first period.
    if (change.upFrontTotal !== '0.00') {
      compensations.push(async () => {
        refunded = (await act.refundOrderPayments({ orderId })).refunded.length > 0;
      });
      const outcome = await act.collectOrderPayment({ orderId, customerId: order.customerId, amount: change.upFrontTotal, currency: change.currency, attempt: 1 });
      if (outcome.status !== 'captured') throw ApplicationFailure.nonRetryable(`payment declined: ${outcome.reason}`, 'PaymentDeclined');
    }
    await notify.notifyOrderCustomer(orderId, 'orderInProgress', {});
    throwIfCancelled();
    run.passPointOfNoReturn();

    const modifies = change.items.filter((i): i is ModifyItem => i.action === 'modify');
    const deletes = change.items.filter((i): i is DeleteItem => i.action === 'delete');

    // 2. Network: the new profile of each changed service; every service of an ended product removed.
    for (const item of modifies) {
      const target = targetOf(item.productId);
      for (const [i, service] of target.services.entries()) {
        const changed = target.changedServices![i];
        compensations.push(() => network.modifyService({ orderId, service, previous: changed }));
        await network.modifyService({ orderId, service: changed, previous: service });
      }
    }
    for (const item of deletes) {
      for (const service of targetOf(item.productId).services) {
        // Registered before the call: a half-removed service is brought back too (activation is idempotent).
        compensations.push(() => network.activateService({ orderId, service }));
        await network.deactivateService({ orderId, service });
      }
    }

    // 3. Inventory: products on their new offering; ended products and services terminated, resources retired.
    for (const item of modifies) {
      const { before } = targetOf(item.productId);
      compensations.push(() => act.revertProductPlanChange({ orderId, productId: item.productId, before }));
      await act.applyProductPlanChange({ orderId, item });
    }
    for (const item of deletes) {
      const target = targetOf(item.productId);
      await act.terminateOrderProduct({ orderId, itemId: item.itemId, productId: item.productId, serviceIds: target.services.map((s) => s.serviceId) });
      await act.retireProductResources({ resources: target.resources });
    }

    // 4. Charging (prepaid) or billing (postpaid): last, as the bill or the balance shows it.
    for (const item of modifies) {
      const target = targetOf(item.productId);
      if (change.paymentType === 'prepaid') {
        if (!target.msisdn) continue;
        const { ended } = await act.changePrepaidPlan({ orderId, itemId: item.itemId, msisdn: target.msisdn, originPrefixes: target.originPrefixes, allowances: item.allowances });
        compensations.push(() => act.revertPrepaidPlanChange({ orderId, ended }));
      } else {
        await act.changeBillingPlan({
          orderId,
          billingAccountId: order.billingAccountId,
          productId: item.productId,
          timeZone: order.timeZone,
          offeringId: item.to.id,
          offeringVersion: item.to.version,
          prices: item.prices,
          allowances: item.allowances,
        });
      }
    }
    for (const item of deletes) {
      const target = targetOf(item.productId);
      if (change.paymentType === 'prepaid') {
        if (target.msisdn) await act.closePrepaidLine({ msisdn: target.msisdn, originPrefixes: target.originPrefixes });
      } else {
        await act.endProductBilling({ orderId, billingAccountId: order.billingAccountId, productId: item.productId, timeZone: order.timeZone });
      }
    }
  } catch (err) {
    await CancellationScope.nonCancellable(async () => {
      await runCompensations(compensations, { orderId });
      const refund = refunded ? { refunded: change.upFrontTotal, currency: change.currency } : {};
      if (err instanceof ChangeCancelled) {
        await run.moveTo('cancelled', [err.message]);
        await notify.notifyOrderCustomer(orderId, 'orderCancelled', { reason: err.message, ...refund });
      } else {
        await run.moveTo('failed', [failureReason(err, 'the order could not be fulfilled')]);
        await notify.notifyOrderCustomer(orderId, 'orderFailed', refund);
      }
    });
    if (err instanceof ChangeCancelled) return;
    throw err;
  }

  await run.moveTo('completed');
  await notify.notifyOrderCustomer(orderId, 'orderCompleted', { items: order.itemNames });
}
