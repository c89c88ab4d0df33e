/**
 * The bill-run benchmark: N postpaid accounts (default 10,000, `BENCH_BILL_ACCOUNTS`) are billed
 * for one cycle by the real closeBillingCycle activity, several at a time as workers would run
 * them, against a floor measured in the same run on the same database: the plain SQL aggregate of
 * the same data (recurring fees, one-time charges, and the usage per account, type and band) in
 * one statement. Prints both times and their ratio, then checks the outcome: one bill per account,
 * every one-time charge billed, the ledger equal to the bills, the usage on the bills equal to the
 * usage generated, and a second run of the close returning the same bills.
 *
 * Accounts mix the cases a bill handles: the Fibre + Mobile bundle (discount), a mobile line
 * activated mid-cycle with its SIM fee (proration, one-time charge), a line terminated mid-cycle.
 * Rated usage (`BENCH_BILL_USAGE` records per account, default 200) is generated here: the bill run
 * reads it through UsageForBilling from memory, summed as the usage domain hands it over; the floor
 * aggregates the same records from a table. `BENCH_QUERY_TIMES=1` also prints where the bill
 * run spent its database time, per statement.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Knex } from 'knex';
import { createBillRunActivities } from '../activities/billing/bill-run';
import { defaultBillingSettings } from '../activities/billing/settings';
import type { UsageForBilling, UsageToBill } from '../activities/billing/types';
import { createKnex } from '../db/knex';
import { migrateAndSeed } from '../db/setup';
import { systemClock } from '../domain/clock';
import { money, roundToCent, sum, type Money } from '../domain/money';
import type { SoldPrice } from '../domain/ordering/plan';
import { startEmbeddedPostgres } from '../runtime/embedded-postgres';
import { freePort } from '../test/helpers/ports';
import { mulberry32 } from '../domain/seeded-random';

export interface BillRunBenchOptions {
  /** Accounts to bill (default BENCH_BILL_ACCOUNTS or 10,000). */
  accounts?: number;
  /** Rated usage records per account (default BENCH_BILL_USAGE or 200). */
  usagePerAccount?: number;
  /** Closes in flight at once (default BENCH_BILL_CONCURRENCY or 16). */
  concurrency?: number;
  /** An existing database to use (it is migrated); default: an embedded PostgreSQL in a temporary folder. */
  databaseUrl?: string;
  log?: (msg: string) => void;
}

/** The whole run, as the target says: 10,000 bills on these 2 cores. */
const TARGET_SECONDS = 120;
const CYCLE = { start: '2026-11-01', end: '2026-12-01' };
const PUBLIC_URL = 'http://localhost:3000';

const monthly = (id: string, name: string, amount: string): SoldPrice => ({ id, version: '1.0', name, priceType: 'recurring', amount, currency: 'EUR', taxRate: '21', period: { type: 'month', length: 1 } });
const P20 = monthly('bench-p20', 'Postpaid 20 GB monthly fee', '25.00');
const UNLIMITED = monthly('bench-unl', 'Postpaid unlimited monthly fee', '45.00');
const FIBRE = monthly('bench-ftth', 'Fibre 1 Gbps monthly fee', '35.00');
const DISCOUNT: SoldPrice = { id: 'bench-fm15', version: '1.0', name: 'Fibre + Mobile 15% discount', priceType: 'discount', percentage: '15', taxRate: '21', discounts: ['bench-ftth', 'bench-p20'] };
const USAGE_PRICES = { voice: 'bench-voice', sms: 'bench-sms', data: 'bench-data' } as const;

interface BenchAccount {
  id: string;
  customerId: string;
  mobileSubscriptionId: string;
}

