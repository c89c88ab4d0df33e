/**
 * A year of generated history with its money: db/seeds/history writes customers, orders, queries
 * and interactions; for each completed order this adds, through the system's own activities,
 * engine and payment steps, the postpaid billing (usage, bills, payments) or prepaid charging
 * (top-ups, usage charged online) it set going. Reproducible from the seed, like the rest.
 */
import { createKnex } from '../../db/knex';
import { generateHistory, seeded, type CompletedOrder, type HistoryOptions, type HistorySummary } from '../../db/seeds/history';
import { createMoneyContext, createSharedMoneyState, type MoneyContext } from './context';
import { writePostpaidMoney } from './postpaid';
import { writePrepaidMoney } from './prepaid';
import type { MoneySummary } from './summary';

export type { MoneySummary } from './summary';

/** The history's summary with the money it wrote. */
export interface HistoryWithMoneySummary extends HistorySummary {
  money: MoneySummary;
}

/**
 * The connection string with commits that do not wait for the disk (synchronous_commit off): the
 * history is thousands of small transactions, and a crash loses at most its last moments (made-up
 * data, never a customer's). Nothing else of the system uses these connections.
 */
function withoutWaitingForDisk(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  url.searchParams.set('options', `${url.searchParams.get('options') ?? ''} -c synchronous_commit=off`.trim());
  return url.toString();
}

/** Customers whose money is written at once (PostgreSQL and Node each get a core of the two). */
const LANES = 2;

/** Writes a history and its money into the database at `databaseUrl`. */
export async function generateHistoryWithMoney(databaseUrl: string, opts: Omit<HistoryOptions, 'afterOrder'>, onCustomer?: (done: number) => void): Promise<HistoryWithMoneySummary> {
  const url = withoutWaitingForDisk(databaseUrl);
  const knex = createKnex(url, { max: 2 + LANES });
  const shared = await createSharedMoneyState(knex);
  const lanes = Array.from({ length: LANES }, () => ({ ctx: createMoneyContext({ knex, databaseUrl: url, publicUrl: opts.publicUrl, start: opts.end, shared }), busy: Promise.resolve() }));
  const write = (ctx: MoneyContext, order: CompletedOrder) => (order.paymentType === 'postpaid' ? writePostpaidMoney(ctx, order, seeded(order.seed)) : writePrepaidMoney(ctx, order, seeded(order.seed)));
  let next = 0;
  try {
    const summary = await generateHistory(knex, {
      ...opts,
      // Each order's money goes to the next lane once that lane is done with its last one; the
      // history moves on meanwhile. A failure surfaces at that lane's next turn, or at the end.
      afterOrder: async (order) => {
        const lane = lanes[next++ % LANES];
        await lane.busy;
        lane.busy = write(lane.ctx, order);
        // Handled here so that it waits for its turn without counting as an unhandled rejection.
        lane.busy.catch(() => undefined);
      },
    }, onCustomer);
    await Promise.all(lanes.map((l) => l.busy));
    return { ...summary, money: shared.summary };
  } finally {
    await Promise.allSettled(lanes.map((l) => l.busy));
    await Promise.all(lanes.map((l) => l.ctx.close()));
    await knex.destroy();
  }
}
