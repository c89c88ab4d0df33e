/**
 * TMF635 Usage Management v4 (`/tmf-api/usageManagement/v4/usage`): usage records posted by
 * mediation (role `network` or `admin`), rated on arrival; staff read them.
 *
 * A Usage is written as `usageDate` (start), `usageType` (voice | sms | data) and
 * `usageCharacteristic` entries: `msisdn`, `quantity` (a decimal string: seconds, messages or
 * octets), `recordId` (with `source`, default `api`, the record's business key), `destination`.
 * Our extensions: `statusReason` (why it was rejected), `billingAccount` and, in each
 * `ratedProductUsage`, the band, price and quantities. A record is rated or rejected at once;
 * the same key posted again answers 200 with the stored record and changes nothing.
 *
 * `POST …/usage/batch` takes `{ "usage": [Usage, …] }` (at most 10,000) and answers 200 with the
 * counts (`read`, `rated`, `rejected`, `duplicates`, `reasons`) and one `{id, href, status,
 * statusReason?, duplicate}` per entry, in order; a bad entry is stored rejected, not refused.
 * PATCH and DELETE answer 405: a usage record is a fact; `npm run import-usage -- --rerate`
 * rates again what was rejected.
 */
import express, { type Request, type Router } from 'express';
import type { Knex } from 'knex';
import { z } from 'zod';
import { ingestUsageBatch, type Outcome } from '../activities/usage/ingest-usage';
import { addOutcomes, emptySummary } from '../activities/usage/import-summary';
import { publishTmfEvent } from '../db/publish-event';
import { findUsage, findUsageByKey, listUsage, type StoredUsage, type UsageFilters } from '../db/usage-resources';
import type { Clock } from '../domain/clock';
import { parseUsage, type RawUsage } from '../domain/usage/usage-input';
import { requireRole } from './auth';
import { commonErrors, errorResponse, idParam, json, jsonSchema, ref, type OpenApiPart } from './openapi';
import { addHubRoutes } from './tmf/hub';
import { badRequest, describeZodError, notFound, TmfError } from './tmf/errors';
import { parseFields, parseFilters, parsePaging, projectFields } from './tmf/query';
import { dateTime } from './schemas/common';

export const USAGE_API = 'usageManagement';
const BASE_PATH = `/tmf-api/${USAGE_API}/v4`;
const MAX_BATCH = 10_000;
const API_SOURCE = 'api';

const characteristicSchema = z.looseObject({ name: z.string().min(1), value: z.union([z.string(), z.number(), z.boolean()]), valueType: z.string().optional() });

/** A Usage as a client posts it. */
export const usageCreateSchema = z.looseObject({
  usageDate: z.iso.datetime({ offset: true }).describe('When the usage started'),
  usageType: z.enum(['voice', 'sms', 'data']),
  description: z.string().optional(),
  usageCharacteristic: z.array(characteristicSchema).min(1).describe('msisdn, quantity (decimal string), recordId, and optionally source and destination'),
});

const batchSchema = z.object({ usage: z.array(z.unknown()).min(1).max(MAX_BATCH) });

/** What a posted Usage says, as ingestion reads it (strings only). */
function rawOf(body: Record<string, unknown>): RawUsage {
  const chars = Array.isArray(body.usageCharacteristic) ? (body.usageCharacteristic as Array<{ name?: unknown; value?: unknown }>) : [];
  const value = (name: string) => {
    const v = chars.find((c) => c?.name === name)?.value;
    return v === undefined || v === null ? undefined : String(v);
  };
  return {
    source: value('source'),
    recordId: value('recordId'),
    msisdn: value('msisdn'),
    usageType: typeof body.usageType === 'string' ? body.usageType : undefined,
    startTime: typeof body.usageDate === 'string' ? body.usageDate : undefined,
    quantity: value('quantity'),
    destination: value('destination'),
  };
}

/** A quantity sent as a JSON number may already have lost digits: only decimal strings are taken. */
function throwIfQuantityNotString(body: Record<string, unknown>): void {
  const q = (body.usageCharacteristic as Array<{ name: string; value: unknown }>).find((c) => c.name === 'quantity');
  if (q && typeof q.value !== 'string') throw badRequest('usageCharacteristic.quantity: give the quantity as a decimal string');
}

