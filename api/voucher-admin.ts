/**
 * `POST /api/prepay/vouchers` (admin): issues a batch of top-up vouchers and answers their codes,
 * the only time they are shown (the database keeps their SHA-256). Body: `count` (1–1000),
 * `value` (decimal string), `currency`, `expiresAt` (ISO 8601).
 */
import express, { type Router } from 'express';
import type { Knex } from 'knex';
import { randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { insertVoucher } from '../db/prepay-vouchers';
import type { Clock } from '../domain/clock';
import { money } from '../domain/money';
import { paidAmountProblem } from '../domain/prepay/quantity';
import { requireRole } from './auth';
import { commonErrors, json, type OpenApiPart } from './openapi';
import { decimalString } from './schemas/common';
import { badRequest, describeZodError } from './tmf/errors';

export const VOUCHER_ADMIN_PATH = '/api/prepay/vouchers';

const batchSchema = z.object({
  count: z.number().int().min(1).max(1000),
  value: decimalString,
  currency: z.string().regex(/^[A-Z]{3}$/, 'ISO 4217 currency code'),
  expiresAt: z.iso.datetime({ offset: true }),
});

// Crockford base32 without look-alikes: a code read aloud or typed from a card is not mistaken.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A 20-character code (100 bits) in groups of four: `7K2M-…`. */
export function newVoucherCode(): string {
  const chars = [...randomBytes(20)].map((b) => ALPHABET[b % 32]).join('');
  return chars.match(/.{4}/g)!.join('-');
}

export function voucherAdminRouter(deps: { knex: Knex; clock: Clock }): Router {
  const router = express.Router();
  router.post(VOUCHER_ADMIN_PATH, requireRole('admin'), async (req, res) => {
    const parsed = batchSchema.safeParse(req.body);
    if (!parsed.success) throw badRequest(describeZodError(parsed.error));
    const { count, value, currency, expiresAt } = parsed.data;
    if (money(value).lte(0)) throw badRequest('value: must be greater than zero');
    const problem = paidAmountProblem(money(value));
    if (problem) throw badRequest(`value: ${problem}`);
    const now = deps.clock.now();
    if (new Date(expiresAt) <= now) throw badRequest('expiresAt: must be in the future');
    const batch = randomUUID();
    const vouchers = await deps.knex.transaction(async (trx) => {
      const issued: Array<{ serial: string; code: string }> = [];
      for (let i = 1; i <= count; i++) {
        const voucher = { serial: `${batch}-${i}`, code: newVoucherCode() };
        if (!(await insertVoucher(trx, { ...voucher, value, currency, expiresAt: new Date(expiresAt), now }))) throw new Error('voucher code collision');
        issued.push(voucher);
      }
      return issued;
    });
    res.status(201).json({ batch, value, currency, expiresAt, vouchers });
  });
  return router;
}

/** The OpenAPI description of the voucher batch call. */
export function voucherAdminOpenApi(): OpenApiPart {
  return {
    paths: {
      [VOUCHER_ADMIN_PATH]: {
        post: {
          tags: ['prepay vouchers'],
          operationId: 'issueVouchers',
          requestBody: { required: true, content: json({ type: 'object', required: ['count', 'value', 'currency', 'expiresAt'], properties: { count: { type: 'integer', minimum: 1, maximum: 1000 }, value: { type: 'string' }, currency: { type: 'string' }, expiresAt: { type: 'string', format: 'date-time' } } }) },
          responses: {
            '201': { description: 'The batch and its codes (shown this once)', content: json({ type: 'object' }) },
            ...commonErrors,
          },
        },
      },
    },
  };
}
