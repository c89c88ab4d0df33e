/** createActivities(deps) wires every domain's activities; tests pass fakes, the worker real clients. */
import type { Knex } from 'knex';
import type { Clock } from '../domain/clock';
import type { PiiKeys } from '../domain/pii';
import { createCatalogActivities } from './catalog';
import { createRegistrationActivities } from './crm/registration';
import { createInventoryActivities } from './inventory';
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
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...createCatalogActivities(deps),
    sendNotification: deps.sendNotification,
    ...createRegistrationActivities(deps),
    ...createInventoryActivities(deps),
    ...createWorkforceActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
