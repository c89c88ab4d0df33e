/** Prepaid customers with a charging account and buckets, and the ledger invariant, for balance tests. */
import type { Knex } from 'knex';
import { addBucket, openChargingAccount } from '../../db/charging';
import { createActiveCustomer, type TestCustomer } from './customers';

export interface PrepaidCustomer extends TestCustomer {
  chargingAccountId: string;
  moneyBucketId: string;
  dataBucketId: string;
}

/** An active prepaid customer with a money bucket (`money` EUR) and 1 GiB of data valid for 30 days. */
export async function createPrepaidCustomer(knex: Knex, opts: { money?: string; creditLimit?: string; cardLast4?: string; now?: Date } = {}): Promise<PrepaidCustomer> {
  const now = opts.now ?? new Date();
  const customer = await createActiveCustomer(knex, { paymentType: 'prepaid', cardLast4: opts.cardLast4, publicUrl: 'http://bss.test' });
  const chargingAccountId = await openChargingAccount(knex, { customerId: customer.customerId, billingAccountId: customer.billingAccountId, currency: 'EUR', now });
  const validFrom = new Date(now.getTime() - 3600_000);
  await addBucket(knex, { chargingAccountId, origin: `test:${chargingAccountId}:money`, type: 'money', unit: 'EUR', amount: opts.money ?? '20.00', priority: 100, validFrom });
  await addBucket(knex, {
    chargingAccountId,
    origin: `test:${chargingAccountId}:data`,
    type: 'data',
    unit: 'octets',
    amount: String(2 ** 30),
    priority: 10,
    validFrom,
    validUntil: new Date(now.getTime() + 30 * 86400_000),
  });
  if (opts.creditLimit) await knex('charging_bucket').where({ origin: `test:${chargingAccountId}:money` }).update({ credit_limit: opts.creditLimit });
  const id = async (kind: string) => (await knex('charging_bucket').where({ origin: `test:${chargingAccountId}:${kind}` }).first('id')).id as string;
  return { ...customer, chargingAccountId, moneyBucketId: await id('money'), dataBucketId: await id('data') };
}

/**
 * Buckets of these accounts whose balance is not initial + credits − debits, or whose reserved is
 * not reservations − releases, by the ledger; and how many buckets were checked.
 */
export async function ledgerMismatches(knex: Knex, chargingAccountIds: string[]): Promise<{ checked: number; mismatched: unknown[] }> {
  const { rows } = (await knex.raw(
    `SELECT b.id, b.initial, b.balance, b.reserved, coalesce(l.net, 0) AS net, coalesce(l.held, 0) AS held,
            b.balance = b.initial + coalesce(l.net, 0) AND b.reserved = coalesce(l.held, 0) AS reconciles
     FROM charging_bucket b
     LEFT JOIN (
       SELECT bucket_id,
              sum(CASE kind WHEN 'credit' THEN amount WHEN 'debit' THEN -amount ELSE 0 END) AS net,
              sum(CASE kind WHEN 'reservation' THEN amount WHEN 'release' THEN -amount ELSE 0 END) AS held
       FROM charging_ledger GROUP BY bucket_id
     ) l ON l.bucket_id = b.id
     WHERE b.charging_account_id = ANY(?::uuid[])`,
    [chargingAccountIds],
  )) as { rows: Array<{ reconciles: boolean }> };
  return { checked: rows.length, mismatched: rows.filter((r) => !r.reconciles) };
}
