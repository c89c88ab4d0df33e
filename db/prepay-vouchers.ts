/**
 * Top-up vouchers. Only the SHA-256 of a code is stored; a voucher is burnt by the top-up that
 * redeems it, in that top-up's transaction, under a row lock: of two redemptions at once, one
 * burns it and the other finds it used.
 */
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import type { Db } from './knex';

/** How a code is keyed: case, spaces and dashes as printed on a card do not matter. */
export function voucherCodeHash(code: string): string {
  return createHash('sha256').update(code.replace(/[\s-]/g, '').toUpperCase()).digest('hex');
}

export interface Voucher {
  serial: string;
  value: string;
  currency: string;
  state: 'unused' | 'used';
  expiresAt: Date;
}

/** The voucher of a code, its row locked for the transaction; undefined for an unknown code. */
export async function lockVoucher(trx: Knex.Transaction, code: string): Promise<Voucher | undefined> {
  const row = await trx('prepay_voucher').where({ code_hash: voucherCodeHash(code) }).forUpdate().first();
  return row && { serial: row.serial, value: String(row.value), currency: row.currency, state: row.state, expiresAt: new Date(row.expires_at) };
}

/** Burns a voucher locked by lockVoucher for a top-up. */
export async function burnVoucher(trx: Knex.Transaction, code: string, topupId: string, now: Date): Promise<void> {
  const changed = await trx('prepay_voucher').where({ code_hash: voucherCodeHash(code), state: 'unused' }).update({ state: 'used', used_at: now, used_by_topup: topupId });
  if (changed !== 1) throw new Error('voucher was not unused');
}

/** Adds a voucher unless its code or serial exists; returns whether it was added. */
export async function insertVoucher(db: Db, v: { code: string; serial: string; value: string; currency: string; expiresAt: Date; now: Date }): Promise<boolean> {
  const rows = await db('prepay_voucher')
    .insert({ code_hash: voucherCodeHash(v.code), serial: v.serial, value: v.value, currency: v.currency, state: 'unused', expires_at: v.expiresAt, created_at: v.now })
    .onConflict()
    .ignore()
    .returning('serial');
  return rows.length > 0;
}
