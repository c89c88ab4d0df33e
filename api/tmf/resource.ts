/**
 * The generic TMF resource: one definition (schema, table, access) gives list / get / create /
 * patch / delete with the rules every TMF Open API shares, events in the same transaction as the
 * change, and the OpenAPI description of all of it.
 */
import { randomUUID } from 'node:crypto';
import express, { type Request, type Router } from 'express';
import type { Knex } from 'knex';
import { z } from 'zod';
import {
  deleteResource,
  findResource,
  insertResource,
  listResources,
  replaceResource,
  resourceHref,
  type OwnerScope,
  type TmfDocument,
} from '../../db/tmf-resources';
import { publishTmfEvent, type TmfEventKind } from '../../db/publish-event';
import type { Clock } from '../../domain/clock';
import { requireRole, type Principal, type Role } from '../auth';
import { addHubRoutes } from './hub';
import { badRequest, describeZodError, notFound, TmfError } from './errors';
import { mergePatch } from './merge-patch';
import { parseFields, parseFilters, parsePaging, projectFields } from './query';

/** Hooks run inside the write transaction, for rules a resource adds to plain storage. */
export interface TmfWriteHooks {
  /**
   * Adjusts a document before it is stored, on create (`before` undefined) and on update: e.g. a
   * new version of a launched item, or personal data moved to encrypted storage and masked.
   */
  beforeWrite?(ctx: { db: Knex.Transaction; before?: TmfDocument; after: TmfDocument }): Promise<TmfDocument> | TmfDocument;
  /** Runs after every create or update, with the stored document. */
  afterWrite?(ctx: { db: Knex.Transaction; doc: TmfDocument }): Promise<void>;
}

export interface TmfResourceSpec {
  /** e.g. `productOffering` (path segment and event key). */
  name: string;
  /** e.g. `ProductOffering` (default `@type` and event name prefix). */
  type: string;
  table: string;
  /** The resource as a client writes it; unknown attributes are kept (TMF extension pattern). */
  schema: z.ZodObject;
  /** Attribute whose change raises a StateChangeEvent (`state`, `status`, `lifecycleStatus`). */
  stateField?: string;
  /** Values the server fills in on create when the client left them out. */
  defaults?(now: Date): Record<string, unknown>;
  /** Attribute the server stamps with the time of every write (e.g. `lastUpdate`). */
  lastUpdateField?: string;
  /** Attribute the server stamps with the creation time (e.g. `creationDate`). */
  creationDateField?: string;
  access: { read: Role[]; write: Role[] };
  /**
   * The customer a document belongs to, for resources of customer data (their table is created
   * `customerOwned`). A customer-role caller sees, changes and creates only its own.
   */
  ownerCustomerId?(doc: TmfDocument): string | undefined;
  hooks?: TmfWriteHooks;
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

  private href(spec: TmfResourceSpec, id: string): string {
    return resourceHref(this.deps.publicUrl, this.apiName, spec.name, id);
  }

  private async emit(db: Knex.Transaction, spec: TmfResourceSpec, kind: TmfEventKind, resource: TmfDocument, now: Date) {
    await publishTmfEvent(db, { apiName: this.apiName, resourceName: spec.name, type: spec.type, kind, resource, now });
  }

