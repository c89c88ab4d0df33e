/** POST topupBalance: by voucher or (staff) at the counter in one transaction, by card through the workflow `topup-<id>`. */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { z } from 'zod';
import { applyLedgerEntry, lockPrepayBucket, moneyBucketOfBillingAccount, type PrepayBucket } from '../db/prepay-balance';
import { rearmLowBalance } from '../db/prepay-housekeeping';
import { topupBalanceModel } from '../db/prepay-models';
import { burnVoucher, lockVoucher } from '../db/prepay-vouchers';
import { findResource, isUuid, type TmfDocument } from '../db/tmf-resources';
import { insertTmfDocument } from '../db/tmf-store';
import { money, type Money } from '../domain/money';
import { paidAmountProblem, parseQuantityAmount, sameUnits, toQuantity } from '../domain/prepay/quantity';
import { uuidV5 } from '../domain/uuid';
import type { Principal } from './auth';
import { actionDocument, isCustomer, partiesFor, positiveAmount, recordUnknownBucket, settle, throwIfNotUsable, throwIfOtherCustomer, throwIfOtherUnits, unprocessable, type ActionDeps, type CardTopUp, type Stored } from './prepay-action-rules';
import { bucketRef } from './prepay-balance-views';
import type { topupBalanceSchema } from './schemas/tmf654';
import { badRequest, conflict } from './tmf/errors';

/** The bucket a top-up goes to: `bucket`, else the money bucket of `partyAccount`. */
async function topupTarget(trx: Knex.Transaction, body: { bucket?: { id: string }; partyAccount?: { id: string } }): Promise<{ bucket?: PrepayBucket; named: string }> {
  if (body.bucket) return { bucket: await lockPrepayBucket(trx, body.bucket.id), named: `bucket ${body.bucket.id}` };
  if (!body.partyAccount) throw badRequest('bucket: name the bucket (bucket.id) or the billing account (partyAccount.id) to top up');
  const bucketId = await moneyBucketOfBillingAccount(trx, body.partyAccount.id);
  return { bucket: bucketId ? await lockPrepayBucket(trx, bucketId) : undefined, named: `money bucket of billing account ${body.partyAccount.id}` };
}

/** Our namespace for the ids of top-ups named by an Idempotency-Key (a fixed random UUID). */
const TOPUP_KEY_NAMESPACE = '6f1d2b8e-93a4-4c57-8e0b-2a7c5d9e4f13';

/**
 * A top-up sent again with the same Idempotency-Key is the one stored the first time (a client
 * that lost the answer of a card top-up must not pay twice): the same request is answered with it,
 * another one under that key is a conflict.
 */
function repeatOf(earlier: TmfDocument, body: z.infer<typeof topupBalanceSchema>, bucketId: string | undefined, key: string): Stored {
  const was = earlier as { bucket?: { id?: string }; amount?: { amount: number }; paymentMethod?: { id?: string }; voucher?: string };
  const sameAmount = body.amount === undefined || (was.amount !== undefined && money(was.amount.amount).eq(parseQuantityAmount(body.amount.amount)));
  const same =
    was.bucket?.id === (bucketId ?? body.bucket?.id) &&
    sameAmount &&
    was.paymentMethod?.id === body.paymentMethod?.id &&
    was.voucher === (body.voucher === undefined ? undefined : `****${body.voucher.slice(-4)}`);
  if (!same) throw conflict(`Idempotency-Key: ${key} was used for another top-up (${String(earlier.id)})`);
  return { doc: earlier, repeated: true };
}

const cardTopUpOf = (topupId: string, bucket: PrepayBucket, amount: Money, paymentMethodId: string): CardTopUp => ({
  topupId,
  bucketId: bucket.id,
  customerId: bucket.customerId,
  amount: amount.toFixed(),
  currency: bucket.unit,
  paymentMethodId,
});

