/** createActivities(deps) wires every domain's activities; tests pass fakes, the worker real clients. */
import type { Knex } from 'knex';
import type { Clock } from '../domain/clock';
import type { PiiKeys } from '../domain/pii';
import { createCatalogActivities } from './catalog';
import { createRegistrationActivities } from './crm/registration';
import { createInventoryActivities } from './inventory';
import { createBillingActivities } from './billing';
import { createChargingActivities } from './charging';
import { createOrderingActivities } from './ordering';
import { createPaymentActivities } from './payments';
import type { PaymentGateway } from './payments/gateway';
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
}

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
  };
}

export type Activities = ReturnType<typeof createActivities>;
