/**
 * What the money of a generated history is written with: the system's own activities (billing,
 * bill run, charging, top-ups), the TMF676 card payment steps and the OCS charging engine, all on
 * one manual clock that the generator moves to each moment; numbers for the generated lines; and
 * the running summary of what was written.
 */
import type { Knex } from 'knex';
import pg from 'pg';
import { createBillingActivities } from '../../activities/billing';
import { createBillRunActivities } from '../../activities/billing/bill-run';
import { createBillingCycleActivities } from '../../activities/billing/cycle';
import { defaultBillingSettings } from '../../activities/billing/settings';
import { createChargingActivities } from '../../activities/charging';
import { DEFAULT_LOW_BALANCE_THRESHOLD } from '../../activities/prepay';
import { createTopUpActivities, type PrepayDeps } from '../../activities/prepay/top-up';
import { SimulatedPaymentGateway } from '../../activities/payments/gateway';
import { markUsageBilled, usageToBill } from '../../db/usage-billing';
import { ManualClock } from '../../domain/clock';
import { createChargingEngine } from '../../ocs/engine';
import { createOrderPlanner } from './plan';
import { emptyMoneySummary, type MoneySummary } from './summary';

/** Bills and top-ups of the history tell nobody: the customers are made up. */
async function noNotification(): Promise<never> {
  throw new Error('the generated history sends no notifications');
}

/** Mobile numbers of generated lines: +34 71x xxx xxx, outside the number stock (+34 600 …). */
const MSISDN_PREFIX = '+3471';

/** What the lanes writing a history share: the summary, and the numbers of the generated lines. */
export async function createSharedMoneyState(knex: Knex) {
  // A history added to one that exists takes the numbers after the last one it used.
  const { rows } = await knex.raw(
    `SELECT coalesce(max(substring(msisdn FROM 6)::bigint), -1) AS last FROM (
       SELECT msisdn FROM charging_subscriber WHERE msisdn LIKE ? UNION ALL SELECT msisdn FROM billing_subscription WHERE msisdn LIKE ?) n`,
    [`${MSISDN_PREFIX}%`, `${MSISDN_PREFIX}%`],
  );
  let lastLine = Number(rows[0].last);
  return {
    summary: emptyMoneySummary() as MoneySummary,
    /** The next line's number and IMSI. */
    nextLine(): { msisdn: string; imsi: string } {
      lastLine++;
      return { msisdn: `${MSISDN_PREFIX}${String(lastLine).padStart(7, '0')}`, imsi: `21471${String(lastLine).padStart(10, '0')}` };
    },
  };
}

export type SharedMoneyState = Awaited<ReturnType<typeof createSharedMoneyState>>;

/** One lane's tools, on a clock of its own (lanes write different customers at once). */
export function createMoneyContext(deps: { knex: Knex; databaseUrl: string; publicUrl: string; start: Date; shared: SharedMoneyState }) {
  const { knex, publicUrl } = deps;
  const clock = new ManualClock(deps.start);
  const paymentGateway = new SimulatedPaymentGateway();
  const sendNotification = noNotification;
  const pool = new pg.Pool({ connectionString: deps.databaseUrl, max: 1 });
  // An idle connection the server ends (npm start stopping PostgreSQL while the history is being
  // written) is dropped by the pool; without a listener its error event would end the process.
  // A query's failure still reaches the writer through its promise.
  pool.on('error', () => undefined);
  const prepay: PrepayDeps = { knex, clock, publicUrl, paymentGateway, sendNotification, lowBalanceThreshold: DEFAULT_LOW_BALANCE_THRESHOLD };

  return {
    knex,
    clock,
    publicUrl,
    paymentGateway,
    prepay,
    planOrder: createOrderPlanner(knex),
    billing: createBillingActivities({ knex, clock }),
    billingCycle: createBillingCycleActivities({ knex, clock, sendNotification }),
    billRun: createBillRunActivities({
      knex,
      clock,
      publicUrl,
      sendNotification,
      settings: defaultBillingSettings(publicUrl),
      usage: { usageToBill: (id, cycleStart) => usageToBill(knex, id, cycleStart), markUsageBilled: (id, cycleStart, billId) => markUsageBilled(knex, id, cycleStart, billId) },
    }),
    charging: createChargingActivities({ knex, clock }),
    topUps: createTopUpActivities(prepay),
    // The clock goes back to each new customer's first day: tariffs are read once for the whole history.
    engine: createChargingEngine({ pool, clock, config: { tariffTtlMs: 100 * 365 * 86_400_000 } }),
    summary: deps.shared.summary,
    nextLine: deps.shared.nextLine,
    close: () => pool.end(),
  };
}

export type MoneyContext = ReturnType<typeof createMoneyContext>;