/** POST topupBalance: by voucher or (staff) at the counter at once; by card through the top-up workflow. */
export async function createTopup(deps: ActionDeps, principal: Principal, body: z.infer<typeof topupBalanceSchema>, now: Date, idempotencyKey?: string): Promise<Stored> {
  if (body.voucher && body.paymentMethod) throw badRequest('voucher, paymentMethod: pay by one of them');
  if (isCustomer(principal) && !body.voucher && !body.paymentMethod) throw badRequest('paymentMethod: a customer tops up by card (paymentMethod) or voucher');
  if (!body.voucher && !body.amount) throw badRequest('amount: required unless a voucher gives it');
  const amount = positiveAmount(body.amount);
  const problem = amount && paidAmountProblem(amount);
  if (problem) throw badRequest(`amount.amount: ${problem}`);
  if (body.usageType && body.usageType !== 'monetary') throw unprocessable('usageType: top-ups add money (monetary)');
  const id = idempotencyKey === undefined ? randomUUID() : uuidV5(`${principal.subject}\n${idempotencyKey}`, TOPUP_KEY_NAMESPACE);
  const { voucher: _code, ...shown } = body;
  const base = actionDocument(topupBalanceModel, deps.publicUrl, { ...shown, usageType: 'monetary', ...(body.voucher ? { voucher: `****${body.voucher.slice(-4)}` } : {}) }, id, now);
  return deps.knex.transaction(async (trx) => {
    const { bucket, named } = await topupTarget(trx, body);
    // Under the bucket's lock, so that a repeat sent at the same moment waits for the first.
    const earlier = idempotencyKey === undefined ? undefined : await findResource(trx, topupBalanceModel.table, id);
    if (earlier) {
      const repeat = repeatOf(earlier, body, bucket?.id, idempotencyKey!);
      // A card top-up still in progress: its workflow is started again should it never have been.
      if (earlier.status === 'created' && bucket && body.paymentMethod && amount) return { ...repeat, cardTopUp: cardTopUpOf(id, bucket, amount, body.paymentMethod.id) };
      return repeat;
    }
    if (!bucket) return recordUnknownBucket(trx, principal, topupBalanceModel, base, named, now);
    throwIfOtherCustomer(principal, bucket);
    if (bucket.type !== 'money') throw unprocessable(`bucket ${bucket.id} holds ${bucket.unit}: top-ups go to a money bucket`);
    throwIfNotUsable(bucket, now);
    if (body.amount) throwIfOtherUnits(body.amount.units, bucket);
    const doc: TmfDocument = { ...base, bucket: bucketRef(deps.publicUrl, bucket.id), relatedParty: partiesFor(deps.publicUrl, bucket, body.relatedParty) };
    if (bucket.billingAccountId) doc.partyAccount = { id: bucket.billingAccountId, '@referredType': 'BillingAccount' };

    if (body.paymentMethod) {
      const card = isUuid(body.paymentMethod.id) && (await trx('crm_payment_method').where({ id: body.paymentMethod.id, customer_id: bucket.customerId, type: 'card' }).first('id'));
      if (!card) throw unprocessable(`paymentMethod: ${body.paymentMethod.id} is not a card of the bucket's customer`);
      const stored = await insertTmfDocument(trx, topupBalanceModel, settle(doc, 'created', now), now);
      return { doc: stored, cardTopUp: cardTopUpOf(id, bucket, amount!, card.id) };
    }

    let credit = amount!;
    if (body.voucher) {
      const voucher = await lockVoucher(trx, body.voucher);
      if (!voucher) throw unprocessable('voucher: unknown code');
      if (voucher.state === 'used') throw unprocessable('voucher: already used');
      if (voucher.expiresAt <= now) throw unprocessable('voucher: expired');
      if (!sameUnits(voucher.currency, bucket.unit)) throw unprocessable(`voucher: worth ${voucher.currency}, the bucket holds ${bucket.unit}`);
      if (amount && !amount.eq(voucher.value)) throw unprocessable(`amount: the voucher is worth ${money(voucher.value).toFixed(2)} ${voucher.currency}`);
      await burnVoucher(trx, body.voucher, id, now);
      credit = money(voucher.value);
      doc.amount = toQuantity(credit, bucket.unit);
    }
    await applyLedgerEntry(trx, { bucketId: bucket.id, kind: 'credit', amount: credit.toFixed(), reference: `topup:${id}`, now });
    await rearmLowBalance(trx, bucket.chargingAccountId, now, deps.lowBalanceThreshold);
    return { doc: await insertTmfDocument(trx, topupBalanceModel, settle(doc, 'completed', now), now) };
  });
}
