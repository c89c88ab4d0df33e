/**
 * TMF676 Payment Management v4 (`/tmf-api/paymentManagement/v4/payment`): a customer (or an
 * agent for one) pays a postpaid billing account by card. The card is charged through the payment
 * gateway once per idempotency key (`correlatorId`, or the `Idempotency-Key` header); only a
 * captured charge is recorded: the payment (status `succeeded`) and its ledger entry (a negative
 * `payment` entry whose reference is the key) in one transaction, then the account's billing cycle
 * workflow is told. Any amount is taken: less than owed is a partial payment, more is a credit.
 *
 * Answers: 201 with Location; 200 with the first payment for a repeated key; 400 bad input;
 * 404 unknown account (or another customer's); 409 a key reused for another payment; 422 a
 * declined card or no card (nothing booked); 503 the gateway did not answer (nothing booked; the
 * same key may be retried and is charged at most once). Payments are read only after creation.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Request } from 'express';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { chargeCardOnce, ChargeKeyConflictError, type CardChargeOutcome } from '../activities/payments/charge-card';
import type { PaymentGateway } from '../activities/payments/gateway';
import { bookAccountEntry } from '../db/billing-ledger';
import { billingAccountModel, relatedCustomerId } from '../db/crm-models';
import { findPaymentByCorrelator, paymentModel } from '../db/payment-models';
import { findCardOfCustomer } from '../db/payments';
import { findResource, type TmfDocument } from '../db/tmf-resources';
import { insertTmfDocument, newTmfDocument } from '../db/tmf-store';
import { money } from '../domain/money';
import { billingCycleWorkflowId, paymentReceivedSignal } from '../workflows/billing-cycle';
import { requireRole } from './auth';
import { commonErrors, errorResponse, json, jsonSchema, ref } from './openapi';
import { paymentCreateSchema, paymentSchema } from './schemas/tmf676';
import { badRequest, conflict, describeZodError, TmfError } from './tmf/errors';
import { TmfApi, type TmfApiDeps } from './tmf/resource';
import { addRefunds, describeRefundCreate } from './tmf676-refund';

export interface PaymentApiDeps extends TmfApiDeps {
  temporal: Client;
  paymentGateway: PaymentGateway;
  logger?: Logger;
}

const unprocessable = (message: string) => new TmfError(422, 'Unprocessable Entity', message);
const unavailable = (message: string) => new TmfError(503, 'Service Unavailable', message);

/** The idempotency key: correlatorId, else the Idempotency-Key header (they must agree when both are given). */
function idempotencyKeyOf(req: Request, correlatorId: string | undefined): string | undefined {
  const header = req.header('Idempotency-Key')?.trim() || undefined;
  if (header && correlatorId && header !== correlatorId) throw badRequest('correlatorId: differs from the Idempotency-Key header');
  return correlatorId ?? header;
}

/** Same payment: same account and amount; anything else under the same key is a conflict. */
function throwIfOtherPayment(existing: TmfDocument, accountId: string, value: string, unit: string): void {
  const amount = existing.totalAmount as { unit: string; value: number };
  const account = existing.account as { id: string };
  if (account.id !== accountId || amount.unit !== unit || !money(amount.value).eq(money(value))) {
    throw conflict(`correlatorId ${String(existing.correlatorId)} was used for another payment (${String(existing.id)})`);
  }
}

