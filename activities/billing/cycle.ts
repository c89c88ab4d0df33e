/**
 * What the billing cycle workflow (billing-<billingAccountId>) needs besides the bill run: the
 * account's bill cycle, what it owes, its services for suspension, the dunning notices, plan
 * changes and termination of its subscriptions, and the mirror of its collection state.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { Knex } from 'knex';
import { recordPlanChange, setAccountSubscriptionsSuspended, subscriptionsOfAccount, terminateAccountSubscriptions, type PlanChange } from '../../db/billing';
import { saveAccountDunning, type AccountDunning } from '../../db/billing-dunning';
import { accountBalance } from '../../db/billing-ledger';
import { billingAccountModel, customerModel, relatedCustomerId } from '../../db/crm-models';
import { productModel, serviceModel } from '../../db/order-models';
import { findResource, type TmfDocument } from '../../db/tmf-resources';
import { patchTmfResource } from '../../db/tmf-store';
import type { Clock } from '../../domain/clock';
import { parsePortRef } from '../../domain/inventory/port-ref';
import type { ServiceToProvision } from '../../domain/provisioning/commands';
import type { SendNotificationInput, SendNotificationResult } from '../notifications';
import type { DunningStage } from '../notifications/templates';
import { serviceOrderIdOf } from '../ordering';
import { contactOf } from '../crm/customer-contact';

/** The account as its billing cycle needs it. */
export interface BillingAccountProfile {
  billingAccountId: string;
  customerId: string;
  billCycleDay: number;
  timeZone: string;
  currency: string;
}

/** The collection state the workflow reports (billing_dunning); stamped when saved. */
export type DunningReport = Omit<AccountDunning, 'updatedAt'>;

/** A dunning notice to the account's customer. */
export interface DunningNotice {
  billingAccountId: string;
  stage: DunningStage;
  billId: string;
  billNo: string;
  amount: string;
  currency: string;
  dueDate: string;
  nextStepDate?: string;
}

/** A plan change as the workflow receives it (see db/billing.ts recordPlanChange); stamped when recorded. */
export type PlanChangeRequest = Omit<PlanChange, 'now'>;

export interface BillingCycleActivityDeps {
  knex: Knex;
  clock: Clock;
  sendNotification(input: SendNotificationInput): Promise<SendNotificationResult>;
}

/** Terminates a TMF637 product from wherever it is in service (active or suspended), once. */
async function terminateProduct(knex: Knex, productId: string, now: Date): Promise<void> {
  await knex.transaction(async (trx) => {
    const product = await findResource(trx, productModel.table, productId, { forUpdate: true });
    const steps: Record<string, string[]> = { active: ['pendingTerminate', 'terminated'], suspended: ['pendingTerminate', 'terminated'], pendingTerminate: ['terminated'] };
    for (const status of steps[String(product?.status)] ?? []) await patchTmfResource(trx, productModel, productId, { status }, now);
  });
}

