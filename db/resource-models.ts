/**
 * How TMF639 resources are stored (`inventory_tmf_resource`), for the API and for the inventory's
 * allocation functions alike, and the documents those functions write: an MSISDN and an FTTH port
 * are LogicalResources, a SIM card a PhysicalResource. Each inventory resource has one document,
 * with a name-based id (see resourceDocumentId), written in the allocation's transaction.
 *
 * Owner rule: a resource belongs to the customer its `relatedParty` names (role `customer` or
 * `@referredType` `Customer`); one with none (in the pool, or created by staff) belongs to nobody.
 */
import { tmf639State, type InventoryState } from '../domain/inventory/resource-state';
import { uuidV5 } from '../domain/inventory/resource-id';
import { TmfError } from '../domain/errors';
import { relatedCustomerId } from './crm-models';
import { findResource, type TmfDocument } from './tmf-resources';
import { insertTmfDocument, newTmfDocument, updateTmfDocument, type TmfModel, type TmfWriteContext } from './tmf-store';

export const RESOURCE_INVENTORY_API = 'resourceInventoryManagement';
export const TMF_RESOURCE_TABLE = 'inventory_tmf_resource';

/** The owner column follows relatedParty, also when a released resource loses its customer. */
const ownerFollowsRelatedParty: NonNullable<TmfModel['hooks']>['afterWrite'] = async ({ db, doc }) => {
  await db(TMF_RESOURCE_TABLE).where({ id: doc.id }).update({ customer_id: relatedCustomerId(doc) ?? null });
};

/** JSON with object keys sorted: equal for equal values whatever order validation left the keys in. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

/** Attributes of an inventory resource's document that only the inventory changes. */
const INVENTORY_OWNED = [
  'name',
  'category',
  'value',
  'serialNumber',
  'resourceStatus',
  'operationalState',
  'usageState',
  'administrativeState',
  'relatedParty',
  'resourceCharacteristic',
  'startOperatingDate',
] as const;

/** How the inventory writes its documents (db/resource-inventory.ts). */
const inventoryWriterModel: TmfModel = {
  apiName: RESOURCE_INVENTORY_API,
  name: 'resource',
  type: 'Resource',
  table: TMF_RESOURCE_TABLE,
  stateField: 'resourceStatus',
  ownerCustomerId: relatedCustomerId,
  hooks: { afterWrite: ownerFollowsRelatedParty },
};

/**
 * TMF639 resources as the API writes them: like the inventory, except that the state, holder and
 * identity of a number, SIM card or port the inventory allocated are the inventory's (409).
 */
export const resourceModel: TmfModel = {
  ...inventoryWriterModel,
  hooks: {
    beforeWrite: ({ before, after }) => {
      if (!before || !isInventoryDocument(before)) return after;
      const changed = INVENTORY_OWNED.filter((k) => canonical(before[k]) !== canonical(after[k]));
      if (changed.length) {
        throw new TmfError(409, 'Conflict', `${changed.join(', ')}: set by the resource inventory for this ${String(before.category)}; change it through the order`);
      }
      return after;
    },
    afterWrite: ownerFollowsRelatedParty,
  },
};

/** What an inventory resource is, for its TMF639 document. */
export type InventoryResource =
  | { kind: 'msisdn'; msisdn: string }
  | { kind: 'sim'; iccid: string; imsi: string }
  | { kind: 'port'; areaId: string; accessNode: string; port: string };

/** The TMF639 id of an inventory resource: the same every time it is allocated. */
export function resourceDocumentId(resource: InventoryResource): string {
  switch (resource.kind) {
    case 'msisdn':
      return uuidV5(`msisdn:${resource.msisdn}`);
    case 'sim':
      return uuidV5(`sim:${resource.iccid}`);
    case 'port':
      return uuidV5(`port:${resource.accessNode}:${resource.port}`);
  }
}

const characteristic = (name: string, value: string) => ({ name, value, valueType: 'string' });

const characteristicValue = (doc: TmfDocument, name: string): string | undefined => {
  const list = Array.isArray(doc.resourceCharacteristic) ? (doc.resourceCharacteristic as Array<{ name?: unknown; value?: unknown }>) : [];
  const value = list.find((c) => c.name === name)?.value;
  return typeof value === 'string' ? value : undefined;
};

