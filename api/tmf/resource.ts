/**
 * The generic TMF resource: one definition (schema, table, access) gives list / get / create /
 * patch / delete with the rules every TMF Open API shares, events in the same transaction as the
 * change, and the OpenAPI description of all of it.
 */
import express, { type Request, type Router } from 'express';
import type { Knex } from 'knex';
import { z } from 'zod';
import { findResource, listResources, type EqualityFilters, type OwnerScope, type TmfDocument } from '../../db/tmf-resources';
import { deleteTmfDocument, insertTmfDocument, newTmfDocument, updateTmfDocument, type TmfModel } from '../../db/tmf-store';
import type { Clock } from '../../domain/clock';
import { requireRole, type Principal, type Role } from '../auth';
import { addHubRoutes } from './hub';
import { badRequest, describeZodError, notFound, TmfError } from './errors';
import { mergePatch } from './merge-patch';
import { parseFields, parseFilters, parsePaging, projectFields } from './query';

export type { TmfWriteHooks } from '../../db/tmf-store';

/** A TMF resource of an API: how it is stored, plus how clients may write it and who may. */
export interface TmfResourceSpec extends Omit<TmfModel, 'apiName'> {
  /** The resource as a client writes it; unknown attributes are kept (TMF extension pattern). */
  schema: z.ZodObject;
  access: { read: Role[]; write: Role[] };
  /**
   * Narrows what a caller sees beyond customer ownership (list, read, change, delete): equality
   * filters every visible document matches, e.g. a technician sees only its own work orders.
   */
  visibleTo?(principal: Principal): EqualityFilters;
  /**
   * Who may make this write, beyond the role check (create: no `before`; delete: no `after`); runs
   * inside the transaction before anything is stored. Throw a TmfError to refuse.
   */
  authorizeWrite?(ctx: { principal: Principal; before?: TmfDocument; after?: Record<string, unknown> }): void | Promise<void>;
  /**
   * Runs after a create or change has committed (e.g. to signal a workflow); its error is the
   * response. It may name response headers to add (e.g. a `Link` to a monitor).
   */
  afterCommit?(ctx: { principal: Principal; before?: TmfDocument; after: TmfDocument }): Promise<void | { headers?: Record<string, string> }>;
  /** Only list and read: clients never write it (other methods answer 405). */
  readOnly?: boolean;
  /** Writes the API does not offer (they answer 405), e.g. a bill is changed but never created by clients. */
  refuse?: Array<'create' | 'patch' | 'delete'>;
}

/** The headers an afterCommit asked for. */
function setHeaders(res: express.Response, result: void | { headers?: Record<string, string> }): void {
  for (const [name, value] of Object.entries(result?.headers ?? {})) res.setHeader(name, value);
}

/** True when the document has one of the values at every filter's path. */
function matchesFilters(doc: Record<string, unknown>, filters: EqualityFilters): boolean {
  return filters.every((f) => {
    let value: unknown = doc;
    for (const key of f.path) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
    return value !== undefined && value !== null && f.values.includes(typeof value === 'object' ? JSON.stringify(value) : String(value));
  });
}

export interface TmfApiDeps {
  knex: Knex;
  clock: Clock;
  /** Public base URL for hrefs, e.g. https://bss.example.com */
  publicUrl: string;
}

const SERVER_OWNED = ['id', 'href'] as const;

/** Client-provided ids and hrefs are dropped: the server names its resources. */
function withoutServerOwned(body: Record<string, unknown>): Record<string, unknown> {
  const copy = { ...body };
  for (const key of SERVER_OWNED) delete copy[key];
  return copy;
}

function requireJsonObject(req: Request): Record<string, unknown> {
  if (!req.is(['application/json', 'application/merge-patch+json'])) {
    throw new TmfError(415, 'Unsupported Media Type', 'send application/json or application/merge-patch+json');
  }
  if (req.body === null || typeof req.body !== 'object' || Array.isArray(req.body)) {
    throw badRequest('(body): expected a JSON object');
  }
  return req.body as Record<string, unknown>;
}

function validate(schema: z.ZodObject, doc: Record<string, unknown>): Record<string, unknown> {
  const result = schema.safeParse(doc);
  if (!result.success) throw badRequest(describeZodError(result.error));
  return result.data;
}

function isCustomerOnly(principal: Principal | undefined): principal is Principal {
  return !!principal && principal.roles.every((r) => r === 'customer');
}

/** Routes of one TMF API (`/tmf-api/<apiName>/v4`); resources are added with `resource()`. */
export class TmfApi {
  readonly router: Router = express.Router();
  readonly resources: TmfResourceSpec[] = [];
  readonly basePath: string;

  constructor(
    readonly apiName: string,
    private readonly deps: TmfApiDeps,
  ) {
    this.basePath = `/tmf-api/${apiName}/v4`;
    addHubRoutes(this.router, apiName, deps.knex);
  }

