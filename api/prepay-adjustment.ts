/** POST adjustBalance (staff): credits and debits in a bucket's units, never below its credit limit. */
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { applyLedgerEntry, availableOf, lockPrepayBucket } from '../db/prepay-balance';
import { rearmLowBalance } from '../db/prepay-housekeeping';
import { adjustBalanceModel } from '../db/prepay-models';
import { insertTmfDocument } from '../db/tmf-store';
import { bucketStatusOf, parseQuantityAmount, usageTypeOf } from '../domain/prepay/quantity';
import type { Principal } from './auth';
import { actionDocument, partiesFor, recordUnknownBucket, settle, throwIfOtherUnits, unprocessable, type ActionDeps, type Stored } from './prepay-action-rules';
import { bucketRef } from './prepay-balance-views';
import type { adjustBalanceSchema } from './schemas/tmf654';
import { badRequest } from './tmf/errors';

/** POST adjustBalance (staff): a positive amount credits, a negative one debits down to the credit limit at most. */
export async function createAdjustment(deps: ActionDeps, principal: Principal, body: z.infer<typeof adjustBalanceSchema>, now: Date): Promise<Stored> {
  if (!body.amount) throw badRequest('amount: required');
  if (!body.bucket) throw badRequest('bucket: required (the bucket to adjust)');
  const amount = parseQuantityAmount(body.amount.amount);
  if (amount.isZero()) throw badRequest('amount.amount: an adjustment is not zero (positive credits, negative debits)');
  const id = randomUUID();
  const base = actionDocument(adjustBalanceModel, deps.publicUrl, body, id, now);
  return deps.knex.transaction(async (trx) => {
    const bucket = await lockPrepayBucket(trx, body.bucket!.id);
    if (!bucket) return recordUnknownBucket(trx, principal, adjustBalanceModel, base, `bucket ${body.bucket!.id}`, now);
    throwIfOtherUnits(body.amount!.units, bucket);
    if (body.usageType && body.usageType !== usageTypeOf(bucket.type)) throw unprocessable(`usageType: bucket ${bucket.id} is ${usageTypeOf(bucket.type)}`);
    if (amount.lt(0) && availableOf(bucket).plus(amount).lt(0)) {
      throw unprocessable(`amount: a debit of ${amount.abs().toFixed()} ${bucket.unit} would take bucket ${bucket.id} below its credit limit (available ${availableOf(bucket).toFixed()})`);
    }
    const kind = amount.gt(0) ? 'credit' : 'debit';
    // Housekeeping would debit it again as expired at its next run.
    if (kind === 'credit' && bucketStatusOf(bucket, now) === 'expired') throw unprocessable(`bucket ${bucket.id} is expired: a credit to it would expire`);
    await applyLedgerEntry(trx, { bucketId: bucket.id, kind, amount: amount.abs().toFixed(), reference: `adjustment:${id}`, now });
    if (kind === 'credit' && bucket.type === 'money') await rearmLowBalance(trx, bucket.chargingAccountId, now, deps.lowBalanceThreshold);
    const doc = { ...base, usageType: usageTypeOf(bucket.type), bucket: bucketRef(deps.publicUrl, bucket.id), relatedParty: partiesFor(deps.publicUrl, bucket, body.relatedParty) };
    return { doc: await insertTmfDocument(trx, adjustBalanceModel, settle(doc, 'completed', now), now) };
  });
}
