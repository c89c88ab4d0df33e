/** Collected payments (payment_charge): one row per idempotency key, whatever is retried. */
import { randomUUID } from 'node:crypto';
import type { Db } from './knex';

export type ChargeStatus = 'pending' | 'captured' | 'declined' | 'refunded';

export interface ChargeRow {
  id: string;
  idempotencyKey: string;
  customerId: string;
  orderId: string | null;
  amount: string;
  currency: string;
  status: ChargeStatus;
  gatewayChargeId: string | null;
  declineReason: string | null;
  refundedAmount: string;
}

function toRow(r: Record<string, unknown>): ChargeRow {
  return {
    id: r.id as string,
    idempotencyKey: r.idempotency_key as string,
    customerId: r.customer_id as string,
    orderId: (r.order_id as string | null) ?? null,
    amount: String(r.amount),
    currency: r.currency as string,
    status: r.status as ChargeStatus,
    gatewayChargeId: (r.gateway_charge_id as string | null) ?? null,
    declineReason: (r.decline_reason as string | null) ?? null,
    refundedAmount: String(r.refunded_amount),
  };
}

/** The charge of a key: the one already there, or a new pending one. */
export async function startCharge(
  db: Db,
  c: { idempotencyKey: string; customerId: string; orderId?: string; purpose: string; amount: string; currency: string; paymentMethodId?: string; now: Date },
): Promise<ChargeRow> {
  await db('payment_charge')
    .insert({
      id: randomUUID(),
      idempotency_key: c.idempotencyKey,
      customer_id: c.customerId,
      order_id: c.orderId ?? null,
      purpose: c.purpose,
      amount: c.amount,
      currency: c.currency,
      payment_method_id: c.paymentMethodId ?? null,
      status: 'pending',
      created_at: c.now,
      updated_at: c.now,
    })
    .onConflict('idempotency_key')
    .ignore();
  return toRow(await db('payment_charge').where({ idempotency_key: c.idempotencyKey }).first());
}

/** Records the gateway's answer to a pending charge. */
export async function settleCharge(
  db: Db,
  id: string,
  outcome: { status: 'captured'; gatewayChargeId: string } | { status: 'declined'; declineReason: string },
  now: Date,
): Promise<void> {
  await db('payment_charge')
    .where({ id, status: 'pending' })
    .update({
      status: outcome.status,
      gateway_charge_id: outcome.status === 'captured' ? outcome.gatewayChargeId : null,
      decline_reason: outcome.status === 'declined' ? outcome.declineReason : null,
      updated_at: now,
    });
}

/** Captured charges of an order that still hold money (not refunded). */
export async function refundableChargesOfOrder(db: Db, orderId: string): Promise<ChargeRow[]> {
  const rows = await db('payment_charge').where({ order_id: orderId, status: 'captured' }).orderBy('created_at');
  return rows.map(toRow);
}

/** Marks a captured charge refunded in full. */
export async function recordRefund(db: Db, id: string, gatewayRefundId: string, now: Date): Promise<void> {
  await db('payment_charge')
    .where({ id, status: 'captured' })
    .update({ status: 'refunded', refunded_amount: db.ref('amount'), gateway_refund_id: gatewayRefundId, updated_at: now });
}

/** The card to charge: the given payment method if it is the customer's card, else their latest card. */
export async function findCardOfCustomer(db: Db, customerId: string, paymentMethodId?: string): Promise<{ id: string; gatewayToken: string; last4: string } | undefined> {
  const query = db('crm_payment_method').where({ customer_id: customerId, type: 'card' });
  if (paymentMethodId) void query.andWhere({ id: paymentMethodId });
  const row = await query.orderBy('created_at', 'desc').first();
  return row && { id: row.id, gatewayToken: row.gateway_token, last4: row.last4 };
}
