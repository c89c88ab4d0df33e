/** POST bucket (admin): a new bucket on a customer's charging account, or on a standalone one. */
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { chargingAccountOfBillingAccount, insertPrepayBucket, openStandaloneAccount } from '../db/prepay-balance';
import { money } from '../domain/money';
import { bucketTypeOf, parseQuantityAmount, sameUnits } from '../domain/prepay/quantity';
import { unprocessable, type ActionDeps } from './prepay-action-rules';
import type { bucketCreateSchema } from './schemas/tmf654';
import { badRequest } from './tmf/errors';

const UNITS = { data: 'octets', voice: 'seconds', sms: 'events' } as const;

/**
 * POST bucket (admin): a bucket on the charging account of `partyAccount`, or standalone; returns
 * its id. With a `logicalResource` (an MSISDN of that account), only that line draws on it (not
 * money: that is always the account's).
 */
export async function createBucket(deps: ActionDeps, body: z.infer<typeof bucketCreateSchema>, now: Date): Promise<string> {
  const type = bucketTypeOf(body.usageType);
  if (!type) throw unprocessable('usageType: buckets hold monetary, voice, data or sms');
  const amount = body.remainingValue ? parseQuantityAmount(body.remainingValue.amount) : money(0);
  if (amount.lt(0)) throw badRequest('remainingValue.amount: must not be negative');
  const creditLimit = body.creditLimit ? parseQuantityAmount(body.creditLimit.amount) : undefined;
  if (creditLimit && (type !== 'money' || creditLimit.lt(0))) throw badRequest('creditLimit: a money bucket may have a credit limit of zero or more');
  const owner = body.logicalResource?.[0]?.id;
  if (owner !== undefined && !body.partyAccount) throw unprocessable("logicalResource: a line's bucket is on its partyAccount");
  if (owner !== undefined && type === 'money') throw unprocessable("logicalResource: money is the account's, shared by its lines");
  const id = randomUUID();
  return deps.knex.transaction(async (trx) => {
    let accountId: string;
    let currency: string;
    if (body.partyAccount) {
      const account = await chargingAccountOfBillingAccount(trx, body.partyAccount.id);
      if (!account) throw unprocessable(`partyAccount: billing account ${body.partyAccount.id} has no prepaid charging account`);
      [accountId, currency] = [account.id, account.currency];
    } else {
      currency = type === 'money' ? (body.remainingValue?.units ?? 'EUR').toUpperCase() : 'EUR';
      accountId = await openStandaloneAccount(trx, { bucketId: id, currency, now });
    }
    if (owner !== undefined) {
      // Locked until the bucket is in: a line closing meanwhile ends its buckets after, not before.
      const line = await trx('charging_subscriber').where({ msisdn: owner, charging_account_id: accountId, status: 'active' }).forShare().first('msisdn');
      if (!line) throw unprocessable(`logicalResource: ${owner} is no active line of the partyAccount's charging account`);
    }
    const unit = type === 'money' ? currency : UNITS[type];
    if (body.remainingValue && !sameUnits(body.remainingValue.units, unit)) throw unprocessable(`remainingValue.units: this bucket holds ${unit}`);
    if (body.creditLimit && !sameUnits(body.creditLimit.units, unit)) throw unprocessable(`creditLimit.units: this bucket holds ${unit}`);
    const validFrom = body.validFor?.startDateTime ? new Date(body.validFor.startDateTime) : now;
    const validUntil = body.validFor?.endDateTime ? new Date(body.validFor.endDateTime) : undefined;
    if (validUntil && validUntil <= validFrom) throw badRequest('validFor: ends before it starts');
    return insertPrepayBucket(trx, {
      id,
      chargingAccountId: accountId,
      type,
      unit,
      amount: amount.toFixed(),
      creditLimit: creditLimit?.toFixed(),
      priority: type === 'money' ? 100 : 10,
      validFrom,
      validUntil,
      ownerMsisdn: owner,
      now,
    });
  });
}