/** Customers, billing accounts, subscriptions and one-time charges, written in batches. */
async function createAccounts(knex: Knex, n: number): Promise<BenchAccount[]> {
  const accounts: BenchAccount[] = [];
  const customers: object[] = [];
  const billingAccounts: object[] = [];
  const subscriptions: object[] = [];
  const charges: object[] = [];
  const now = new Date();
  for (let i = 0; i < n; i++) {
    const customerId = randomUUID();
    const id = randomUUID();
    const orderId = randomUUID();
    const name = `Bench Customer ${i}`;
    customers.push({
      id: customerId,
      customer_id: customerId,
      body: { id: customerId, name, status: 'Active', contactMedium: [{ mediumType: 'email', characteristic: { emailAddress: `bench-${i}@example.com` } }, { mediumType: 'postalAddress', characteristic: { street1: `Calle ${i}`, postCode: '28013', city: 'Madrid', country: 'ES' } }], characteristic: [{ name: 'preferredLanguage', value: i % 2 ? 'es' : 'en' }] },
    });
    billingAccounts.push({
      id,
      customer_id: customerId,
      body: { id, name, state: 'Active', accountType: 'postpaid', relatedParty: [{ id: customerId, role: 'customer', '@referredType': 'Customer' }], billStructure: { billCycleDay: 1, currency: 'EUR', timeZone: 'Europe/Madrid', paymentType: 'postpaid' } },
    });
    const sub = (productKey: string, prices: SoldPrice[], startDate: string, endDate: string | null = null) => {
      const subId = randomUUID();
      subscriptions.push({ id: subId, billing_account_id: id, customer_id: customerId, order_id: orderId, product_key: productKey, product_id: randomUUID(), offering_id: 'bench', offering_version: '1.0', prices: JSON.stringify(prices), start_date: startDate, end_date: endDate, status: endDate ? 'terminated' : 'active', created_at: now });
      return subId;
    };
    let mobile: string;
    if (i % 3 === 0) {
      sub('item-1', [DISCOUNT], '2026-10-01');
      sub('item-1/1', [FIBRE], '2026-10-01');
      mobile = sub('item-1/2', [P20], '2026-10-01');
    } else if (i % 3 === 1) {
      mobile = sub('item-1', [P20], `2026-11-${String((i % 28) + 1).padStart(2, '0')}`);
      charges.push({ id: randomUUID(), billing_account_id: id, order_id: orderId, product_key: 'item-1', price_id: 'bench-sim', price_version: '1.0', description: 'SIM card fee', net: '5.00', tax: '1.05', tax_rate: '21', currency: 'EUR', status: 'pending', created_at: now });
    } else {
      mobile = sub('item-1', [UNLIMITED], '2026-09-01', `2026-11-${String((i % 15) + 10).padStart(2, '0')}`);
    }
    accounts.push({ id, customerId, mobileSubscriptionId: mobile });
  }
  await knex.batchInsert('crm_customer', customers as Array<Record<string, unknown>>, 1000);
  await knex.batchInsert('crm_billing_account', billingAccounts as Array<Record<string, unknown>>, 1000);
  await knex.batchInsert('billing_subscription', subscriptions as Array<Record<string, unknown>>, 1000);
  await knex.batchInsert('billing_one_time_charge', charges as Array<Record<string, unknown>>, 1000);
  return accounts;
}

/** One rated record: what the usage domain stores per event. */
interface RatedRecord {
  usageType: 'voice' | 'sms' | 'data';
  band: string;
  quantity: string;
  amount: string;
}

function recordsFor(index: number, count: number): RatedRecord[] {
  const rand = mulberry32(index + 1);
  const records: RatedRecord[] = [];
  for (let k = 0; k < count; k++) {
    const r = rand();
    if (r < 0.5) {
      const seconds = 1 + Math.floor(rand() * 900);
      const international = rand() < 0.2;
      const rate = international ? '0.50' : '0.08';
      records.push({ usageType: 'voice', band: international ? 'international' : 'national', quantity: String(seconds), amount: money(rate).times(Math.max(60, seconds)).dividedBy(60).toDecimalPlaces(6).toFixed(6) });
    } else if (r < 0.8) {
      const international = rand() < 0.3;
      records.push({ usageType: 'sms', band: international ? 'international' : 'national', quantity: '1', amount: international ? '0.300000' : '0.000000' });
    } else {
      const kb = 1 + Math.floor(rand() * 50_000);
      records.push({ usageType: 'data', band: 'any', quantity: String(kb * 1024), amount: money('0.01').times(kb).dividedBy(1024).toDecimalPlaces(6).toFixed(6) });
    }
  }
  return records;
}