/** The inventory resource a document describes, when it is one the inventory wrote (its id is the resource's). */
export function inventoryResourceOf(doc: TmfDocument): InventoryResource | undefined {
  let resource: InventoryResource | undefined;
  const msisdn = characteristicValue(doc, 'MSISDN');
  const iccid = characteristicValue(doc, 'ICCID');
  const accessNode = characteristicValue(doc, 'accessNode');
  const port = characteristicValue(doc, 'port');
  if (doc.category === 'MSISDN' && msisdn) resource = { kind: 'msisdn', msisdn };
  else if (doc.category === 'SIM card' && iccid) resource = { kind: 'sim', iccid, imsi: characteristicValue(doc, 'IMSI') ?? '' };
  else if (doc.category === 'FTTH port' && accessNode && port) resource = { kind: 'port', areaId: characteristicValue(doc, 'serviceArea') ?? '', accessNode, port };
  return resource && resourceDocumentId(resource) === doc.id ? resource : undefined;
}

const isInventoryDocument = (doc: TmfDocument) => inventoryResourceOf(doc) !== undefined;

/** The descriptive part of the document (what the resource is). */
function describe(resource: InventoryResource): Record<string, unknown> {
  switch (resource.kind) {
    case 'msisdn':
      return {
        '@type': 'LogicalResource',
        '@baseType': 'Resource',
        name: resource.msisdn,
        category: 'MSISDN',
        description: 'Mobile subscriber number',
        value: resource.msisdn,
        resourceCharacteristic: [characteristic('MSISDN', resource.msisdn)],
      };
    case 'sim':
      return {
        '@type': 'PhysicalResource',
        '@baseType': 'Resource',
        name: `SIM ${resource.iccid}`,
        category: 'SIM card',
        description: 'SIM card',
        serialNumber: resource.iccid,
        resourceCharacteristic: [characteristic('ICCID', resource.iccid), characteristic('IMSI', resource.imsi)],
      };
    case 'port':
      return {
        '@type': 'LogicalResource',
        '@baseType': 'Resource',
        name: `${resource.accessNode} ${resource.port}`,
        category: 'FTTH port',
        description: 'FTTH access port',
        value: resource.port,
        resourceCharacteristic: [
          characteristic('accessNode', resource.accessNode),
          characteristic('port', resource.port),
          characteristic('serviceArea', resource.areaId),
        ],
      };
  }
}

/** Who holds the resource: the customer as related party, and the order as a characteristic. */
function holder(state: InventoryState, customerId: string | null | undefined, owner: string | null | undefined) {
  if (state === 'released' || !customerId) return { relatedParty: [] as unknown[], heldFor: undefined };
  return {
    relatedParty: [{ id: customerId, role: 'customer', '@referredType': 'Customer' }],
    heldFor: owner ?? undefined,
  };
}

/**
 * Writes the document of an inventory resource in its new state: created on its first allocation,
 * updated (with its events) afterwards. Call inside the allocation's transaction.
 */
export async function writeResourceDocument(
  trx: import('knex').Knex.Transaction,
  ctx: TmfWriteContext,
  resource: InventoryResource,
  state: InventoryState,
  holderIds: { customerId?: string | null; owner?: string | null },
): Promise<TmfDocument | undefined> {
  const id = resourceDocumentId(resource);
  const { relatedParty, heldFor } = holder(state, holderIds.customerId, holderIds.owner);
  const base = describe(resource);
  const characteristics = [...(base.resourceCharacteristic as unknown[]), ...(heldFor ? [characteristic('orderId', heldFor)] : [])];
  const body: Record<string, unknown> = { ...base, ...tmf639State(state), resourceCharacteristic: characteristics, relatedParty };
  if (state === 'inUse') body.startOperatingDate = ctx.now.toISOString();
  const before = await findResource(trx, TMF_RESOURCE_TABLE, id, { forUpdate: true });
  if (!before) {
    if (state === 'released') return undefined; // never allocated through an order: nothing to show
    return insertTmfDocument(trx, inventoryWriterModel, newTmfDocument(inventoryWriterModel, body, ctx, id), ctx.now);
  }
  const merged: Record<string, unknown> = { ...before, ...body };
  if (state !== 'inUse') delete merged.startOperatingDate;
  return updateTmfDocument(trx, inventoryWriterModel, before, merged, ctx.now);
}
