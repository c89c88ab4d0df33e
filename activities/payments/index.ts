/**
 * Payment collection for other domains (orders now; top-ups and bills later): charge a customer's
 * card through the gateway once per idempotency key, and refund what an order collected.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { Knex } from 'knex';
import { findCardOfCustomer, recordRefund, refundableChargesOfOrder } from '../../db/payments';
import type { Clock } from '../../domain/clock';
import { chargeCardOnce } from './charge-card';
import type { PaymentGateway } from './gateway';

export interface CollectOrderPaymentInput {
  orderId: string;
  customerId: string;
  amount: string;
  currency: string;
  /** Each attempt (e.g. after a decline, with another card) has its own idempotency key. */
  attempt: number;
  paymentMethodId?: string;
}

export type CollectionOutcome = { status: 'captured'; chargeId: string } | { status: 'declined'; reason: string };

export function createPaymentActivities(deps: { knex: Knex; clock: Clock; paymentGateway: PaymentGateway }) {
  const { knex, clock, paymentGateway } = deps;
  return {
    /** Charges what an order needs up front. A decline is an outcome, not an error; an unreachable gateway is retried. */
    async collectOrderPayment(input: CollectOrderPaymentInput): Promise<CollectionOutcome> {
      const card = await findCardOfCustomer(knex, input.customerId, input.paymentMethodId);
      if (!card) {
        return { status: 'declined', reason: input.paymentMethodId ? 'that payment method is not a card of this customer' : 'no card on file; pay with a card' };
      }
      const outcome = await chargeCardOnce(deps, {
        idempotencyKey: `order:${input.orderId}:upfront:${input.attempt}`,
        customerId: input.customerId,
        orderId: input.orderId,
        purpose: 'orderUpFront',
        amount: input.amount,
        currency: input.currency,
        card,
        description: `Order ${input.orderId}`,
      });
      return outcome.status === 'captured' ? { status: 'captured', chargeId: outcome.charge.id } : { status: 'declined', reason: outcome.reason };
    },

    /** Compensation: refunds every captured charge of the order (once each). */
    async refundOrderPayments(input: { orderId: string }): Promise<{ refunded: string[] }> {
      const refunded: string[] = [];
      for (const charge of await refundableChargesOfOrder(knex, input.orderId)) {
        if (!charge.gatewayChargeId) throw ApplicationFailure.nonRetryable(`charge ${charge.id} is captured without a gateway id`);
        const { refundId } = await paymentGateway.refund({
          chargeId: charge.gatewayChargeId,
          amount: charge.amount,
          currency: charge.currency,
          idempotencyKey: `refund:${charge.id}`,
        });
        await recordRefund(knex, charge.id, refundId, clock.now());
        refunded.push(charge.id);
      }
      return { refunded };
    },
  };
}