/**
 * TMF635 Money: `value` is a JSON number in the specification (stored as numeric, 6 decimals, so
 * the number's shortest text is the exact amount; sums are made from the stored decimals, never
 * from this).
 */
const money = (value: string | null, unit: string | null) => ({ unit: unit ?? undefined, value: value === null ? undefined : Number(value) });

/** A stored record as a TMF635 Usage. */
export function usageResource(r: StoredUsage, publicUrl: string): Record<string, unknown> {
  const raw = r.raw ?? {};
  const characteristic = (name: string, value: string | null | undefined) => (value === null || value === undefined ? [] : [{ name, valueType: 'string', value }]);
  const rated: Record<string, unknown>[] = [];
  if (r.state === 'rated' || r.state === 'billed') {
    const base = {
      ratingDate: r.rated_at?.toISOString(),
      isBilled: r.state === 'billed',
      offerTariffType: r.band,
      ratingAmountType: 'total',
      priceId: r.price_id,
      cycleStart: r.cycle_start,
      billId: r.bill_id ?? undefined,
    };
    if (r.allowance_quantity !== '0') rated.push({ ...base, usageRatingTag: 'included usage', quantity: r.allowance_quantity, taxExcludedRatingAmount: money('0.000000', r.currency) });
    if (r.overage_quantity !== '0' || r.allowance_quantity === '0') {
      rated.push({
        ...base,
        usageRatingTag: r.allowance_quantity === '0' ? 'usage' : 'non included usage',
        quantity: r.overage_quantity,
        chargedQuantity: r.charged_quantity,
        taxExcludedRatingAmount: money(r.amount, r.currency),
      });
    }
  }
  return {
    id: r.id,
    href: `${publicUrl}${BASE_PATH}/usage/${r.id}`,
    '@type': 'Usage',
    usageDate: r.start_time?.toISOString() ?? raw.startTime,
    usageType: r.usage_type ?? raw.usageType,
    status: r.state,
    ...(r.reason ? { statusReason: r.reason } : {}),
    usageCharacteristic: [
      ...characteristic('recordId', r.record_id),
      ...characteristic('source', r.source),
      ...characteristic('msisdn', r.msisdn ?? raw.msisdn),
      ...characteristic('quantity', r.quantity ?? raw.quantity),
      ...characteristic('destination', r.destination ?? raw.destination),
    ],
    ...(r.billing_account_id ? { billingAccount: { id: r.billing_account_id, '@referredType': 'BillingAccount' } } : {}),
    ratedProductUsage: rated,
  };
}

/** The list filters on the attributes of a Usage this API can filter by. */
const FILTERABLE: Record<string, keyof UsageFilters> = { id: 'id', status: 'state', usageType: 'usage_type', 'billingAccount.id': 'billing_account_id', usageDate: 'start_time' };

/** A usageDate filter matches the instant, however the client wrote it; what is no date-time matches nothing. */
const instants = (values: string[]) => values.filter((v) => dateTime.safeParse(v).success).map((v) => new Date(v).toISOString());

function usageFilters(query: Request['query']): UsageFilters {
  const filters: UsageFilters = {};
  for (const f of parseFilters(query)) {
    const column = FILTERABLE[f.path.join('.')];
    if (!column) throw badRequest(`${f.path.join('.')}: usage can be filtered by ${Object.keys(FILTERABLE).join(', ')}`);
    filters[column] = column === 'start_time' ? instants(f.values) : f.values;
  }
  return filters;
}

/** Publishes a UsageCreateEvent for each record stored (not for duplicates), in one transaction. */
async function publishCreated(knex: Knex, outcomes: Outcome[], publicUrl: string, now: Date): Promise<void> {
  const created = outcomes.filter((o) => o.result !== 'duplicate');
  if (!created.length) return;
  await knex.transaction(async (trx) => {
    for (const o of created) {
      const row = await findUsage(trx, o.id);
      if (row) await publishTmfEvent(trx, { apiName: USAGE_API, resourceName: 'usage', type: 'Usage', kind: 'CreateEvent', resource: usageResource(row, publicUrl), now });
    }
  });
}

