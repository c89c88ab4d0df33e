/**
 * What orders do with money and balances: up-front collection through the gateway (once per
 * attempt, declines as outcomes, refunds), prepaid charging accounts with buckets, and postpaid
 * subscriptions with one-time charges — each retried without effect.
 */
import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { createBillingActivities } from '../activities/billing';
import { createChargingActivities } from '../activities/charging';
import { createPaymentActivities } from '../activities/payments';
import { SimulatedPaymentGateway, type ChargeRequest } from '../activities/payments/gateway';
import { createKnex } from '../db/knex';
import { ManualClock } from '../domain/clock';

describe('order money: payments, charging accounts, billing subscriptions', () => {
  let knex: Knex;
  const clock = new ManualClock(new Date('2026-11-25T23:30:00Z'));
  const gateway = new SimulatedPaymentGateway();
  const charged: ChargeRequest[] = [];
  const countingGateway = {
    tokenizeCard: gateway.tokenizeCard.bind(gateway),
    refund: gateway.refund.bind(gateway),
    charge: (r: ChargeRequest) => {
      charged.push(r);
      return gateway.charge(r);
    },
  };

  beforeAll(() => {
    knex = createKnex(process.env.DATABASE_URL!);
  });
  afterAll(() => knex.destroy());

  async function customerWithCard(last4: string): Promise<{ customerId: string; paymentMethodId: string }> {
    const customerId = randomUUID();
    const paymentMethodId = randomUUID();
    await knex('crm_payment_method').insert({
      id: paymentMethodId,
      customer_id: customerId,
      type: 'card',
      holder_name: 'Ana García',
      gateway_token: `tok_sim_${last4}_0123456789abcdef`,
      brand: 'visa',
      last4,
      expiry_month: 12,
      expiry_year: 2030,
    });
    return { customerId, paymentMethodId };
  }

  describe('collection', () => {
    const payments = () => createPaymentActivities({ knex, clock, paymentGateway: countingGateway });

    it('charges once per attempt, whatever is retried, and refunds once', async () => {
      const { customerId } = await customerWithCard('4242');
      const orderId = randomUUID();
      const input = { orderId, customerId, amount: '24.20', currency: 'EUR', attempt: 1 };
      const first = await payments().collectOrderPayment(input);
      const again = await payments().collectOrderPayment(input);
      expect(first).toEqual({ status: 'captured', chargeId: expect.any(String) });
      expect(again).toEqual(first);
      expect(charged.filter((c) => c.idempotencyKey === `order:${orderId}:upfront:1`)).toHaveLength(1);
      const rows = await knex('payment_charge').where({ order_id: orderId });
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ status: 'captured', amount: '24.20', currency: 'EUR' });

      expect(await payments().refundOrderPayments({ orderId })).toEqual({ refunded: [rows[0].id] });
      expect(await payments().refundOrderPayments({ orderId })).toEqual({ refunded: [] });
      expect(await knex('payment_charge').where({ order_id: orderId }).first()).toMatchObject({ status: 'refunded', refunded_amount: '24.20' });
    });

    it('reports a declined card as an outcome, and takes another card on the next attempt', async () => {
      const { customerId } = await customerWithCard('0341');
      const orderId = randomUUID();
      const declined = await payments().collectOrderPayment({ orderId, customerId, amount: '6.05', currency: 'EUR', attempt: 1 });
      expect(declined).toEqual({ status: 'declined', reason: 'card ****0341 declined: insufficient funds' });
      // A retry of the same attempt answers the same, without asking the gateway again.
      const before = charged.length;
      expect(await payments().collectOrderPayment({ orderId, customerId, amount: '6.05', currency: 'EUR', attempt: 1 })).toEqual(declined);
      expect(charged.length).toBe(before);

      clock.advance(60_000); // the second attempt comes a minute later
      const other = randomUUID();
      await knex('crm_payment_method').insert({ id: other, customer_id: customerId, type: 'card', holder_name: 'Ana García', gateway_token: 'tok_sim_4444_abcdef', brand: 'mastercard', last4: '4444', expiry_month: 1, expiry_year: 2031 });
      expect(await payments().collectOrderPayment({ orderId, customerId, amount: '6.05', currency: 'EUR', attempt: 2, paymentMethodId: other })).toMatchObject({ status: 'captured' });
      expect((await knex('payment_charge').where({ order_id: orderId }).orderBy('created_at')).map((r) => r.status)).toEqual(['declined', 'captured']);
    });

    it('declines without a card on file, or with a payment method of someone else', async () => {
      const stranger = await customerWithCard('4242');
      expect(await payments().collectOrderPayment({ orderId: randomUUID(), customerId: randomUUID(), amount: '1.00', currency: 'EUR', attempt: 1 })).toEqual({
        status: 'declined',
        reason: 'no card on file; pay with a card',
      });
      const { customerId } = await customerWithCard('4242');
      expect(
        await payments().collectOrderPayment({ orderId: randomUUID(), customerId, amount: '1.00', currency: 'EUR', attempt: 1, paymentMethodId: stranger.paymentMethodId }),
      ).toEqual({ status: 'declined', reason: 'that payment method is not a card of this customer' });
    });
  });

  describe('prepaid charging account', () => {
    it('loads credit and allowances once, on one account per billing account', async () => {
      clock.set('2026-11-25T23:30:00Z');
      const charging = createChargingActivities({ knex, clock });
      const billingAccountId = randomUUID();
      const orderId = randomUUID();
      const msisdn = `+3461${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
      const input = {
        orderId,
        customerId: randomUUID(),
        billingAccountId,
        currency: 'EUR',
        lines: [
          {
            serviceKey: '1',
            msisdn,
            imsi: `21401${String(Math.floor(Math.random() * 1e10)).padStart(10, '0')}`,
            credit: '10.00',
            allowances: { dataOctets: '10737418240', voiceSeconds: '18000', smsEvents: 'unlimited', periodDays: 30 },
          },
        ],
      };
      const first = await charging.openPrepaidCharging(input);
      expect(await charging.openPrepaidCharging(input)).toEqual(first);
      const buckets = await knex('charging_bucket').where({ charging_account_id: first.chargingAccountId }).orderBy('priority').orderBy('bucket_type');
      expect(buckets.map((b) => [b.bucket_type, b.unit, b.balance, b.priority, b.valid_until?.toISOString() ?? null])).toEqual([
        ['data', 'octets', '10737418240.000000', 10, '2026-12-25T23:30:00.000Z'],
        ['voice', 'seconds', '18000.000000', 10, '2026-12-25T23:30:00.000Z'],
        ['money', 'EUR', '10.000000', 100, null],
      ]);
      expect(await knex('charging_subscriber').where({ msisdn }).first()).toMatchObject({ charging_account_id: first.chargingAccountId, status: 'active' });

      await charging.closeOrderCharging({ orderId, msisdns: [msisdn] });
      expect(await knex('charging_bucket').where({ charging_account_id: first.chargingAccountId })).toHaveLength(0);
      expect(await knex('charging_subscriber').where({ msisdn }).first()).toMatchObject({ status: 'closed' });
    });
  });

  describe('postpaid billing subscription', () => {
    it('starts on the date of the account time zone, queues one-time fees once, and voids them', async () => {
      clock.set('2026-11-25T23:30:00Z');
      const billing = createBillingActivities({ knex, clock });
      const orderId = randomUUID();
      const input = {
        orderId,
        customerId: randomUUID(),
        billingAccountId: randomUUID(),
        timeZone: 'Europe/Madrid',
        products: [{ productKey: '1', offeringId: 'ftth1g', offeringVersion: '1.0', prices: [{ id: 'p', version: '1.0', name: 'fee', priceType: 'recurring' as const, amount: '35.00', taxRate: '21' }] }],
        oneTimeCharges: [
          { productKey: '1', priceId: 'inst', priceVersion: '1.0', description: 'Fibre installation fee', kind: 'oneTime' as const, net: '60.00', taxRate: '21', tax: '12.60', gross: '72.60', currency: 'EUR' },
        ],
      };
      // 23:30 UTC on the 25th is already the 26th in Madrid.
      expect(await billing.startBillingSubscriptions(input)).toEqual({ startDate: '2026-11-26' });
      await billing.startBillingSubscriptions(input);
      const subscriptions = await knex('billing_subscription').where({ order_id: orderId });
      expect(subscriptions).toHaveLength(1);
      expect(subscriptions[0]).toMatchObject({ status: 'active', offering_version: '1.0' });
      const charges = await knex('billing_one_time_charge').where({ order_id: orderId });
      expect(charges.map((c) => [c.description, c.net, c.tax, c.status])).toEqual([['Fibre installation fee', '60.00', '12.60', 'pending']]);

      await billing.voidOrderBilling({ orderId });
      expect((await knex('billing_subscription').where({ order_id: orderId }).first()).status).toBe('voided');
      expect((await knex('billing_one_time_charge').where({ order_id: orderId }).first()).status).toBe('voided');
    });
  });
});
