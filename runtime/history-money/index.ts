/**
 * A year of generated history with its money: db/seeds/history writes customers, orders, queries
 * and interactions; for each completed order this adds, through the system's own activities,
 * engine and payment steps, the postpaid billing (usage, bills, payments) or prepaid charging
 * (top-ups, usage charged online) it set going. Reproducible from the seed, like the rest.
 */
import type { Knex } from 'knex';
import { generateHistory, seeded, type HistoryOptions, type HistorySummary } from '../../db/seeds/history';
import { createMoneyContext } from './context';
import { writePostpaidMoney } from './postpaid';
import { writePrepaidMoney } from './prepaid';
import type { MoneySummary } from './summary';

export type { MoneySummary } from './summary';

/** The history's summary with the money it wrote. */
export interface HistoryWithMoneySummary extends HistorySummary {
  money: MoneySummary;
}

/** Writes a history and its money into the database at `databaseUrl` (which `knex` points at too). */
export async function generateHistoryWithMoney(
  knex: Knex,
  opts: Omit<HistoryOptions, 'afterOrder'> & { databaseUrl: string },
  onCustomer?: (done: number) => void,
): Promise<HistoryWithMoneySummary> {
  const { databaseUrl, ...history } = opts;
  const ctx = await createMoneyContext({ knex, databaseUrl, publicUrl: opts.publicUrl, start: opts.end });
  try {
    const summary = await generateHistory(knex, {
      ...history,
      afterOrder: (order) => (order.paymentType === 'postpaid' ? writePostpaidMoney(ctx, order, seeded(order.seed)) : writePrepaidMoney(ctx, order, seeded(order.seed))),
    }, onCustomer);
    return { ...summary, money: ctx.summary };
  } finally {
    await ctx.close();
  }
}
