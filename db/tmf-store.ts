/**
 * Writing TMF resources by the rules every TMF API shares, for the API and for activities alike:
 * server-filled id, href, @type and dates; the resource's hooks; its owner; and the TMF event in
 * the same transaction as the change. Call these inside a transaction.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { publishTmfEvent, type TmfEventKind } from './publish-event';
import { deleteResource, findResource, insertResource, replaceResource, resourceHref, type TmfDocument } from './tmf-resources';

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

/** How a TMF resource is stored: what the API and the activities that write it share. */
export interface TmfModel {
  /** e.g. `productCatalogManagement`. */
  apiName: string;
  /** e.g. `productOffering` (path segment and event key). */
  name: string;
  /** e.g. `ProductOffering` (default `@type` and event name prefix). */
  type: string;
  table: string;
  /** Attribute whose change raises a StateChangeEvent (`state`, `status`, `lifecycleStatus`). */
  stateField?: string;
  /** Values the server fills in on create when the client left them out. */
  defaults?(now: Date): Record<string, unknown>;
  /** Attribute the server stamps with the time of every write (e.g. `lastUpdate`). */
  lastUpdateField?: string;
  /** Attribute the server stamps with the creation time (e.g. `creationDate`). */
  creationDateField?: string;
  /**
   * The customer a document belongs to, for resources of customer data (their table is created
   * `customerOwned`). A customer-role caller sees, changes and creates only its own.
   */
  ownerCustomerId?(doc: TmfDocument): string | undefined;
  hooks?: TmfWriteHooks;
}

export interface TmfWriteContext {
  now: Date;
  /** Base of hrefs, e.g. https://bss.example.com */
  publicUrl: string;
}

function emit(trx: Knex.Transaction, model: TmfModel, kind: TmfEventKind, resource: TmfDocument, now: Date) {
  return publishTmfEvent(trx, { apiName: model.apiName, resourceName: model.name, type: model.type, kind, resource, now });
}

/** The document as it will be created: defaults, the body, then what the server owns. */
export function newTmfDocument(model: TmfModel, body: Record<string, unknown>, ctx: TmfWriteContext, id: string = randomUUID()): TmfDocument {
  const doc: TmfDocument = {
    ...model.defaults?.(ctx.now),
    ...body,
    id,
    href: resourceHref(ctx.publicUrl, model.apiName, model.name, id),
    '@type': body['@type'] ?? model.type,
  };
  if (model.lastUpdateField) doc[model.lastUpdateField] = ctx.now.toISOString();
  if (model.creationDateField) doc[model.creationDateField] = ctx.now.toISOString();
  return doc;
}

/** Stores a document made by newTmfDocument and publishes its CreateEvent; returns what was stored. */
export async function insertTmfDocument(trx: Knex.Transaction, model: TmfModel, doc: TmfDocument, now: Date): Promise<TmfDocument> {
  const stored = model.hooks?.beforeWrite ? await model.hooks.beforeWrite({ db: trx, after: doc }) : doc;
  await insertResource(trx, model.table, stored, model.ownerCustomerId?.(stored));
  await model.hooks?.afterWrite?.({ db: trx, doc: stored });
  await emit(trx, model, 'CreateEvent', stored, now);
  return stored;
}

/**
 * Creates the resource with this id unless it exists (then returns it unchanged): the form an
 * activity uses, so that a retried activity never creates twice.
 */
export async function createTmfResourceOnce(
  trx: Knex.Transaction,
  model: TmfModel,
  id: string,
  body: Record<string, unknown>,
  ctx: TmfWriteContext,
): Promise<TmfDocument> {
  const existing = await findResource(trx, model.table, id, { forUpdate: true });
  if (existing) return existing;
  return insertTmfDocument(trx, model, newTmfDocument(model, body, ctx, id), ctx.now);
}

/**
 * Stores the new state of a resource (`after`, already merged and validated; `before` read with
 * a row lock), stamping lastUpdate and publishing the change events.
 */
export async function updateTmfDocument(
  trx: Knex.Transaction,
  model: TmfModel,
  before: TmfDocument,
  merged: Record<string, unknown>,
  now: Date,
): Promise<TmfDocument> {
  let after: TmfDocument = { ...merged, id: before.id, href: before.href };
  if (model.lastUpdateField) after[model.lastUpdateField] = now.toISOString();
  if (model.hooks?.beforeWrite) after = await model.hooks.beforeWrite({ db: trx, before, after });
  await replaceResource(trx, model.table, after, model.ownerCustomerId?.(after));
  await model.hooks?.afterWrite?.({ db: trx, doc: after });
  await emit(trx, model, 'AttributeValueChangeEvent', after, now);
  if (model.stateField && before[model.stateField] !== after[model.stateField]) {
    await emit(trx, model, 'StateChangeEvent', after, now);
  }
  return after;
}

/** Applies a shallow change to a stored resource (by id, locked); undefined if it does not exist. */
export async function patchTmfResource(
  trx: Knex.Transaction,
  model: TmfModel,
  id: string,
  change: Record<string, unknown>,
  now: Date,
): Promise<TmfDocument | undefined> {
  const before = await findResource(trx, model.table, id, { forUpdate: true });
  if (!before) return undefined;
  return updateTmfDocument(trx, model, before, { ...before, ...change }, now);
}

/** Deletes a resource read with a row lock and publishes its DeleteEvent. */
export async function deleteTmfDocument(trx: Knex.Transaction, model: TmfModel, before: TmfDocument, now: Date): Promise<void> {
  await deleteResource(trx, model.table, before.id);
  await emit(trx, model, 'DeleteEvent', before, now);
}
