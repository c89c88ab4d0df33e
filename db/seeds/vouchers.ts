/** Top-up vouchers of the embedded default only (codes in the README), added once: runtime/start.ts seeds them into the embedded database. */
import type { Knex } from 'knex';
import { insertVoucher } from '../prepay-vouchers';

/** Printed codes, for trying top-ups by voucher on a fresh install. Never use these in production. */
export const SEED_VOUCHERS = [
  { code: 'BSS-DEMO-0005-EUR', serial: 'SEED-0005', value: '5.00' },
  { code: 'BSS-DEMO-0010-EUR', serial: 'SEED-0010', value: '10.00' },
  { code: 'BSS-DEMO-0020-EUR', serial: 'SEED-0020', value: '20.00' },
] as const;

export async function seedVouchers(knex: Knex): Promise<void> {
  for (const v of SEED_VOUCHERS) {
    await insertVoucher(knex, { ...v, currency: 'EUR', expiresAt: new Date('2030-12-31T23:59:59Z'), now: new Date('2026-11-27T00:00:00Z') });
  }
}