  /** Adds the five routes of a resource. */
  resource(spec: TmfResourceSpec): this {
    this.resources.push(spec);
    const { knex, clock, publicUrl } = this.deps;
    const model: TmfModel = { ...spec, apiName: this.apiName };
    const path = `/${spec.name}`;
    const read = requireRole(...spec.access.read);
    const write = requireRole(...spec.access.write);
    // Unknown attributes are kept: TMF resources are extended by adding attributes.
    const schema = spec.schema.loose();

    // Keeps a customer-role caller inside its own data; staff roles see everything.
    const scopeFor = (req: Request): OwnerScope =>
      spec.ownerCustomerId && isCustomerOnly(req.principal) ? { customerId: req.principal.customerId ?? '' } : {};
    const checkOwner = (req: Request, doc: Record<string, unknown>): void => {
      const scope = scopeFor(req);
      if (scope.customerId !== undefined && spec.ownerCustomerId?.(doc as TmfDocument) !== scope.customerId) {
        throw new TmfError(403, 'Forbidden', `a customer may only write its own ${spec.type}`);
      }
    };
    const visibility = (req: Request): EqualityFilters => (spec.visibleTo && req.principal ? spec.visibleTo(req.principal) : []);
    const findVisible = async (db: Knex | Knex.Transaction, req: Request, forUpdate = false) => {
      const doc = await findResource(db, spec.table, String(req.params.id), { forUpdate, scope: scopeFor(req) });
      return doc && matchesFilters(doc, visibility(req)) ? doc : undefined;
    };

    this.router.get(path, read, async (req, res) => {
      const page = parsePaging(req.query);
      const fields = parseFields(req.query);
      const filters = [...parseFilters(req.query), ...visibility(req)];
      const { items, total } = await listResources(knex, spec.table, filters, page, scopeFor(req));
      res.setHeader('X-Total-Count', String(total));
      res.setHeader('X-Result-Count', String(items.length));
      res.status(200).json(items.map((doc) => projectFields(doc, fields)));
    });

    this.router.get(`${path}/:id`, read, async (req, res) => {
      const doc = await findVisible(knex, req);
      if (!doc) throw notFound(`${spec.type} ${req.params.id}`);
      res.json(projectFields(doc, parseFields(req.query)));
    });

    if (spec.readOnly) {
      const refuse = (req: Request) => {
        throw new TmfError(405, 'Method Not Allowed', `${spec.type} is read only: ${req.method} is not allowed`);
      };
      for (const p of [path, `${path}/:id`]) {
        this.router.all(p, requireRole(...spec.access.read), (req, res) => {
          res.setHeader('Allow', 'GET');
          refuse(req);
        });
      }
      return this;
    }

    const refused = { create: ['post', path], patch: ['patch', `${path}/:id`], delete: ['delete', `${path}/:id`] } as const;
    for (const op of spec.refuse ?? []) {
      const [method, route] = refused[op];
      this.router[method](route, requireRole(...spec.access.read), (req) => {
        throw new TmfError(405, 'Method Not Allowed', `${req.method} is not allowed on ${spec.type}`);
      });
    }

    this.router.post(path, write, async (req, res) => {
      const body = validate(schema, withoutServerOwned(requireJsonObject(req)));
      const now = clock.now();
      const doc = newTmfDocument(model, body, { now, publicUrl });
      checkOwner(req, doc);
      const stored = await knex.transaction(async (trx) => {
        await spec.authorizeWrite?.({ principal: req.principal!, after: doc });
        return insertTmfDocument(trx, model, doc, now);
      });
      setHeaders(res, await spec.afterCommit?.({ principal: req.principal!, after: stored }));
      res.status(201).location(stored.href as string).json(stored);
    });

    this.router.patch(`${path}/:id`, write, async (req, res) => {
      const patch = requireJsonObject(req);
      for (const key of SERVER_OWNED) {
        if (key in patch) throw badRequest(`${key}: is set by the server and cannot be changed`);
      }
      const now = clock.now();
      const { before, stored } = await knex.transaction(async (trx) => {
        const before = await findVisible(trx, req, true);
        if (!before) throw notFound(`${spec.type} ${req.params.id}`);
        const merged = validate(schema, mergePatch(before, patch) as Record<string, unknown>);
        checkOwner(req, merged);
        await spec.authorizeWrite?.({ principal: req.principal!, before, after: merged });
        return { before, stored: await updateTmfDocument(trx, model, before, merged, now) };
      });
      setHeaders(res, await spec.afterCommit?.({ principal: req.principal!, before, after: stored }));
      res.status(200).json(stored);
    });

    this.router.delete(`${path}/:id`, write, async (req, res) => {
      await knex.transaction(async (trx) => {
        const before = await findVisible(trx, req, true);
        if (!before) throw notFound(`${spec.type} ${req.params.id}`);
        await spec.authorizeWrite?.({ principal: req.principal!, before });
        await deleteTmfDocument(trx, model, before, clock.now());
      });
      res.status(204).end();
    });
    return this;
  }
}