/** The records summed as the usage domain hands them to the bill run. */
function summed(account: BenchAccount, records: RatedRecord[]): UsageToBill[] {
  const groups = new Map<string, { type: RatedRecord['usageType']; band: string; n: number; q: Money; a: Money }>();
  for (const r of records) {
    const key = `${r.usageType}/${r.band}`;
    const g = groups.get(key) ?? { type: r.usageType, band: r.band, n: 0, q: money(0), a: money(0) };
    g.n += 1;
    g.q = g.q.plus(r.quantity);
    g.a = g.a.plus(r.amount);
    groups.set(key, g);
  }
  return [...groups.values()].map((g) => ({ subscriptionId: account.mobileSubscriptionId, msisdn: null, usageType: g.type, band: g.band, priceId: USAGE_PRICES[g.type], records: g.n, quantity: g.q.toFixed(0), amount: g.a.toFixed(6), currency: 'EUR' }));
}

/** The same records in a table, for the SQL floor (the bill run reads them from memory). */
async function loadUsageTable(knex: Knex, accounts: BenchAccount[], perAccount: number, byAccount: Map<string, UsageToBill[]>): Promise<void> {
  await knex.raw('CREATE UNLOGGED TABLE IF NOT EXISTS bench_rated_usage (billing_account_id text NOT NULL, subscription_id uuid, usage_type text NOT NULL, band text NOT NULL, quantity numeric NOT NULL, amount numeric(18,6) NOT NULL)');
  await knex.raw('TRUNCATE bench_rated_usage');
  const cols: [string[], string[], string[], string[], string[], string[]] = [[], [], [], [], [], []];
  const flush = async () => {
    if (!cols[0].length) return;
    await knex.raw('INSERT INTO bench_rated_usage SELECT * FROM unnest(?::text[], ?::uuid[], ?::text[], ?::text[], ?::numeric[], ?::numeric[])', cols);
    for (const c of cols) c.length = 0;
  };
  for (let i = 0; i < accounts.length; i++) {
    const records = recordsFor(i, perAccount);
    byAccount.set(accounts[i].id, summed(accounts[i], records));
    for (const r of records) {
      cols[0].push(accounts[i].id);
      cols[1].push(accounts[i].mobileSubscriptionId);
      cols[2].push(r.usageType);
      cols[3].push(r.band);
      cols[4].push(r.quantity);
      cols[5].push(r.amount);
    }
    if (cols[0].length >= 50_000) await flush();
  }
  await flush();
  await knex.raw('ANALYZE bench_rated_usage');
}

/** The floor: the same data summed per account in one SQL statement. */
async function sqlAggregate(knex: Knex): Promise<{ accounts: number; ms: number }> {
  const began = performance.now();
  const { rows } = await knex.raw(`
    WITH recurring AS (
      SELECT s.billing_account_id, sum((p->>'amount')::numeric) AS fees
      FROM billing_subscription s CROSS JOIN LATERAL jsonb_array_elements(s.prices) p
      WHERE s.status <> 'voided' AND p->>'priceType' = 'recurring' AND s.start_date < '${CYCLE.end}' AND (s.end_date IS NULL OR s.end_date > '${CYCLE.start}')
      GROUP BY 1),
    one_time AS (SELECT billing_account_id, sum(net) AS net FROM billing_one_time_charge WHERE status IN ('pending', 'billed') GROUP BY 1),
    usage AS (
      SELECT billing_account_id, sum(amount) AS amount FROM (
        SELECT billing_account_id, usage_type, band, count(*), sum(quantity), sum(amount) AS amount FROM bench_rated_usage GROUP BY 1, 2, 3) g
      GROUP BY 1)
    SELECT count(*)::int AS accounts, sum(coalesce(r.fees, 0) + coalesce(o.net, 0) + coalesce(u.amount, 0)) AS total
    FROM recurring r FULL JOIN one_time o USING (billing_account_id) FULL JOIN usage u USING (billing_account_id)`);
  return { accounts: rows[0].accounts as number, ms: performance.now() - began };
}

