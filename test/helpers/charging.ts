/** Prepaid lines for charging tests: an account, its numbers on a product, and its buckets. */
import { randomInt, randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { addBucket, addChargingSubscriber, openChargingAccount, type BucketType } from '../../db/charging';

/** Offerings of the seed catalog whose usage prices the engine rates with. */
export const OFFERING = {
  payg: { id: '0ffe0000-0000-4000-8000-000000000002', version: '1.0' },
  prepaid10: { id: '0ffe0000-0000-4000-8000-000000000001', version: '1.0' },
};

export interface TestBucket {
  type: BucketType;
  amount: string;
  priority?: number;
  creditLimit?: string;
  validFrom?: Date;
  validUntil?: Date;
  /** The index of the line that owns it (none: every line of the account draws on it). */
  owner?: number;
}

export interface TestLine {
  accountId: string;
  msisdn: string;
  imsi: string;
  productId: string;
  /** Bucket ids in the order given. */
  buckets: string[];
}

const UNIT: Record<BucketType, string> = { money: 'EUR', data: 'octets', voice: 'seconds', sms: 'events' };

/** A TMF637 product of the offering (prices resolved from the offering), as an order leaves it. */
export async function createProduct(knex: Knex, offering = OFFERING.payg): Promise<string> {
  const id = randomUUID();
  await knex('product_inventory').insert({ id, customer_id: randomUUID(), body: { id, status: 'active', productOffering: offering, productPrice: [] } });
  return id;
}

/** A random Spanish mobile number and an IMSI. */
export const newNumber = () => ({ msisdn: `+346${String(randomInt(10_000_000, 99_999_999))}`, imsi: `21401${String(randomInt(1e9, 1e10 - 1))}` });

/** A charging account with buckets, and `lines` numbers drawing on it (one product each). */
export async function createPrepaidAccount(knex: Knex, opts: { buckets: TestBucket[]; lines?: number; offering?: { id: string; version: string }; productId?: string | null; at?: Date }): Promise<TestLine[]> {
  const at = opts.at ?? new Date('2026-01-01T00:00:00Z');
  const accountId = await openChargingAccount(knex, { customerId: randomUUID(), billingAccountId: randomUUID(), currency: 'EUR', now: at });
  const buckets: string[] = [];
  const lines: TestLine[] = [];
  for (let i = 0; i < (opts.lines ?? 1); i++) {
    const productId = opts.productId === undefined ? await createProduct(knex, opts.offering) : opts.productId;
    const { msisdn, imsi } = newNumber();
    await addChargingSubscriber(knex, { msisdn, imsi, chargingAccountId: accountId, productId: productId ?? undefined, now: at });
    lines.push({ accountId, msisdn, imsi, productId: productId ?? '', buckets });
  }
  for (const [i, b] of opts.buckets.entries()) {
    const origin = `test:${accountId}:${i}`;
    const ownerMsisdn = b.owner === undefined ? undefined : lines[b.owner].msisdn;
    await addBucket(knex, { chargingAccountId: accountId, origin, type: b.type, unit: UNIT[b.type], amount: b.amount, priority: b.priority ?? (b.type === 'money' ? 100 : 10), validFrom: b.validFrom ?? at, validUntil: b.validUntil, ownerMsisdn });
    const row = await knex('charging_bucket').where({ origin }).first('id');
    if (b.creditLimit) await knex('charging_bucket').where({ id: row.id }).update({ credit_limit: b.creditLimit });
    buckets.push(row.id);
  }
  return lines;
}

/** A bucket's balance and reserved amount as stored. */
export async function bucketState(knex: Knex, id: string): Promise<{ balance: string; reserved: string }> {
  const row = await knex('charging_bucket').where({ id }).first(knex.raw('balance::text AS balance'), knex.raw('reserved::text AS reserved'));
  return { balance: row.balance, reserved: row.reserved };
}

/** The ledger rows of a bucket, oldest first, as [kind, amount]. */
export async function ledgerOf(knex: Knex, bucketId: string): Promise<Array<[string, string]>> {
  const rows = await knex('charging_ledger').where({ bucket_id: bucketId }).orderBy('id').select('kind', knex.raw('amount::text AS amount'));
  return rows.map((r: { kind: string; amount: string }) => [r.kind, r.amount]);
}
