/** The postpaid account ledger books each reference once and sums to what is owed. */
import { randomUUID } from 'node:crypto';
import { accountBalance, accountEntriesBetween, bookAccountEntry } from '../db/billing-ledger';
import { createKnex } from '../db/knex';

const knex = createKnex(process.env.DATABASE_URL!);
afterAll(() => knex.destroy());

describe('billing account ledger', () => {
  const account = randomUUID();
  const at = (iso: string) => new Date(iso);

  it('books bills, payments and adjustments once per reference and sums them', async () => {
    const entry = { billingAccountId: account, currency: 'EUR', description: 'test' };
    expect(await bookAccountEntry(knex, { ...entry, kind: 'bill', amount: '72.60', reference: `bill:${account}:1`, bookedAt: at('2026-11-01T00:00:00Z') })).toBe(true);
    expect(await bookAccountEntry(knex, { ...entry, kind: 'payment', amount: '-50.00', reference: `pay:${account}:1`, bookedAt: at('2026-11-10T00:00:00Z') })).toBe(true);
    expect(await bookAccountEntry(knex, { ...entry, kind: 'payment', amount: '-50.00', reference: `pay:${account}:1`, bookedAt: at('2026-11-10T00:00:00Z') })).toBe(false);
    expect(await bookAccountEntry(knex, { ...entry, kind: 'adjustment', amount: '-2.60', reference: `adj:${account}:1`, bookedAt: at('2026-11-20T00:00:00Z') })).toBe(true);

    expect(await accountBalance(knex, account)).toBe('20.00');
    expect(await accountBalance(knex, account, at('2026-11-10T00:00:00Z'))).toBe('72.60');
    const inNovember = await accountEntriesBetween(knex, account, at('2026-11-05T00:00:00Z'), at('2026-12-01T00:00:00Z'));
    expect(inNovember.map((e) => [e.kind, e.amount])).toEqual([
      ['payment', '-50.00'],
      ['adjustment', '-2.60'],
    ]);
  });

  it('refuses a payment booked as a positive amount', async () => {
    await expect(
      bookAccountEntry(knex, { billingAccountId: account, kind: 'payment', amount: '10.00', currency: 'EUR', reference: `pay:${account}:bad`, description: 'wrong sign', bookedAt: new Date() }),
    ).rejects.toThrow(/billing_account_entry_sign/);
    expect(await accountBalance(knex, account)).toBe('20.00');
  });
});