  /** Adds the five routes of a resource. */
  resource(spec: TmfResourceSpec): this {
    this.resources.push(spec);
    const { knex, clock } = this.deps;
    const path = `/${spec.name}`;
    const read = requireRole(...spec.access.read);
    const write = requireRole(...spec.access.write);
    // Unknown attributes are kept: TMF resources are extended by adding attributes.
    const schema = spec.schema.loose();

    // Keeps a customer-role caller inside its own data; staff roles see everything.
    const scopeFor = (req: Request): OwnerScope =>
      spec.ownerCustomerId && isCustomerOnly(req.principal) ? { customerId: req.principal.customerId ?? '' } : {};
    const ownerOf = (req: Request, doc: TmfDocument): string | undefined => {
      if (!spec.ownerCustomerId) return undefined;
      const owner = spec.ownerCustomerId(doc) ?? null;
      const scope = scopeFor(req);
      if (scope.customerId !== undefined && owner !== scope.customerId) {
        throw new TmfError(403, 'Forbidden', `a customer may only write its own ${spec.type}`);
      }
      return owner ?? undefined;
    };
    const findVisible = (db: Knex | Knex.Transaction, req: Request, forUpdate = false) =>
      findResource(db, spec.table, String(req.params.id), { forUpdate, scope: scopeFor(req) });

    this.router.get(path, read, async (req, res) => {
      const page = parsePaging(req.query);
      const fields = parseFields(req.query);
      const { items, total } = await listResources(knex, spec.table, parseFilters(req.query), page, scopeFor(req));
      res.setHeader('X-Total-Count', String(total));
      res.setHeader('X-Result-Count', String(items.length));
      res.status(200).json(items.map((doc) => projectFields(doc, fields)));
    });

    this.router.get(`${path}/:id`, read, async (req, res) => {
      const doc = await findVisible(knex, req);
      if (!doc) throw notFound(`${spec.type} ${req.params.id}`);
      res.json(projectFields(doc, parseFields(req.query)));
    });

    this.router.post(path, write, async (req, res) => {
      const body = validate(schema, withoutServerOwned(requireJsonObject(req)));
      const now = clock.now();
      const id = randomUUID();
      let doc: TmfDocument = {
        ...spec.defaults?.(now),
        ...body,
        id,
        href: this.href(spec, id),
        '@type': body['@type'] ?? spec.type,
      };
      if (spec.lastUpdateField) doc[spec.lastUpdateField] = now.toISOString();
      if (spec.creationDateField) doc[spec.creationDateField] = now.toISOString();
      const owner = ownerOf(req, doc);
      await knex.transaction(async (trx) => {
        if (spec.hooks?.beforeWrite) doc = await spec.hooks.beforeWrite({ db: trx, after: doc });
        await insertResource(trx, spec.table, doc, owner);
        await spec.hooks?.afterWrite?.({ db: trx, doc });
        await this.emit(trx, spec, 'CreateEvent', doc, now);
      });
      res.status(201).location(doc.href as string).json(doc);
    });

    this.router.patch(`${path}/:id`, write, async (req, res) => {
      const patch = requireJsonObject(req);
      for (const key of SERVER_OWNED) {
        if (key in patch) throw badRequest(`${key}: is set by the server and cannot be changed`);
      }
      const now = clock.now();
      const stored = await knex.transaction(async (trx) => {
        const before = await findVisible(trx, req, true);
        if (!before) throw notFound(`${spec.type} ${req.params.id}`);
        const merged = validate(schema, mergePatch(before, patch) as Record<string, unknown>);
        let after: TmfDocument = { ...merged, id: before.id, href: before.href };
        if (spec.lastUpdateField) after[spec.lastUpdateField] = now.toISOString();
        if (spec.hooks?.beforeWrite) after = await spec.hooks.beforeWrite({ db: trx, before, after });
        await replaceResource(trx, spec.table, after, ownerOf(req, after));
        await spec.hooks?.afterWrite?.({ db: trx, doc: after });
        await this.emit(trx, spec, 'AttributeValueChangeEvent', after, now);
        if (spec.stateField && before[spec.stateField] !== after[spec.stateField]) {
          await this.emit(trx, spec, 'StateChangeEvent', after, now);
        }
        return after;
      });
      res.status(200).json(stored);
    });

    this.router.delete(`${path}/:id`, write, async (req, res) => {
      await knex.transaction(async (trx) => {
        const before = await findVisible(trx, req, true);
        if (!before) throw notFound(`${spec.type} ${req.params.id}`);
        await deleteResource(trx, spec.table, before.id);
        await this.emit(trx, spec, 'DeleteEvent', before, clock.now());
      });
      res.status(204).end();
    });
    return this;
  }
}
