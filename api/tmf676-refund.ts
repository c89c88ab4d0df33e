/**
 * TMF676 refunds (`/tmf-api/paymentManagement/v4/refund`): staff give back all or part of a card
 * payment. The gateway refunds the payment's charge once per idempotency key (`correlatorId` or
 * the `Idempotency-Key` header); the refund (status `succeeded`) and a positive `refund` ledger
 * entry (what the account owes grows again) are recorded in one transaction. Refunds never exceed
 * what is left of the payment (422). Customers read their own refunds; only admin and agent create.
 */
import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { PaymentGateway } from '../activities/payments/gateway';
import { bookAccountEntry } from '../db/billing-ledger';
import { addRefundToCharge, findRefundByCorrelator, paymentModel, refundModel } from '../db/payment-models';
import { findResource, type TmfDocument } from '../db/tmf-resources';
import { insertTmfDocument, newTmfDocument } from '../db/tmf-store';
import type { Clock } from '../domain/clock';
import { money } from '../domain/money';
import { requireRole } from './auth';
import { commonErrors, errorResponse, json, jsonSchema, ref } from './openapi';
import { entityRef, tmfBase } from './schemas/common';
import { paymentMoney } from './schemas/tmf676';
import { badRequest, describeZodError, notFound, TmfError } from './tmf/errors';
import type { TmfApi } from './tmf/resource';

/** POST /refund: `payment.id` names the payment given back; the rest defaults from it. */
export const refundCreateSchema = z
  .object({
    payment: entityRef,
    totalAmount: paymentMoney,
    account: entityRef.optional(),
    paymentMethod: z.object({ id: z.string().optional() }).loose().optional(),
    correlatorId: z.string().min(1).max(200).optional(),
    description: z.string().optional(),
    name: z.string().optional(),
    ...tmfBase,
  })
  .loose();

const refundSchema = z
  .object({ payment: entityRef, totalAmount: z.object({ unit: z.string(), value: z.number() }), account: entityRef.optional(), status: z.string().optional(), correlatorId: z.string().optional(), ...tmfBase })
  .loose();

const unprocessable = (message: string) => new TmfError(422, 'Unprocessable Entity', message);

