/** createActivities(deps) wires every domain's activities; tests pass fakes, the worker real clients. */
import { ApplicationFailure } from '@temporalio/activity';
import type { Knex } from 'knex';
import type { Clock } from '../domain/clock';
import type { PiiKeys } from '../domain/pii';
import { createActivationActivities } from './activation';
import { createCatalogActivities } from './catalog';
import { createRegistrationActivities } from './crm/registration';
import { createInventoryActivities } from './inventory';
import { createBillingActivities, type BillingCycleStarter } from './billing';
import { createBillingCycleActivities } from './billing/cycle';
import { createBillRunActivities } from './billing/bill-run';
import { defaultBillingSettings, type BillingSettings } from './billing/settings';
import type { UsageForBilling } from './billing/types';
import { createChargingActivities } from './charging';
import { createChargingChangeActivities } from './charging/change';
import { createBillingChangeActivities } from './billing/change';
import { createChangeOrderActivities } from './ordering/change-order';
import { createOrderingActivities } from './ordering';
import { createPaymentActivities } from './payments';
import { createPrepayActivities, DEFAULT_LOW_BALANCE_THRESHOLD } from './prepay';
import type { PaymentGateway } from './payments/gateway';
import { createProvisioningActivities } from './provisioning';
import type { NetworkSender } from '../network/client';
import { createReportActivities } from './reports';
import { createTicketActivities } from './tickets';
import { createWorkforceActivities } from './workforce';
import type { SendNotificationInput, SendNotificationResult } from './notifications';

export interface ActivityDeps {
  knex: Knex;
  clock: Clock;
  piiKeys: PiiKeys;
  publicUrl: string;
  /** The notification service's activity (it owns the SMTP and SMPP connections). */
  sendNotification(input: SendNotificationInput): Promise<SendNotificationResult>;
  reviewQueueEmail: string;
  supervisorEmail: string;
  paymentGateway: PaymentGateway;
  /** The network elements (a NetworkClient of NETWORK_URL); without it provisioning fails, not retried. */
  network?: NetworkSender;
  /** Starts billing cycle workflows when postpaid subscriptions start (a Temporal client in the worker). */
  billingCycles?: BillingCycleStarter;
  /** Default low-balance threshold of prepaid accounts (decimal string; default 5.00). */
  lowBalanceThreshold?: string;
  /** Rated usage for the bill run (the usage domain's db/usage-billing). */
  usage: UsageForBilling;
  /** Operator, payment details and terms printed on bills (default: defaultBillingSettings). */
  billing?: BillingSettings;
}

const noNetwork: NetworkSender = {
  send: async () => {
    throw ApplicationFailure.nonRetryable('no network client configured for provisioning', 'NoNetworkConfigured');
  },
};

export function createActivities(deps: ActivityDeps) {
  return {
    ...createCatalogActivities(deps),
    sendNotification: deps.sendNotification,
    ...createRegistrationActivities(deps),
    ...createInventoryActivities(deps),
    ...createOrderingActivities(deps),
    ...createPaymentActivities(deps),
    ...createChargingActivities(deps),
    ...createBillingActivities(deps),
    ...createBillingCycleActivities(deps),
    ...createBillRunActivities({ ...deps, settings: deps.billing ?? defaultBillingSettings(deps.publicUrl) }),
    ...createProvisioningActivities({ knex: deps.knex, clock: deps.clock, network: deps.network ?? noNetwork }),
    ...createWorkforceActivities(deps),
    ...createActivationActivities(deps),
    ...createTicketActivities(deps),
    ...createReportActivities(deps),
    ...createPrepayActivities({ ...deps, lowBalanceThreshold: deps.lowBalanceThreshold ?? DEFAULT_LOW_BALANCE_THRESHOLD }),
    ...createChangeOrderActivities(deps),
    ...createChargingChangeActivities(deps),
    ...createBillingChangeActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
