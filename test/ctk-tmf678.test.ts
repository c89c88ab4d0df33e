import { createBillRunActivities } from '../activities/billing/bill-run';
import { defaultBillingSettings } from '../activities/billing/settings';
import { createSubscription, queueOneTimeCharges } from '../db/billing';
import { createKnex } from '../db/knex';
import { systemClock } from '../domain/clock';
import { createActiveCustomer } from './helpers/customers';
import { describeConformanceKit } from './helpers/ctk';

/**
 * The kit reads, filters and puts on hold the bills it finds, and reads their lines: before it
 * runs, a real postpaid account in the kit's database has its November cycle closed by the bill
 * run (a fee from the 17th and a SIM fee), as the billing cycle workflow would close it.
 */
beforeAll(async () => {
  const knex = createKnex(process.env.CTK_DATABASE_URL!);
  try {
    const publicUrl = process.env.PUBLIC_URL!;
    const c = await createActiveCustomer(knex, { paymentType: 'postpaid', cardLast4: null, publicUrl });
    const orderId = `ctk-${c.customerId}`;
    await createSubscription(knex, {
      billingAccountId: c.billingAccountId,
      customerId: c.customerId,
      orderId,
      productKey: 'item-1',
      offeringId: 'postpaid20',
      offeringVersion: '1.0',
      prices: [{ id: 'price-p20', version: '1.0', name: 'Postpaid 20 GB monthly fee', priceType: 'recurring', amount: '25.00', currency: 'EUR', taxRate: '21', period: { type: 'month', length: 1 } }],
      startDate: '2026-11-17',
      now: new Date(),
    });
    await queueOneTimeCharges(knex, [{ billingAccountId: c.billingAccountId, orderId, productKey: 'item-1', priceId: 'price-sim', priceVersion: '1.0', description: 'SIM card fee', net: '5.00', tax: '1.05', taxRate: '21', currency: 'EUR' }], new Date());
    const billRun = createBillRunActivities({
      knex,
      clock: systemClock,
      publicUrl,
      usage: { usageToBill: async () => [], markUsageBilled: async () => 0 },
      sendNotification: async () => [],
      settings: defaultBillingSettings(publicUrl),
    });
    await billRun.closeBillingCycle({ billingAccountId: c.billingAccountId, cycle: { start: '2026-11-01', end: '2026-12-01' } });
  } finally {
    await knex.destroy();
  }
});

// The kit's environment names the base URL `Customer_Bill`, with a trailing slash.
describeConformanceKit({ name: 'TMF678', envVar: 'Customer_Bill', apiName: 'customerBillManagement', minAssertions: 150 });