/** The TMF635 router and its base path. */
export function usageRouter(deps: { knex: Knex; clock: Clock; publicUrl: string }): { basePath: string; router: Router } {
  const { knex, clock, publicUrl } = deps;
  const router = express.Router();
  const read = requireRole('admin', 'agent');
  const write = requireRole('admin', 'network');
  addHubRoutes(router, USAGE_API, knex);

  router.get('/usage', read, async (req, res) => {
    const page = parsePaging(req.query);
    const fields = parseFields(req.query);
    const { fields: _f, offset: _o, limit: _l, ...rest } = req.query;
    const { items, total } = await listUsage(knex, usageFilters(rest), page);
    res.setHeader('X-Total-Count', String(total));
    res.setHeader('X-Result-Count', String(items.length));
    res.json(items.map((r) => projectFields(usageResource(r, publicUrl), fields)));
  });

  router.get('/usage/:id', read, async (req, res) => {
    const row = await findUsage(knex, String(req.params.id));
    if (!row) throw notFound(`Usage ${req.params.id}`);
    res.json(projectFields(usageResource(row, publicUrl), parseFields(req.query)));
  });

  router.post('/usage/batch', write, async (req, res) => {
    const parsed = batchSchema.safeParse(req.body);
    if (!parsed.success) throw badRequest(describeZodError(parsed.error));
    const now = clock.now();
    const items = parsed.data.usage.map((u) => ({ raw: u !== null && typeof u === 'object' ? rawOf(u as Record<string, unknown>) : {} }));
    const outcomes = await ingestUsageBatch(knex, items, { source: API_SOURCE, now });
    await publishCreated(knex, outcomes, publicUrl, now);
    const summary = emptySummary();
    addOutcomes(summary, outcomes);
    res.status(200).json({
      ...summary,
      // Ingestion reports duplicates first; the answer follows the order of the request.
      usage: [...outcomes].sort((a, b) => a.index - b.index).map((o) => ({
        id: o.id,
        href: `${publicUrl}${BASE_PATH}/usage/${o.id}`,
        recordId: o.recordId,
        source: o.source,
        status: o.result === 'duplicate' ? undefined : o.result,
        ...(o.reason ? { statusReason: o.reason } : {}),
        duplicate: o.result === 'duplicate',
      })),
    });
  });

  router.post('/usage', write, async (req, res) => {
    if (!req.is('application/json')) throw new TmfError(415, 'Unsupported Media Type', 'send application/json');
    const result = usageCreateSchema.safeParse(req.body);
    if (!result.success) throw badRequest(describeZodError(result.error));
    throwIfQuantityNotString(result.data);
    const raw = rawOf(result.data);
    const check = parseUsage(raw, API_SOURCE);
    // Malformed input is refused with nothing stored; a well-formed record that cannot be rated (an unknown number) is stored rejected.
    if (!check.ok) throw badRequest(`usage: ${check.reason}`);
    const now = clock.now();
    const [outcome] = await ingestUsageBatch(knex, [{ raw }], { source: API_SOURCE, now });
    const row = outcome.result === 'duplicate' ? await findUsageByKey(knex, check.usage.source, check.usage.recordId) : await findUsage(knex, outcome.id);
    if (!row) throw new Error(`usage ${outcome.id} was not stored`);
    const resource = usageResource(row, publicUrl);
    if (outcome.result === 'duplicate') {
      res.status(200).json(resource);
      return;
    }
    await publishCreated(knex, [outcome], publicUrl, now);
    res.status(201).location(String(resource.href)).json(resource);
  });

  for (const path of ['/usage', '/usage/:id']) {
    router.patch(path, write, () => {
      throw new TmfError(405, 'Method Not Allowed', 'a usage record is not changed once received; rejected records are rated again with import-usage --rerate');
    });
    router.delete(path, write, () => {
      throw new TmfError(405, 'Method Not Allowed', 'a usage record is not deleted');
    });
  }
  return { basePath: BASE_PATH, router };
}

