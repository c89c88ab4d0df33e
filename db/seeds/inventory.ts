/** Seeds the number pool: 10,000 Spanish mobile numbers, +34 600 000 000 … +34 600 009 999. */
import type { Knex } from 'knex';
import { addMsisdnRange } from '../inventory';

export async function seedInventory(knex: Knex): Promise<void> {
  await addMsisdnRange(knex, '+34600000000', 10_000);
}