/** Adds the refund resource to the TMF676 API. */
export function addRefunds(api: TmfApi, deps: { knex: Knex; clock: Clock; publicUrl: string; paymentGateway: PaymentGateway; logger?: Logger }): void {
  const { knex, clock, publicUrl, paymentGateway } = deps;

  api.router.post('/refund', requireRole('admin', 'agent'), async (req, res) => {
    if (!req.is('application/json')) throw new TmfError(415, 'Unsupported Media Type', 'send application/json');
    const parsed = refundCreateSchema.safeParse(req.body ?? {});
    if (!parsed.success) throw badRequest(describeZodError(parsed.error));
    const body = parsed.data;
    const header = req.header('Idempotency-Key')?.trim() || undefined;
    if (header && body.correlatorId && header !== body.correlatorId) throw badRequest('correlatorId: differs from the Idempotency-Key header');
    const key = body.correlatorId ?? header ?? `refund-${randomUUID()}`;
    const { unit, value } = body.totalAmount;

    const payment = await findResource(knex, paymentModel.table, body.payment.id);
    if (!payment) throw notFound(`payment ${body.payment.id}`);
    const account = payment.account as { id: string; href?: string; name?: string };
    if (body.account && body.account.id !== account.id) throw unprocessable(`account.id: payment ${payment.id} was made for billing account ${account.id}`);
    const paid = payment.totalAmount as { unit: string; value: number };
    if (unit !== paid.unit) throw unprocessable(`totalAmount.unit: the payment was in ${paid.unit}`);

    const existing = await findRefundByCorrelator(knex, key);
    if (existing) {
      const same = (existing.payment as { id: string }).id === payment.id && money((existing.totalAmount as { value: number }).value).eq(money(value));
      if (!same) throw new TmfError(409, 'Conflict', `correlatorId ${key} was used for another refund (${String(existing.id)})`);
      res.status(200).location(String(existing.href)).json(existing);
      return;
    }

    const charge = await knex('payment_charge').where({ idempotency_key: `payment:${String(payment.correlatorId)}` }).first();
    if (!charge?.gateway_charge_id) throw unprocessable(`payment ${payment.id} has no captured charge to refund`);
    const left = money(charge.amount).minus(money(charge.refunded_amount));
    if (money(value).gt(left)) throw unprocessable(`totalAmount.value: at most ${left.toFixed(2)} ${unit} of payment ${payment.id} is left to refund`);

    let refundId: string;
    try {
      ({ refundId } = await paymentGateway.refund({ chargeId: charge.gateway_charge_id, amount: value, currency: unit, idempotencyKey: `refund:${key}` }));
    } catch (err) {
      deps.logger?.warn({ err, key }, 'payment gateway refund failed');
      throw new TmfError(503, 'Service Unavailable', 'the payment gateway did not refund; nothing was booked; retry with the same correlatorId');
    }

    const now = clock.now();
    const customerId = (payment.payer as { id: string }).id;
    const doc = newTmfDocument(refundModel, {
      ...body,
      payment: { id: payment.id, href: payment.href, '@referredType': 'Payment' },
      account: { id: account.id, href: account.href, name: account.name, '@referredType': 'BillingAccount' },
      totalAmount: { unit, value: Number(value) },
      paymentMethod: payment.paymentMethod,
      correlatorId: key,
      authorizationCode: refundId,
      relatedParty: [{ id: customerId, role: 'customer', '@referredType': 'Customer' }],
      // A staff user, named by the role it acted in (TMF676 RelatedParty requires @referredType).
      requestor: { id: req.principal!.subject, role: req.principal!.roles[0], '@referredType': 'PartyRole' },
      status: 'succeeded',
      statusDate: now.toISOString(),
      refundDate: now.toISOString(),
    }, { now, publicUrl });
    const stored = await knex.transaction(async (trx): Promise<TmfDocument> => {
      if (!(await addRefundToCharge(trx, charge.id, value, refundId, now))) throw unprocessable(`totalAmount.value: more than is left of payment ${payment.id}`);
      const created = await insertTmfDocument(trx, refundModel, doc, now);
      await bookAccountEntry(trx, { billingAccountId: account.id, kind: 'refund', amount: money(value).toFixed(2), currency: unit, reference: key, description: `Refund ${doc.id} of payment ${payment.id}`, bookedAt: now });
      return created;
    });
    res.status(201).location(String(stored.href)).json(stored);
  });

  api.resource({
    name: refundModel.name,
    type: refundModel.type,
    table: refundModel.table,
    stateField: refundModel.stateField,
    ownerCustomerId: refundModel.ownerCustomerId,
    schema: refundSchema,
    access: { read: ['admin', 'agent', 'customer'], write: ['admin', 'agent'] },
    readOnly: true,
  });
}

/** The POST of /refund in the OpenAPI document. */
export function describeRefundCreate(doc: Record<string, unknown>): void {
  const paths = doc.paths as Record<string, Record<string, unknown>>;
  const schemas = (doc.components as { schemas: Record<string, unknown> }).schemas;
  schemas.Refund_Create = jsonSchema(refundCreateSchema);
  const base = `/tmf-api/${refundModel.apiName}/v4/refund`;
  paths[base] = {
    ...paths[base],
    post: {
      tags: [`${refundModel.apiName} refund`],
      operationId: 'createRefund',
      parameters: [{ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string' }, description: 'Same as correlatorId' }],
      requestBody: { required: true, content: json(ref('Refund_Create')) },
      responses: {
        '200': { description: 'The refund already recorded for this correlatorId', content: json(ref('Refund')) },
        '201': { description: 'Refunded and booked', headers: { Location: { schema: { type: 'string' } } }, content: json(ref('Refund')) },
        ...commonErrors,
        '404': errorResponse('No such payment'),
        '409': errorResponse('correlatorId already used for another refund'),
        '415': errorResponse('Not JSON'),
        '422': errorResponse('More than is left of the payment, or another currency or account'),
        '503': errorResponse('The payment gateway did not refund: nothing booked'),
      },
    },
  };
}