/** The OpenAPI description of TMF635 Usage (list, read, create one, create a batch, hub). */
export function usageOpenApi(): OpenApiPart {
  const tag = `${USAGE_API} usage`;
  const hubTag = `${USAGE_API} hub`;
  const listHeaders = { 'X-Total-Count': { schema: { type: 'integer' } }, 'X-Result-Count': { schema: { type: 'integer' } } };
  const query = (name: string, description: string) => ({ name, in: 'query', required: false, description, schema: { type: 'string' } });
  const outcome = {
    type: 'object',
    properties: { id: { type: 'string' }, href: { type: 'string' }, recordId: { type: 'string' }, source: { type: 'string' }, status: { enum: ['rated', 'rejected'] }, statusReason: { type: 'string' }, duplicate: { type: 'boolean' } },
    required: ['id', 'href', 'recordId', 'source', 'duplicate'],
  };
  return {
    schemas: {
      Usage_Create: jsonSchema(usageCreateSchema),
      Usage: { ...jsonSchema(usageCreateSchema), properties: { ...(jsonSchema(usageCreateSchema).properties as object), id: { type: 'string' }, href: { type: 'string' }, '@type': { type: 'string' }, status: { enum: ['received', 'rated', 'rejected', 'billed'] }, statusReason: { type: 'string' }, ratedProductUsage: { type: 'array', items: { type: 'object' } } } },
      UsageBatch: jsonSchema(batchSchema),
      UsageBatchResult: {
        type: 'object',
        properties: { read: { type: 'integer' }, rated: { type: 'integer' }, rejected: { type: 'integer' }, duplicates: { type: 'integer' }, reasons: { type: 'object', additionalProperties: { type: 'integer' } }, usage: { type: 'array', items: outcome } },
        required: ['read', 'rated', 'rejected', 'duplicates', 'reasons', 'usage'],
      },
    },
    paths: {
      [`${BASE_PATH}/usage`]: {
        get: {
          tags: [tag],
          operationId: 'listUsage',
          parameters: [
            query('fields', 'Comma-separated attributes to return (id and href always come back)'),
            { name: 'offset', in: 'query', required: false, schema: { type: 'integer', minimum: 0 } },
            { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 0, maximum: 1000 } },
            query('id', 'Equality filter'),
            query('status', 'received, rated, rejected or billed'),
            query('usageType', 'voice, sms or data'),
            query('billingAccount.id', 'The billing account the usage is charged to'),
            query('usageDate', 'The start of the usage (the same instant in any offset)'),
          ],
          responses: { '200': { description: 'Usage records, newest first', headers: listHeaders, content: json({ type: 'array', items: ref('Usage') }) }, ...commonErrors },
        },
        post: {
          tags: [tag],
          operationId: 'createUsage',
          requestBody: { required: true, content: json(ref('Usage_Create')) },
          responses: {
            '201': { description: 'Stored and rated (status rated) or stored rejected (status rejected, statusReason)', content: json(ref('Usage')) },
            '200': { description: 'Already received under this source and recordId: the stored record, unchanged', content: json(ref('Usage')) },
            ...commonErrors,
          },
        },
      },
      [`${BASE_PATH}/usage/batch`]: {
        post: {
          tags: [tag],
          operationId: 'createUsageBatch',
          requestBody: { required: true, content: json(ref('UsageBatch')) },
          responses: { '200': { description: 'Every entry stored (rated or rejected) or found a duplicate', content: json(ref('UsageBatchResult')) }, ...commonErrors },
        },
      },
      [`${BASE_PATH}/usage/{id}`]: {
        get: {
          tags: [tag],
          operationId: 'retrieveUsage',
          parameters: [idParam, query('fields', 'Comma-separated attributes to return')],
          responses: { '200': { description: 'The usage record', content: json(ref('Usage')) }, ...commonErrors, '404': errorResponse('No such usage') },
        },
      },
      [`${BASE_PATH}/hub`]: {
        post: {
          tags: [hubTag],
          operationId: 'registerUsageManagementListener',
          requestBody: { required: true, content: json(ref('EventSubscriptionInput')) },
          responses: { '201': { description: 'Registered', content: json(ref('EventSubscription')) }, ...commonErrors },
        },
      },
      [`${BASE_PATH}/hub/{id}`]: {
        get: {
          tags: [hubTag],
          operationId: 'retrieveUsageManagementListener',
          parameters: [idParam],
          responses: { '200': { description: 'The listener', content: json(ref('EventSubscription')) }, ...commonErrors, '404': errorResponse('No such listener') },
        },
        delete: {
          tags: [hubTag],
          operationId: 'unregisterUsageManagementListener',
          parameters: [idParam],
          responses: { '204': { description: 'Removed' }, ...commonErrors, '404': errorResponse('No such listener') },
        },
      },
    },
  };
}
