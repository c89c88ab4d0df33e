/**
 * The activities a worker registers, with the clients they need (SMTP, SMPP, payment gateway,
 * network), built from the configuration. Tests that run their own worker build them here too.
 */
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { createActivities } from '../activities';
import { createNotificationService } from '../activities/notifications';
import { SimulatedPaymentGateway } from '../activities/payments/gateway';
import type { Config } from '../config';
import { markUsageBilled, usageToBill } from '../db/usage-billing';
import { systemClock } from '../domain/clock';
import { derivePiiKeys } from '../domain/pii';
import type { NetworkSender } from '../network/client';
import { temporalBillingCycleStarter } from './billing-cycle-starter';

export function createWorkerActivities(
  config: Config,
  deps: {
    knex: Knex;
    network?: NetworkSender;
    /** Starts billing cycle workflows (on `billingTaskQueue`, default the configured queue); without it none start. */
    temporal?: Client;
    billingTaskQueue?: string;
  },
) {
  const notifications = createNotificationService({
    knex: deps.knex,
    clock: systemClock,
    publicUrl: config.publicUrl,
    mail: { smtpUrl: config.smtpUrl, from: config.mailFrom },
    sms: { smppUrl: config.smppUrl, systemId: config.smppSystemId, password: config.smppPassword, sender: config.smsSender },
  });
  const activities = createActivities({
    knex: deps.knex,
    clock: systemClock,
    piiKeys: derivePiiKeys(config.piiKey),
    publicUrl: config.publicUrl,
    sendNotification: notifications.activities.sendNotification,
    reviewQueueEmail: config.reviewQueueEmail,
    supervisorEmail: config.supervisorEmail,
    paymentGateway: new SimulatedPaymentGateway(),
    network: deps.network,
    billingCycles: deps.temporal && temporalBillingCycleStarter(deps.temporal, deps.billingTaskQueue ?? config.taskQueue),
    lowBalanceThreshold: config.lowBalanceThreshold,
    // Rated postpaid usage, as offline charging stores it.
    usage: {
      usageToBill: (billingAccountId, cycleStart) => usageToBill(deps.knex, billingAccountId, cycleStart),
      markUsageBilled: (billingAccountId, cycleStart, billId) => markUsageBilled(deps.knex, billingAccountId, cycleStart, billId),
    },
  });
  /** Closes the notification service's SMTP and SMPP connections. */
  return { activities, close: () => notifications.close() };
}