/** Runs `task` over the items, `concurrency` at a time. */
async function pool<T>(items: T[], concurrency: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await task(items[next++]);
    }),
  );
}

/** Runs the benchmark; resolves true when the bills came out right. */
export async function benchBillRun(opts: BillRunBenchOptions = {}): Promise<boolean> {
  const n = opts.accounts ?? Number(process.env.BENCH_BILL_ACCOUNTS ?? 10_000);
  const perAccount = opts.usagePerAccount ?? Number(process.env.BENCH_BILL_USAGE ?? 200);
  const concurrency = opts.concurrency ?? Number(process.env.BENCH_BILL_CONCURRENCY ?? 16);
  const log = opts.log ?? ((msg: string) => console.log(`[billing] ${msg}`));
  const stops: Array<() => Promise<void>> = [];
  try {
    let url = opts.databaseUrl;
    if (!url) {
      const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bss-bench-bill-'));
      fs.chmodSync(workDir, 0o755); // PostgreSQL runs as its own OS user and must reach its data folder
      const pg = await startEmbeddedPostgres({ dataDir: path.join(workDir, 'postgres'), port: await freePort(), password: randomBytes(12).toString('hex'), database: 'bss_bench', log: () => undefined });
      stops.unshift(async () => fs.rmSync(workDir, { recursive: true, force: true }), pg.stop);
      url = pg.url;
    }
    const knex = createKnex(url, { max: concurrency + 2 });
    stops.unshift(() => knex.destroy());
    log('migrating and seeding…');
    await migrateAndSeed(knex, PUBLIC_URL);

    log(`creating ${n} postpaid accounts and ${n * perAccount} rated usage records…`);
    const accounts = await createAccounts(knex, n);
    const usageByAccount = new Map<string, UsageToBill[]>();
    await loadUsageTable(knex, accounts, perAccount, usageByAccount);
    await knex.raw('ANALYZE');
    let marked = 0;
    const usage: UsageForBilling = {
      usageToBill: async (accountId) => usageByAccount.get(accountId) ?? [],
      markUsageBilled: async (accountId) => {
        marked += 1;
        return (usageByAccount.get(accountId) ?? []).reduce((total, u) => total + u.records, 0);
      },
    };
    const billRun = createBillRunActivities({ knex, clock: systemClock, publicUrl: PUBLIC_URL, usage, sendNotification: async () => [], settings: defaultBillingSettings(PUBLIC_URL) });

    log('floor: the plain SQL aggregate of the same data…');
    await sqlAggregate(knex); // warm the cache as the bill run will find it
    const floor = await sqlAggregate(knex);

    const timings = new Map<string, { n: number; ms: number }>();
    const started = new Map<string, number>();
    if (process.env.BENCH_QUERY_TIMES) {
      knex.on('query', (q: { __knexQueryUid: string }) => started.set(q.__knexQueryUid, performance.now()));
      knex.on('query-response', (_r: unknown, q: { __knexQueryUid: string; sql: string }) => {
        const key = q.sql.slice(0, 70);
        const t = timings.get(key) ?? { n: 0, ms: 0 };
        t.n += 1;
        t.ms += performance.now() - (started.get(q.__knexQueryUid) ?? performance.now());
        timings.set(key, t);
      });
    }
    log(`billing ${n} accounts, ${concurrency} at a time…`);
    const began = performance.now();
    const cpuBefore = process.cpuUsage();
    await pool(accounts, concurrency, async (a) => {
      await billRun.closeBillingCycle({ billingAccountId: a.id, cycle: CYCLE });
    });
    const billMs = performance.now() - began;
    const cpu = process.cpuUsage(cpuBefore);
    const cpuMsPerBill = (cpu.user + cpu.system) / 1000 / n;
    for (const [sql, t] of [...timings].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25)) console.log(`  ${t.ms.toFixed(0).padStart(8)} ms ${String(t.n).padStart(6)}× ${sql}`);

    // Checks: one bill per account, charges billed once, ledger = bills, usage as generated, retries change nothing.
    const [{ bills, charges }] = (await knex('billing_bill').select(knex.raw('count(*)::int AS bills'), knex.raw('coalesce(sum(total_charges), 0) AS charges'))) as Array<{ bills: number; charges: string }>;
    const [{ ledger }] = (await knex('billing_account_entry').where({ kind: 'bill' }).select(knex.raw('coalesce(sum(amount), 0) AS ledger'))) as Array<{ ledger: string }>;
    const [{ pending }] = (await knex('billing_one_time_charge').where({ status: 'pending' }).count({ pending: '*' })) as Array<{ pending: string }>;
    const [{ billedUsage }] = (await knex('billing_bill_line').where({ kind: 'usage' }).select(knex.raw('coalesce(sum(net), 0) AS "billedUsage"'))) as Array<{ billedUsage: string }>;
    const expectedUsage = sum([...usageByAccount.values()].flat().map((u) => roundToCent(money(u.amount)))).toFixed(2);
    const sample = accounts.slice(0, Math.min(100, n));
    const firstIds = await knex('billing_bill').whereIn('billing_account_id', sample.map((a) => a.id)).pluck('id');
    const again = await Promise.all(sample.map((a) => billRun.closeBillingCycle({ billingAccountId: a.id, cycle: CYCLE })));
    const [{ afterRetry }] = (await knex('billing_bill').select(knex.raw('count(*)::int AS "afterRetry"'))) as Array<{ afterRetry: number }>;
    const problems = [
      bills !== n && `${bills} bills for ${n} accounts`,
      floor.accounts !== n && `the floor saw ${floor.accounts} accounts`,
      money(charges).comparedTo(money(ledger)) !== 0 && `ledger ${ledger} ≠ bills ${charges}`,
      pending !== '0' && `${pending} one-time charges left pending`,
      money(billedUsage).comparedTo(money(expectedUsage)) !== 0 && `usage billed ${billedUsage} ≠ generated ${expectedUsage}`,
      marked < n && `usage marked billed for ${marked} of ${n} accounts`,
      (afterRetry !== n || !again.every((b) => firstIds.includes(b.billId))) && 'a second close issued another bill',
    ].filter((p): p is string => !!p);

    const perSecond = (n / billMs) * 1000;
    console.log(`  accounts billed       ${n} (${perAccount} usage records each, ${concurrency} closes at a time)`);
    console.log(`  bill run              ${(billMs / 1000).toFixed(1)} s, ${perSecond.toFixed(0)} bills/s, total charges ${charges} EUR`);
    console.log(`  this process's CPU    ${cpuMsPerBill.toFixed(1)} ms per bill (the rest of the time is PostgreSQL and waiting)`);
    console.log(`  SQL aggregate (floor) ${(floor.ms / 1000).toFixed(2)} s over the same subscriptions, one-time charges and ${n * perAccount} usage records`);
    console.log(`  ratio                 ${(billMs / floor.ms).toFixed(1)}× the floor; ${n} bills in ${(billMs / 1000).toFixed(1)} s (target ${TARGET_SECONDS} s for 10,000: ${((billMs / 1000) * (10_000 / n)).toFixed(1)} s at this rate)`);
    for (const p of problems) console.error(`  WRONG: ${p}`);
    return problems.length === 0;
  } finally {
    for (const stop of stops) await stop().catch(() => undefined);
  }
}

if (require.main === module) {
  void benchBillRun().then((ok) => process.exit(ok ? 0 : 1));
}