export function createBillingCycleActivities(deps: BillingCycleActivityDeps) {
  const { knex, clock } = deps;

  async function loadAccount(billingAccountId: string): Promise<TmfDocument> {
    const account = await findResource(knex, billingAccountModel.table, billingAccountId);
    if (!account) throw ApplicationFailure.nonRetryable(`billing account ${billingAccountId} does not exist`, 'BillingAccountNotFound');
    return account;
  }

  /** The account's active services as the network knows them (mobile and FTTH; see below for content). */
  async function servicesOf(billingAccountId: string, states: string[]): Promise<ServiceToProvision[]> {
    const orderIds = [...new Set((await subscriptionsOfAccount(knex, billingAccountId)).map((s) => s.orderId))];
    if (!orderIds.length) return [];
    const rows = await knex(serviceModel.table).whereIn('service_order_id', orderIds.map(serviceOrderIdOf)).whereIn('state', states).orderBy('created_at').select('id', 'body');
    const services: ServiceToProvision[] = [];
    for (const { id, body } of rows as Array<{ id: string; body: TmfDocument }>) {
      const resources = (body.supportingResource as Array<{ id: string; '@referredType': string }> | undefined) ?? [];
      const msisdn = resources.find((r) => r['@referredType'] === 'MSISDN')?.id;
      const iccid = resources.find((r) => r['@referredType'] === 'SimCard')?.id;
      const port = resources.find((r) => r['@referredType'] === 'AccessPort')?.id;
      if (msisdn && iccid) {
        const sim = await knex('inventory_sim').where({ iccid }).first('imsi');
        if (!sim) throw ApplicationFailure.nonRetryable(`service ${id}: SIM card ${iccid} is not in the SIM stock`, 'ServiceResourcesMissing');
        services.push({ kind: 'mobile', serviceId: id, msisdn, iccid, imsi: sim.imsi, paymentType: 'postpaid', voice: true, sms: true, data: true });
      } else if (port) {
        const ref = parsePortRef(port);
        if (!ref) throw ApplicationFailure.nonRetryable(`service ${id}: ${port} is not a port reference`, 'ServiceResourcesMissing');
        // Suspension, restoration and deactivation of a port do not name its speeds; activation
        // (the only command that does) is never sent from here.
        services.push({ kind: 'ftth', serviceId: id, accessNode: ref.accessNode, port: ref.port, downlinkMbps: 1, uplinkMbps: 1 });
      }
      // Content entitlements carry no resource: their platform entitlement is not recorded on the
      // service, so dunning leaves them to the product state below.
    }
    return services;
  }

  async function productsOf(billingAccountId: string): Promise<string[]> {
    const subs = await subscriptionsOfAccount(knex, billingAccountId);
    return [...new Set(subs.map((s) => s.productId).filter((id): id is string => !!id))];
  }

  return {
    /** The account's bill cycle day, time zone, currency and customer (TMF666 billStructure). */
    async billingAccountProfile(input: { billingAccountId: string }): Promise<BillingAccountProfile> {
      const account = await loadAccount(input.billingAccountId);
      const bs = (account.billStructure ?? {}) as { billCycleDay?: number; timeZone?: string; currency?: string };
      return {
        billingAccountId: input.billingAccountId,
        customerId: relatedCustomerId(account) ?? '',
        billCycleDay: Number(bs.billCycleDay ?? 1),
        timeZone: bs.timeZone ?? 'UTC',
        currency: bs.currency ?? 'EUR',
      };
    },

    /** What the account owes now (negative: credit), from its ledger. */
    async billingAccountBalance(input: { billingAccountId: string }): Promise<string> {
      return accountBalance(knex, input.billingAccountId);
    },

    /** Mirrors the workflow's collection state onto billing_dunning for the API. */
    async reportDunningState(input: DunningReport): Promise<void> {
      await saveAccountDunning(knex, { ...input, updatedAt: clock.now() });
    },

    /** Tells the customer of a dunning step, once per bill and step. Never fails the workflow for a delivery. */
    async sendDunningNotice(input: DunningNotice): Promise<void> {
      const account = await loadAccount(input.billingAccountId);
      const customerId = relatedCustomerId(account);
      const customer = customerId ? await findResource(knex, customerModel.table, customerId) : undefined;
      if (!customer) return;
      const contact = contactOf(customer);
      await deps.sendNotification({
        event: 'billDunning',
        language: contact.language,
        params: {
          stage: input.stage,
          billNo: input.billNo,
          amount: input.amount,
          currency: input.currency,
          dueDate: input.dueDate,
          nextStepDate: input.nextStepDate,
        },
        to: { email: contact.email, msisdn: contact.msisdn, name: contact.name },
        customerId: String(customer.id),
        relatedEntity: { id: input.billingAccountId, '@referredType': 'BillingAccount' },
        idempotencyKey: `billing-${input.billingAccountId}:${input.billId}:${input.stage}`,
      });
    },

    /** The account's services that are active on the network (for suspension and termination). */
    async billingAccountServices(input: { billingAccountId: string }): Promise<ServiceToProvision[]> {
      return servicesOf(input.billingAccountId, ['active']);
    },

    /** Dunning suspended (or restored) the account: its subscriptions and TMF637 products say so. */
    async markAccountSuspended(input: { billingAccountId: string; suspended: boolean }): Promise<void> {
      await setAccountSubscriptionsSuspended(knex, input.billingAccountId, input.suspended);
      const now = clock.now();
      for (const productId of await productsOf(input.billingAccountId)) {
        await knex.transaction(async (trx) => {
          const product = await findResource(trx, productModel.table, productId);
          const from = input.suspended ? 'active' : 'suspended';
          if (product?.status === from) await patchTmfResource(trx, productModel, productId, { status: input.suspended ? 'suspended' : 'active' }, now);
        });
      }
    },

    /**
     * Terminates the account's billing: subscriptions end on `endDate` (the last bill prorates to
     * it), TMF637 products are terminated and TMF638 services too (after their network deactivation).
     */
    async terminateAccountBilling(input: { billingAccountId: string; endDate: string; serviceIds: string[] }): Promise<void> {
      await terminateAccountSubscriptions(knex, input.billingAccountId, input.endDate);
      const now = clock.now();
      for (const productId of await productsOf(input.billingAccountId)) {
        await terminateProduct(knex, productId, now);
      }
      for (const serviceId of input.serviceIds) {
        await knex.transaction(async (trx) => {
          const service = await findResource(trx, serviceModel.table, serviceId);
          if (service && service.state !== 'terminated') await patchTmfResource(trx, serviceModel, serviceId, { state: 'terminated' }, now);
        });
      }
    },

    /** Nothing is owed any more on a terminated account: its TMF666 billing account is closed. */
    async closeBillingAccount(input: { billingAccountId: string }): Promise<void> {
      await knex.transaction(async (trx) => {
        const account = await findResource(trx, billingAccountModel.table, input.billingAccountId);
        if (account && account.state !== 'Closed') await patchTmfResource(trx, billingAccountModel, input.billingAccountId, { state: 'Closed' }, clock.now());
      });
    },

    /** Records a plan change on the subscriptions; the next bill prorates both plans. */
    async recordSubscriptionPlanChange(input: PlanChangeRequest): Promise<{ subscriptionId?: string }> {
      const subscriptionId = await recordPlanChange(knex, { ...input, now: clock.now() });
      return { subscriptionId };
    },
  };
}
