/**
 * `GET`/`PUT /api/prepay/accounts/{billingAccountId}/low-balance-threshold`: the money balance under
 * which a prepaid customer is told (the account's own, or `null` for the configured default).
 * Staff for any account, a customer for its own. Body of PUT: `{"threshold": "3.00"}` or
 * `{"threshold": null}`.
 */
import express, { type Request, type Router } from 'express';
import type { Knex } from 'knex';
import { z } from 'zod';
import { chargingAccountOfBillingAccount } from '../db/prepay-balance';
import { rearmLowBalance, setLowBalanceThreshold } from '../db/prepay-housekeeping';
import type { Clock } from '../domain/clock';
import { money } from '../domain/money';
import { requireRole } from './auth';
import { commonErrors, errorResponse, json, type OpenApiPart } from './openapi';
import { decimalString } from './schemas/common';
import { badRequest, describeZodError, notFound } from './tmf/errors';

export const LOW_BALANCE_THRESHOLD_PATH = '/api/prepay/accounts/:billingAccountId/low-balance-threshold';

const bodySchema = z.object({ threshold: decimalString.nullable() });

export function lowBalanceThresholdRouter(deps: { knex: Knex; clock: Clock; defaultThreshold: string }): Router {
  const router = express.Router();
  const access = requireRole('admin', 'agent', 'customer');

  /** The account in view: a customer's own only (another's is not found). */
  async function accountOf(req: Request) {
    const account = await chargingAccountOfBillingAccount(deps.knex, String(req.params.billingAccountId));
    const customerOnly = req.principal!.roles.every((r) => r === 'customer');
    if (!account || (customerOnly && account.customerId !== req.principal!.customerId)) throw notFound(`prepaid account of billing account ${req.params.billingAccountId}`);
    return account;
  }
  async function view(billingAccountId: string, accountId: string, currency: string) {
    const row = await deps.knex('prepay_low_balance').where({ charging_account_id: accountId }).first('threshold', 'armed');
    const own = row?.threshold === null || row?.threshold === undefined ? null : money(String(row.threshold)).toFixed(2);
    return { billingAccountId, currency, threshold: own, effectiveThreshold: own ?? money(deps.defaultThreshold).toFixed(2), armed: row?.armed ?? true };
  }

  router.get(LOW_BALANCE_THRESHOLD_PATH, access, async (req, res) => {
    const account = await accountOf(req);
    res.json(await view(String(req.params.billingAccountId), account.id, account.currency));
  });

  router.put(LOW_BALANCE_THRESHOLD_PATH, access, async (req, res) => {
    const parsed = bodySchema.safeParse(req.body);
    if (!parsed.success) throw badRequest(describeZodError(parsed.error));
    const threshold = parsed.data.threshold === null ? null : money(parsed.data.threshold);
    if (threshold && (threshold.lt(0) || threshold.decimalPlaces() > 2 || threshold.gte('1e12'))) throw badRequest('threshold: an amount of money from 0, in cents (at most 2 decimals), below 1000000000000');
    const account = await accountOf(req);
    await deps.knex.transaction(async (trx) => {
      await setLowBalanceThreshold(trx, account.id, parsed.data.threshold);
      // A balance the new threshold no longer counts as low is told again at its next crossing.
      await rearmLowBalance(trx, account.id, deps.clock.now(), deps.defaultThreshold);
    });
    res.json(await view(String(req.params.billingAccountId), account.id, account.currency));
  });
  return router;
}

/** The OpenAPI description of the threshold calls. */
export function lowBalanceThresholdOpenApi(): OpenApiPart {
  const path = '/api/prepay/accounts/{billingAccountId}/low-balance-threshold';
  const param = { name: 'billingAccountId', in: 'path', required: true, schema: { type: 'string' } };
  const answer = {
    type: 'object',
    properties: {
      billingAccountId: { type: 'string' },
      currency: { type: 'string' },
      threshold: { type: ['string', 'null'] },
      effectiveThreshold: { type: 'string' },
      armed: { type: 'boolean' },
    },
  };
  const responses = { '200': { description: 'The threshold', content: json(answer) }, ...commonErrors, '404': errorResponse('No prepaid account of that billing account in view') };
  return {
    paths: {
      [path]: {
        get: { tags: ['prepay low balance'], operationId: 'getLowBalanceThreshold', parameters: [param], responses },
        put: {
          tags: ['prepay low balance'],
          operationId: 'setLowBalanceThreshold',
          parameters: [param],
          requestBody: { required: true, content: json({ type: 'object', required: ['threshold'], properties: { threshold: { type: ['string', 'null'] } } }) },
          responses,
        },
      },
    },
  };
}
