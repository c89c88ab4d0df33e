/**
 * Business reports for staff (agent, admin): `GET /api/reports` lists them, `GET
 * /api/reports/{name}` computes one as JSON (or CSV with `format=csv` or `Accept: text/csv`) for
 * a period of months (`from`, `to`: YYYY-MM; default the last 12 months) filtered by `channel`,
 * `product` and `region` where the report has them; `GET /api/reports/dimensions` gives the values
 * the filters take; `POST /api/reports/refresh` (admin) recomputes the views now rather than at
 * the next scheduled refresh.
 */
import express, { type Router } from 'express';
import type { Knex } from 'knex';
import { REPORT_DIMENSIONS, refreshReportViews, reportDimensionValues, runReport, type ReportFilters, type ReportName, type ReportTable } from '../db/reports';
import type { Clock } from '../domain/clock';
import { calendarDateIn } from '../domain/time-zone';
import { requireRole } from './auth';
import { badRequest, notFound } from './tmf/errors';

/** What each report shows, for the list and the page. */
export const REPORT_TITLES: Record<ReportName, string> = {
  customers: 'Customer base: acquired, churned and active per month',
  'customers-by-channel': 'Customers acquired per channel',
  'customers-by-region': 'Customers per region',
  orders: 'Orders by product, channel and state',
  'order-lead-time': 'Order lead time, acknowledged to completed (hours)',
  'order-fallout': 'Order fallout reasons',
  queries: 'Customer queries: volume, SLA compliance, time to resolve',
  interactions: 'Interactions by channel',
  revenue: 'Revenue billed by product',
  collections: 'Postpaid billed, collected and outstanding',
  arpu: 'Average revenue per customer (ARPU), prepaid and postpaid',
  'prepaid-topups': 'Prepaid top-ups by payment method',
  'prepaid-balances': 'Prepaid balances now, in bands',
  'prepaid-usage': 'Prepaid usage by service: allowance units used and money charged',
};

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
const MAX_MONTHS = 60;
const PARAMETERS = new Set(['from', 'to', 'channel', 'product', 'region', 'format']);

const monthIndex = (month: string) => Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1;
const monthOf = (index: number) => `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;

function single(query: express.Request['query'], name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw badRequest(`${name}: give it once, not empty`);
  return value;
}

/** The filters of a request, checked: known parameters only, months in order, filters the report has. */
function filtersOf(req: express.Request, name: ReportName, today: string, timeZone: string): ReportFilters {
  for (const key of Object.keys(req.query)) if (!PARAMETERS.has(key)) throw badRequest(`${key}: not a report parameter (use ${[...PARAMETERS].join(', ')})`);
  const to = single(req.query, 'to') ?? today.slice(0, 7);
  const from = single(req.query, 'from') ?? monthOf(monthIndex(to) - 11);
  if (!MONTH.test(from)) throw badRequest(`from: a month as YYYY-MM, not ${from}`);
  if (!MONTH.test(to)) throw badRequest(`to: a month as YYYY-MM, not ${to}`);
  const months = monthIndex(to) - monthIndex(from) + 1;
  if (months < 1) throw badRequest(`to: the period ends (${to}) before it starts (${from})`);
  if (months > MAX_MONTHS) throw badRequest(`to: at most ${MAX_MONTHS} months at a time`);
  const filters: ReportFilters = { from, to, timeZone };
  for (const dimension of ['channel', 'product', 'region'] as const) {
    const value = single(req.query, dimension);
    if (value === undefined) continue;
    if (!(REPORT_DIMENSIONS[name] as readonly string[]).includes(dimension)) throw badRequest(`${dimension}: report ${name} cannot be filtered by ${dimension}`);
    filters[dimension] = value;
  }
  return filters;
}

const csvField = (value: string | number | null): string => {
  const text = value === null ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/** RFC 4180: CRLF line ends, fields quoted when they hold a comma, quote or line break. */
export function toCsv(table: ReportTable): string {
  return [table.columns, ...table.rows.map((r) => table.columns.map((c) => r[c]))].map((row) => `${row.map(csvField).join(',')}\r\n`).join('');
}

export function reportsRouter(deps: { knex: Knex; clock: Clock; timeZone: string }): Router {
  const router = express.Router();
  const staff = requireRole('admin', 'agent');
  const names = Object.keys(REPORT_DIMENSIONS) as ReportName[];

  router.get('/', staff, (_req, res) => {
    res.json(names.map((name) => ({ name, title: REPORT_TITLES[name], filters: ['from', 'to', ...REPORT_DIMENSIONS[name]], href: `/api/reports/${name}` })));
  });

  router.get('/dimensions', staff, async (_req, res) => {
    res.json(await reportDimensionValues(deps.knex));
  });

  router.post('/refresh', requireRole('admin'), async (_req, res) => {
    await refreshReportViews(deps.knex);
    res.status(204).end();
  });

  router.get('/:name', staff, async (req, res) => {
    const name = String(req.params.name);
    if (!names.includes(name as ReportName)) throw notFound(`report ${name}`);
    const format = single(req.query, 'format') ?? (req.accepts(['application/json', 'text/csv']) === 'text/csv' ? 'csv' : 'json');
    if (format !== 'json' && format !== 'csv') throw badRequest(`format: json or csv, not ${format}`);
    const filters = filtersOf(req, name as ReportName, calendarDateIn(deps.timeZone, deps.clock.now()), deps.timeZone);
    const table = await runReport(deps.knex, name as ReportName, filters);
    if (format === 'csv') {
      res.type('text/csv').attachment(`${name}_${filters.from}_${filters.to}.csv`).send(toCsv(table));
      return;
    }
    const { timeZone: _tz, ...shown } = filters;
    res.json({ report: name, filters: shown, ...table });
  });
  return router;
}
