/**
 * Business reports, computed by SQL over the report_* materialised views: each returns a flat
 * table (columns and rows) for a period of whole months in the operator's time zone, filtered by
 * channel, product and region where the report has them. Counts are integers; hours and
 * percentages are decimal strings (one decimal), computed in PostgreSQL.
 */
import type { Knex } from 'knex';
import type { Db } from './knex';

export interface ReportFilters {
  /** First month, YYYY-MM. */
  from: string;
  /** Last month, YYYY-MM (inclusive). */
  to: string;
  channel?: string;
  product?: string;
  region?: string;
  /** IANA time zone that months are counted in. */
  timeZone: string;
}

export type ReportRow = Record<string, string | number | null>;
export interface ReportTable {
  columns: string[];
  rows: ReportRow[];
}

/** Which filters each report understands (others are refused by the API). */
export const REPORT_DIMENSIONS = {
  customers: ['channel', 'region'],
  'customers-by-channel': ['channel', 'region'],
  'customers-by-region': ['channel', 'region'],
  orders: ['channel', 'product', 'region'],
  'order-lead-time': ['channel', 'product', 'region'],
  'order-fallout': ['channel', 'product', 'region'],
  queries: ['channel', 'region'],
  interactions: ['channel', 'region'],
  revenue: ['product', 'region'],
  collections: ['region'],
  arpu: ['region'],
  'prepaid-topups': ['region'],
  'prepaid-balances': ['region'],
  'prepaid-usage': ['product', 'region'],
} as const;
export type ReportName = keyof typeof REPORT_DIMENSIONS;

const VIEWS = ['report_customer', 'report_order_item', 'report_ticket', 'report_interaction', 'report_account', 'report_bill_line', 'report_ledger_entry', 'report_topup', 'report_prepaid_balance', 'report_prepaid_usage'];

/** Recomputes every report view (concurrently: readers keep the previous data meanwhile). */
export async function refreshReportViews(knex: Knex): Promise<void> {
  // Order matters: the later views join report_customer.
  for (const view of VIEWS) await knex.raw(`REFRESH MATERIALIZED VIEW CONCURRENTLY ${view}`);
}

/** The months of the period as [start, end) instants in the time zone, and the month labels. */
const PERIOD = `
  months AS (
    SELECT to_char(m, 'YYYY-MM') AS month, (m AT TIME ZONE :tz) AS starts, ((m + interval '1 month') AT TIME ZONE :tz) AS ends
    FROM generate_series(to_date(:from, 'YYYY-MM')::timestamp, to_date(:to, 'YYYY-MM')::timestamp, interval '1 month') m
  ),
  period AS (SELECT min(starts) AS starts, max(ends) AS ends FROM months)`;

/** `AND column = :name` for each filter given that the report has. */
function dimensionFilter(f: ReportFilters, alias: string, dims: readonly string[]): string {
  return dims.filter((d) => f[d as 'channel' | 'product' | 'region'] !== undefined).map((d) => ` AND ${alias}.${d} = :${d}`).join('');
}

function bindings(f: ReportFilters): Record<string, string> {
  const b: Record<string, string> = { tz: f.timeZone, from: f.from, to: f.to };
  for (const d of ['channel', 'product', 'region'] as const) if (f[d] !== undefined) b[d] = f[d]!;
  return b;
}

async function table(db: Db, sql: string, f: ReportFilters, columns: string[]): Promise<ReportTable> {
  const result = await db.raw(sql, bindings(f));
  const rows = (result.rows as ReportRow[]).map((r) => Object.fromEntries(columns.map((c) => [c, r[c] ?? null])));
  return { columns, rows };
}

/** A sum of money as text with 2 decimals (0.00 when there is nothing to sum). */
const MONEY = (sql: string) => `coalesce(${sql}, 0)::numeric(14,2)::text`;
const PERCENTILE = (p: number, from: string, to: string) => `round((percentile_cont(${p}) WITHIN GROUP (ORDER BY extract(epoch FROM (${to} - ${from})) / 3600))::numeric, 1)::text`;

