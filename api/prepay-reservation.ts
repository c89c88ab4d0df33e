/** POST reserveBalance and its cancellation: an amount held on a bucket until its end, then released. */
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { applyLedgerEntry, availableOf, lockPrepayBucket } from '../db/prepay-balance';
import { insertReservationHold, releaseReservationHold } from '../db/prepay-housekeeping';
import { reserveBalanceModel } from '../db/prepay-models';
import { findResource, type TmfDocument } from '../db/tmf-resources';
import { insertTmfDocument, patchTmfResource } from '../db/tmf-store';
import { usageTypeOf } from '../domain/prepay/quantity';
import type { Principal } from './auth';
import { actionDocument, partiesFor, positiveAmount, recordUnknownBucket, settle, throwIfNotUsable, throwIfOtherCustomer, throwIfOtherUnits, unprocessable, type ActionDeps, type Stored } from './prepay-action-rules';
import { bucketRef } from './prepay-balance-views';
import type { reserveBalanceSchema } from './schemas/tmf654';
import { badRequest, notFound, TmfError } from './tmf/errors';

/** Default and longest life of a TMF654 reservation. */
export const DEFAULT_RESERVATION_MS = 15 * 60_000;
export const MAX_RESERVATION_MS = 30 * 24 * 3600_000;

/** POST reserveBalance: holds an amount of a bucket until validFor.endDateTime; housekeeping releases it after. */
export async function createReservation(deps: ActionDeps, principal: Principal, body: z.infer<typeof reserveBalanceSchema>, now: Date): Promise<Stored> {
  if (!body.bucket) throw badRequest('bucket: required (the bucket to reserve on)');
  const amount = positiveAmount(body.amount);
  if (!amount) throw badRequest('amount: required');
  const end = body.validFor?.endDateTime ? new Date(body.validFor.endDateTime) : new Date(now.getTime() + DEFAULT_RESERVATION_MS);
  if (end <= now) throw unprocessable('validFor.endDateTime: must be in the future');
  if (end.getTime() - now.getTime() > MAX_RESERVATION_MS) throw unprocessable('validFor.endDateTime: a reservation lasts 30 days at most');
  const id = randomUUID();
  const base = actionDocument(reserveBalanceModel, deps.publicUrl, body, id, now);
  return deps.knex.transaction(async (trx) => {
    const bucket = await lockPrepayBucket(trx, body.bucket!.id);
    if (!bucket) return recordUnknownBucket(trx, principal, reserveBalanceModel, base, `bucket ${body.bucket!.id}`, now);
    throwIfOtherCustomer(principal, bucket);
    throwIfNotUsable(bucket, now);
    throwIfOtherUnits(body.amount!.units, bucket);
    if (availableOf(bucket).lt(amount)) throw unprocessable(`amount: bucket ${bucket.id} has ${availableOf(bucket).toFixed()} ${bucket.unit} available`);
    await applyLedgerEntry(trx, { bucketId: bucket.id, kind: 'reservation', amount: amount.toFixed(), reference: `reservation:${id}`, now });
    await insertReservationHold(trx, { reservationId: id, bucketId: bucket.id, amount: amount.toFixed(), expiresAt: end, now });
    const doc = {
      ...base,
      usageType: usageTypeOf(bucket.type),
      bucket: bucketRef(deps.publicUrl, bucket.id),
      relatedParty: partiesFor(deps.publicUrl, bucket, body.relatedParty),
      validFor: { startDateTime: now.toISOString(), endDateTime: end.toISOString() },
    };
    return { doc: await insertTmfDocument(trx, reserveBalanceModel, settle(doc, 'completed', now), now) };
  });
}

/**
 * PATCH reserveBalance `{"status": "cancelled"}`: gives back what a reservation still holds, at
 * once (a second cancel changes nothing). Nothing else of a reservation changes afterwards.
 */
export async function cancelReservation(deps: ActionDeps, scope: { customerId?: string }, id: string, patch: Record<string, unknown>, now: Date): Promise<TmfDocument> {
  const { reason, ...rest } = patch;
  if (rest.status !== 'cancelled' || Object.keys(rest).length !== 1 || (reason !== undefined && typeof reason !== 'string')) {
    throw badRequest('status: a reservation is only changed by cancelling it ({"status": "cancelled", "reason": "…"})');
  }
  return deps.knex.transaction(async (trx) => {
    const before = await findResource(trx, reserveBalanceModel.table, id, { forUpdate: true, scope });
    if (!before) throw notFound(`ReserveBalance ${id}`);
    if (before.status === 'cancelled') return before;
    if (before.status !== 'completed') throw new TmfError(409, 'Conflict', `a ${String(before.status)} reservation holds nothing to cancel`);
    // Ended and given back by the housekeeping already: its release date stays what it was.
    if (!(await releaseReservationHold(trx, id, now))) throw new TmfError(409, 'Conflict', `the reservation ended at ${String(before.releaseDate)} and holds nothing to cancel`);
    return (await patchTmfResource(trx, reserveBalanceModel, id, { status: 'cancelled', releaseDate: now.toISOString(), ...(reason ? { cancellationReason: reason } : {}) }, now))!;
  });
}