export function paymentApi(deps: PaymentApiDeps): TmfApi {
  const { knex, clock, publicUrl, paymentGateway, temporal } = deps;
  const api = new TmfApi(paymentModel.apiName, deps);

  // Registered before the generic (read-only) resource routes, so it answers POST /payment.
  api.router.post('/payment', requireRole('admin', 'agent', 'customer'), async (req, res) => {
    if (!req.is('application/json')) throw new TmfError(415, 'Unsupported Media Type', 'send application/json');
    const parsed = paymentCreateSchema.safeParse(req.body ?? {});
    if (!parsed.success) throw badRequest(describeZodError(parsed.error));
    const body = parsed.data;
    const key = idempotencyKeyOf(req, body.correlatorId) ?? `payment-${randomUUID()}`;
    const { unit, value } = body.totalAmount;

    const account = await findResource(knex, billingAccountModel.table, body.account.id);
    const customerId = account ? relatedCustomerId(account) : undefined;
    const principal = req.principal!;
    const customerOnly = principal.roles.every((r) => r === 'customer');
    if (!account || !customerId || (customerOnly && principal.customerId !== customerId)) throw new TmfError(404, 'Not Found', `billing account ${body.account.id} not found`);
    const bs = (account.billStructure ?? {}) as { currency?: string; paymentType?: string };
    if (account.accountType !== 'postpaid' && bs.paymentType !== 'postpaid') throw unprocessable(`billing account ${account.id} is not postpaid: top up a prepaid account instead`);
    if (bs.currency && bs.currency !== unit) throw unprocessable(`totalAmount.unit: the account is billed in ${bs.currency}`);

    const existing = await findPaymentByCorrelator(knex, key);
    if (existing) {
      throwIfOtherPayment(existing, String(account.id), value, unit);
      res.status(200).location(String(existing.href)).json(existing);
      return;
    }

    const card = await findCardOfCustomer(knex, customerId, body.paymentMethod.id);
    if (!card) throw unprocessable(body.paymentMethod.id ? `paymentMethod.id: ${body.paymentMethod.id} is not a card of the account's customer` : 'the customer has no card on file: give paymentMethod.id');
    let outcome: CardChargeOutcome;
    try {
      outcome = await chargeCardOnce({ knex, clock, paymentGateway }, {
        idempotencyKey: `payment:${key}`,
        customerId,
        purpose: 'billPayment',
        amount: value,
        currency: unit,
        card,
        description: `Billing account ${account.id}`,
      });
    } catch (err) {
      if (err instanceof ChargeKeyConflictError) throw conflict(`correlatorId ${key} was used for a charge of ${err.charge.amount} ${err.charge.currency}`);
      // Unsure whether the gateway charged: the charge stays pending and a retry with the same key settles it.
      deps.logger?.warn({ err, key }, 'payment gateway did not answer');
      throw unavailable('the payment gateway did not answer; nothing was booked; retry with the same correlatorId');
    }
    if (outcome.status === 'declined') throw unprocessable(outcome.reason);
    const authorizationCode = outcome.charge.gatewayChargeId ?? undefined;

    const now = clock.now();
    const doc = newTmfDocument(paymentModel, {
      ...body,
      account: { id: account.id, href: account.href, name: account.name, '@referredType': 'BillingAccount' },
      totalAmount: { unit, value: Number(value) },
      paymentMethod: { id: card.id, name: `card ****${card.last4}`, '@referredType': 'BankCard' },
      correlatorId: key,
      authorizationCode,
      payer: { id: customerId, role: 'customer', '@referredType': 'Customer' },
      status: 'succeeded',
      statusDate: now.toISOString(),
      paymentDate: now.toISOString(),
    }, { now, publicUrl });
    let stored: TmfDocument;
    try {
      stored = await knex.transaction(async (trx) => {
        const created = await insertTmfDocument(trx, paymentModel, doc, now);
        await bookAccountEntry(trx, {
          billingAccountId: String(account.id),
          kind: 'payment',
          amount: money(value).negated().toFixed(2),
          currency: unit,
          reference: key,
          description: `Payment ${doc.id} by card ****${card.last4}`,
          bookedAt: now,
        });
        return created;
      });
    } catch (err) {
      // The same key submitted concurrently: the other request recorded it.
      const raced = await findPaymentByCorrelator(knex, key);
      if (!raced) throw err;
      res.status(200).location(String(raced.href)).json(raced);
      return;
    }

    await tellBillingCycle(String(account.id), String(stored.id), value, unit);
    res.status(201).location(String(stored.href)).json(stored);
  });

  /** The ledger is the truth; the signal only wakes the workflow (none runs before the first postpaid subscription). */
  async function tellBillingCycle(billingAccountId: string, paymentId: string, amount: string, currency: string): Promise<void> {
    try {
      await temporal.workflow.getHandle(billingCycleWorkflowId(billingAccountId)).signal(paymentReceivedSignal, { paymentId, amount, currency });
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) deps.logger?.warn({ err, billingAccountId, paymentId }, 'billing cycle not told of a payment; it reads the ledger at its next step');
    }
  }

  const withPayments = api.resource({
    name: paymentModel.name,
    type: paymentModel.type,
    table: paymentModel.table,
    stateField: paymentModel.stateField,
    ownerCustomerId: paymentModel.ownerCustomerId,
    schema: paymentSchema,
    access: { read: ['admin', 'agent', 'customer'], write: ['admin', 'agent', 'customer'] },
    readOnly: true,
  });
  addRefunds(withPayments, deps);
  return withPayments;
}

/** The POST of /payment in the OpenAPI document (the generic resource describes it read only). */
export function describePaymentCreate(doc: Record<string, unknown>): void {
  const paths = doc.paths as Record<string, Record<string, unknown>>;
  const schemas = (doc.components as { schemas: Record<string, unknown> }).schemas;
  schemas.Payment_Create = jsonSchema(paymentCreateSchema);
  const base = `/tmf-api/${paymentModel.apiName}/v4/payment`;
  paths[base] = {
    ...paths[base],
    post: {
      tags: [`${paymentModel.apiName} payment`],
      operationId: 'createPayment',
      parameters: [{ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string' }, description: 'Same as correlatorId' }],
      requestBody: { required: true, content: json(ref('Payment_Create')) },
      responses: {
        '200': { description: 'The payment already recorded for this correlatorId', content: json(ref('Payment')) },
        '201': { description: 'Charged and booked', headers: { Location: { schema: { type: 'string' } } }, content: json(ref('Payment')) },
        ...commonErrors,
        '404': errorResponse('No such billing account'),
        '409': errorResponse('correlatorId already used for another payment'),
        '415': errorResponse('Not JSON'),
        '422': errorResponse('Card declined, no card, or not a postpaid account: nothing booked'),
        '503': errorResponse('The payment gateway did not answer: nothing booked, retry with the same correlatorId'),
      },
    },
  };
  describeRefundCreate(doc);
}