const REPORTS: Record<ReportName, (db: Db, f: ReportFilters) => Promise<ReportTable>> = {
  /** Per month: customers acquired (first active), churned (closed after being active), active at the month's end. */
  customers: (db, f) =>
    table(db, `WITH ${PERIOD}, c AS (SELECT * FROM report_customer c WHERE c.activated_at IS NOT NULL${dimensionFilter(f, 'c', REPORT_DIMENSIONS.customers)})
      SELECT m.month,
        (SELECT count(*) FROM c WHERE c.activated_at >= m.starts AND c.activated_at < m.ends)::int AS new,
        (SELECT count(*) FROM c WHERE c.churned_at >= m.starts AND c.churned_at < m.ends)::int AS churned,
        (SELECT count(*) FROM c WHERE c.activated_at < m.ends AND (c.churned_at IS NULL OR c.churned_at >= m.ends))::int AS active
      FROM months m ORDER BY m.month`, f, ['month', 'new', 'churned', 'active']),

  /** Customers acquired per month and channel of acquisition. */
  'customers-by-channel': (db, f) =>
    table(db, `WITH ${PERIOD}
      SELECT m.month, c.channel, count(*)::int AS new
      FROM months m JOIN report_customer c ON c.activated_at >= m.starts AND c.activated_at < m.ends
      WHERE true${dimensionFilter(f, 'c', REPORT_DIMENSIONS['customers-by-channel'])}
      GROUP BY m.month, c.channel ORDER BY m.month, c.channel`, f, ['month', 'channel', 'new']),

  /** Per region: customers acquired in the period and active at its end. */
  'customers-by-region': (db, f) =>
    table(db, `WITH ${PERIOD}
      SELECT c.region,
        count(*) FILTER (WHERE c.activated_at >= p.starts AND c.activated_at < p.ends)::int AS new,
        count(*) FILTER (WHERE c.activated_at < p.ends AND (c.churned_at IS NULL OR c.churned_at >= p.ends))::int AS active
      FROM report_customer c, period p
      WHERE c.activated_at IS NOT NULL${dimensionFilter(f, 'c', REPORT_DIMENSIONS['customers-by-region'])}
      GROUP BY c.region HAVING count(*) FILTER (WHERE c.activated_at < p.ends) > 0 ORDER BY c.region`, f, ['region', 'new', 'active']),

  /** Ordered items per month (of ordering), product, channel and the order's state. */
  orders: (db, f) =>
    table(db, `WITH ${PERIOD}
      SELECT m.month, o.product, o.channel, o.state, count(DISTINCT o.order_id)::int AS orders
      FROM months m JOIN report_order_item o ON o.ordered_at >= m.starts AND o.ordered_at < m.ends
      WHERE true${dimensionFilter(f, 'o', REPORT_DIMENSIONS.orders)}
      GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`, f, ['month', 'product', 'channel', 'state', 'orders']),

  /** Lead time from acknowledged to completed, per month of completion and product: median and 90th percentile, in hours. */
  'order-lead-time': (db, f) =>
    table(db, `WITH ${PERIOD}
      SELECT m.month, o.product, count(DISTINCT o.order_id)::int AS completed,
        ${PERCENTILE(0.5, 'o.ordered_at', 'o.finished_at')} AS p50_hours,
        ${PERCENTILE(0.9, 'o.ordered_at', 'o.finished_at')} AS p90_hours
      FROM months m JOIN report_order_item o ON o.finished_at >= m.starts AND o.finished_at < m.ends AND o.state = 'completed'
      WHERE true${dimensionFilter(f, 'o', REPORT_DIMENSIONS['order-lead-time'])}
      GROUP BY 1, 2 ORDER BY 1, 2`, f, ['month', 'product', 'completed', 'p50_hours', 'p90_hours']),

  /** Why orders of the period were rejected or failed: orders per reason. */
  'order-fallout': (db, f) =>
    table(db, `WITH ${PERIOD}
      SELECT reason, count(DISTINCT o.order_id)::int AS orders
      FROM report_order_item o, period p, unnest(o.fallout_reasons) reason
      WHERE o.ordered_at >= p.starts AND o.ordered_at < p.ends${dimensionFilter(f, 'o', REPORT_DIMENSIONS['order-fallout'])}
      GROUP BY reason ORDER BY orders DESC, reason`, f, ['reason', 'orders']),

  /** Queries per month (opened) and kind: how many, resolved, within their resolution time, and the median time to resolve. */
  queries: (db, f) =>
    table(db, `WITH ${PERIOD}
      SELECT m.month, t.ticket_type, count(*)::int AS opened,
        count(t.resolved_at)::int AS resolved,
        count(*) FILTER (WHERE t.resolved_at <= t.due_at)::int AS within_sla,
        CASE WHEN count(t.resolved_at) > 0 THEN round(100.0 * count(*) FILTER (WHERE t.resolved_at <= t.due_at) / count(t.resolved_at), 1)::text END AS sla_compliance_pct,
        ${PERCENTILE(0.5, 't.opened_at', 't.resolved_at')} AS p50_hours_to_resolve
      FROM months m JOIN report_ticket t ON t.opened_at >= m.starts AND t.opened_at < m.ends
      WHERE true${dimensionFilter(f, 't', REPORT_DIMENSIONS.queries)}
      GROUP BY 1, 2 ORDER BY 1, 2`, f, ['month', 'ticket_type', 'opened', 'resolved', 'within_sla', 'sla_compliance_pct', 'p50_hours_to_resolve']),

  /** Contacts with customers per month, channel and direction. */
  interactions: (db, f) =>
    table(db, `WITH ${PERIOD}
      SELECT m.month, i.channel, i.direction, count(*)::int AS interactions
      FROM months m JOIN report_interaction i ON i.at >= m.starts AND i.at < m.ends
      WHERE true${dimensionFilter(f, 'i', REPORT_DIMENSIONS.interactions)}
      GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`, f, ['month', 'channel', 'direction', 'interactions']),

  /** What was billed per month of issue and product: net, tax and gross. */
  revenue: (db, f) =>
    table(db, `WITH ${PERIOD}
      SELECT m.month, l.product, ${MONEY('sum(l.net)')} AS billed_net, ${MONEY('sum(l.tax)')} AS billed_tax, ${MONEY('sum(l.gross)')} AS billed_gross
      FROM months m JOIN report_bill_line l ON to_char(l.issue_date, 'YYYY-MM') = m.month
      WHERE true${dimensionFilter(f, 'l', REPORT_DIMENSIONS.revenue)}
      GROUP BY 1, 2 ORDER BY 1, 2`, f, ['month', 'product', 'billed_net', 'billed_tax', 'billed_gross']),

  /** Postpaid money per month: billed (bills of cycles ending in it), collected, refunded, and outstanding at its end. */
  collections: (db, f) =>
    table(db, `WITH ${PERIOD}, e AS (SELECT * FROM report_ledger_entry e WHERE true${dimensionFilter(f, 'e', REPORT_DIMENSIONS.collections)})
      SELECT m.month,
        ${MONEY(`(SELECT sum(amount) FROM e WHERE kind = 'bill' AND booked_at >= m.starts AND booked_at < m.ends)`)} AS billed,
        ${MONEY(`(SELECT -sum(amount) FROM e WHERE kind = 'payment' AND booked_at >= m.starts AND booked_at < m.ends)`)} AS collected,
        ${MONEY(`(SELECT sum(amount) FROM e WHERE kind = 'refund' AND booked_at >= m.starts AND booked_at < m.ends)`)} AS refunded,
        ${MONEY(`(SELECT sum(owed) FROM (SELECT sum(amount) AS owed FROM e WHERE booked_at < m.ends GROUP BY billing_account_id) o WHERE owed > 0)`)} AS outstanding
      FROM months m ORDER BY m.month`, f, ['month', 'billed', 'collected', 'refunded', 'outstanding']),

  /**
   * Average revenue per customer, per month and payment type: postpaid, the net billed by bills
   * issued in the month; prepaid, the top-ups paid in it; over the customers active at its end.
   */
  arpu: (db, f) =>
    table(db, `WITH ${PERIOD},
      active AS (
        SELECT m.month, ra.payment_type, count(DISTINCT c.id) AS customers
        FROM months m
        JOIN report_customer c ON c.activated_at < m.ends AND (c.churned_at IS NULL OR c.churned_at >= m.ends)
        JOIN report_account ra ON ra.customer_id = c.id
        WHERE true${dimensionFilter(f, 'ra', REPORT_DIMENSIONS.arpu)}
        GROUP BY 1, 2),
      revenue AS (
        SELECT to_char(l.issue_date, 'YYYY-MM') AS month, 'postpaid' AS payment_type, sum(l.net) AS revenue
        FROM report_bill_line l WHERE true${dimensionFilter(f, 'l', REPORT_DIMENSIONS.arpu)} GROUP BY 1
        UNION ALL
        SELECT m.month, 'prepaid', sum(t.amount)
        FROM months m JOIN report_topup t ON t.at >= m.starts AND t.at < m.ends
        WHERE true${dimensionFilter(f, 't', REPORT_DIMENSIONS.arpu)} GROUP BY 1)
      SELECT m.month, pt.payment_type, ${MONEY('r.revenue')} AS revenue, coalesce(a.customers, 0)::int AS customers,
        CASE WHEN a.customers > 0 THEN round(coalesce(r.revenue, 0) / a.customers, 2)::text END AS arpu
      FROM months m CROSS JOIN (VALUES ('postpaid'), ('prepaid')) pt(payment_type)
      LEFT JOIN revenue r ON r.month = m.month AND r.payment_type = pt.payment_type
      LEFT JOIN active a ON a.month = m.month AND a.payment_type = pt.payment_type
      ORDER BY 1, 2`, f, ['month', 'payment_type', 'revenue', 'customers', 'arpu']),

  /** Prepaid top-ups completed per month and how they were paid (card, voucher, counter). */
  'prepaid-topups': (db, f) =>
    table(db, `WITH ${PERIOD}
      SELECT m.month, t.method, count(*)::int AS topups, ${MONEY('sum(t.amount)')} AS amount
      FROM months m JOIN report_topup t ON t.at >= m.starts AND t.at < m.ends
      WHERE true${dimensionFilter(f, 't', REPORT_DIMENSIONS['prepaid-topups'])}
      GROUP BY 1, 2 ORDER BY 1, 2`, f, ['month', 'method', 'topups', 'amount']),

  /** How much prepaid accounts hold now (as of the last refresh), in bands; the period does not apply. */
  'prepaid-balances': (db, f) =>
    table(db, `WITH bands(band, low, high, ord) AS (VALUES
        ('below 0', NULL::numeric, 0::numeric, 1), ('0 to 5', 0, 5, 2), ('5 to 10', 5, 10, 3), ('10 to 20', 10, 20, 4), ('20 to 50', 20, 50, 5), ('50 or more', 50, NULL, 6))
      SELECT bands.band, count(p.*)::int AS accounts, ${MONEY('sum(p.balance)')} AS balance
      FROM bands LEFT JOIN report_prepaid_balance p
        ON (bands.low IS NULL OR p.balance >= bands.low) AND (bands.high IS NULL OR p.balance < bands.high)${dimensionFilter(f, 'p', REPORT_DIMENSIONS['prepaid-balances'])}
      GROUP BY bands.band, bands.ord ORDER BY bands.ord`, f, ['band', 'accounts', 'balance']),

  /**
   * Prepaid usage per month and service, from the charging engine's debits: `units` drawn from
   * allowance buckets (seconds, events or octets: the service's `unit`) and money `charged` from
   * money buckets. Units paid with money are in `charged`, not in `units`: the ledger keeps the
   * money they cost, not their quantity. Reservations and releases are not usage.
   */
  'prepaid-usage': (db, f) =>
    table(db, `WITH ${PERIOD}
      SELECT m.month, u.service, min(u.unit) AS unit, trim_scale(sum(u.units))::text AS units, ${MONEY('sum(u.charged)')} AS charged
      FROM months m JOIN report_prepaid_usage u ON u.at >= m.starts AND u.at < m.ends
      WHERE true${dimensionFilter(f, 'u', REPORT_DIMENSIONS['prepaid-usage'])}
      GROUP BY 1, 2 ORDER BY 1, 2`, f, ['month', 'service', 'unit', 'units', 'charged']),
};

/** Computes one report. */
export function runReport(db: Db, name: ReportName, filters: ReportFilters): Promise<ReportTable> {
  return REPORTS[name](db, filters);
}

/** Every dimension value reports can be filtered by, for the page's filter lists. */
export async function reportDimensionValues(db: Db): Promise<{ channel: string[]; product: string[]; region: string[] }> {
  const values = async (sql: string) => ((await db.raw(sql)).rows as Array<{ v: string }>).map((r) => r.v);
  const [channel, product, region] = await Promise.all([
    values(`SELECT DISTINCT channel AS v FROM report_customer UNION SELECT DISTINCT channel FROM report_order_item UNION SELECT DISTINCT channel FROM report_ticket UNION SELECT DISTINCT channel FROM report_interaction ORDER BY 1`),
    values(`SELECT DISTINCT product AS v FROM report_order_item ORDER BY 1`),
    values(`SELECT DISTINCT region AS v FROM report_customer ORDER BY 1`),
  ]);
  return { channel, product, region };
}
