/**
 * Charging a customer's card exactly once per idempotency key, for every domain that collects
 * money (order up-front fees, prepaid top-ups, bill payments): the charge row is claimed first
 * (payment_charge, unique key); a charge already settled answers as it was; only a pending one
 * goes to the gateway. A decline is recorded and returned as an outcome. Any other gateway error
 * is thrown with the charge left pending, so that a retry with the same key settles it.
 */
import type { Knex } from 'knex';
import { settleCharge, startCharge, type ChargeRow } from '../../db/payments';
import type { Clock } from '../../domain/clock';
import { money } from '../../domain/money';
import { CardDeclinedError, type PaymentGateway } from './gateway';

export interface CardChargeRequest {
  idempotencyKey: string;
  customerId: string;
  orderId?: string;
  /** What the money is for (orderUpFront, topUp, billPayment). */
  purpose: string;
  amount: string;
  currency: string;
  card: { id: string; gatewayToken: string; last4: string };
  /** Shown on the customer's card statement. */
  description: string;
}

export type CardChargeOutcome = { status: 'captured'; charge: ChargeRow } | { status: 'declined'; reason: string; charge: ChargeRow };

/** The key was already used for a charge of another amount or currency: nothing was charged. */
export class ChargeKeyConflictError extends Error {
  constructor(readonly charge: ChargeRow) {
    super(`idempotency key ${charge.idempotencyKey} was used for a charge of ${charge.amount} ${charge.currency}`);
    this.name = 'ChargeKeyConflictError';
  }
}

export async function chargeCardOnce(deps: { knex: Knex; clock: Clock; paymentGateway: PaymentGateway }, c: CardChargeRequest): Promise<CardChargeOutcome> {
  const { knex, clock, paymentGateway } = deps;
  const charge = await startCharge(knex, { ...c, paymentMethodId: c.card.id, now: clock.now() });
  if (!money(charge.amount).eq(money(c.amount)) || charge.currency !== c.currency) throw new ChargeKeyConflictError(charge);
  if (charge.status === 'captured' || charge.status === 'refunded') return { status: 'captured', charge };
  if (charge.status === 'declined') return { status: 'declined', reason: charge.declineReason ?? 'declined', charge };
  try {
    const { chargeId } = await paymentGateway.charge({ token: c.card.gatewayToken, amount: c.amount, currency: c.currency, idempotencyKey: charge.idempotencyKey, description: c.description });
    await settleCharge(knex, charge.id, { status: 'captured', gatewayChargeId: chargeId }, clock.now());
    return { status: 'captured', charge: { ...charge, status: 'captured', gatewayChargeId: chargeId } };
  } catch (err) {
    if (!(err instanceof CardDeclinedError)) throw err;
    const reason = `card ****${c.card.last4} declined: ${err.reason}`;
    await settleCharge(knex, charge.id, { status: 'declined', declineReason: reason }, clock.now());
    return { status: 'declined', reason, charge: { ...charge, status: 'declined', declineReason: reason } };
  }
}
