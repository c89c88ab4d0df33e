/**
 * How the CRM's TMF resources are stored: their tables, server defaults, owners and the rules that
 * hold for every write, whether it comes through the API or from an activity (db/tmf-store).
 * The APIs add their schemas, access rules and request-only checks on top (api/tmf6xx-*.ts).
 *
 * Owner rules (for customer-token scoping; staff roles see everything):
 * - a customer belongs to itself: a customer token whose customerId is the customer's `id` sees it;
 * - an individual, organization, billing account, party interaction or document belongs to the
 *   customer it names in `relatedParty`: the first entry whose `role` is `customer` (any case) or
 *   whose `@referredType` is `Customer`; a document may name it in `relatedEntity` instead
 *   (`@referredType` `Customer`). A document naming no customer belongs to none: only staff see it.
 */
import type { Clock } from '../domain/clock';
import { customerStatusChangeProblem, type CustomerStatus } from '../domain/crm/customer-lifecycle';
import { badRequest, TmfError } from '../domain/errors';
import type { PiiKeys } from '../domain/pii';
import { CRM_TABLES, sealIdentifications, type IdentificationEntry } from './crm';
import { documentContentUrl, isContentAttachment } from './documents';
import type { TmfDocument } from './tmf-resources';
import type { TmfModel } from './tmf-store';

export const CUSTOMER_API = 'customerManagement';
export const PARTY_API = 'party';
export const ACCOUNT_API = 'accountManagement';
export const PARTY_INTERACTION_API = 'partyInteraction';
export const DOCUMENT_API = 'document';

const isCustomerRef = (ref: unknown): ref is { id: string } => {
  if (ref === null || typeof ref !== 'object') return false;
  const r = ref as Record<string, unknown>;
  return typeof r.id === 'string' && (String(r.role ?? '').toLowerCase() === 'customer' || r['@referredType'] === 'Customer');
};

/** The customer a CRM document names in `relatedParty` (see the owner rules above). */
export function relatedCustomerId(doc: TmfDocument): string | undefined {
  const parties = Array.isArray(doc.relatedParty) ? (doc.relatedParty as unknown[]) : [];
  return parties.find(isCustomerRef)?.id;
}

/** A document's owner: relatedParty first, else a relatedEntity that is a Customer. */
export function documentOwner(doc: TmfDocument): string | undefined {
  const entity = doc.relatedEntity as { id?: unknown; '@referredType'?: unknown } | undefined;
  return relatedCustomerId(doc) ?? (entity?.['@referredType'] === 'Customer' && typeof entity.id === 'string' ? entity.id : undefined);
}

/** Customers; a status change the lifecycle does not allow is refused (409), whoever asks. */
export const customerModel: TmfModel = {
  apiName: CUSTOMER_API,
  name: 'customer',
  type: 'Customer',
  table: CRM_TABLES.customer,
  stateField: 'status',
  defaults: (now) => ({ status: 'Initialized', validFor: { startDateTime: now.toISOString() } }),
  ownerCustomerId: (doc) => doc.id,
  hooks: {
    beforeWrite: ({ before, after }) => {
      const problem = before && customerStatusChangeProblem(before.status as CustomerStatus, after.status as CustomerStatus);
      if (problem) throw new TmfError(409, 'Conflict', problem);
      return after;
    },
  },
};

/** A date as people write it (`1990-05-17`) as the date-time TMF632 types it: that day's midnight UTC. */
function asDateTime(value: unknown): unknown {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value;
}

/** The party's dates (`fields`, and each identification's issuingDate under `identifications`) as date-times. */
function withDateTimes(doc: TmfDocument, fields: string[], identifications: string): TmfDocument {
  const copy: TmfDocument = { ...doc };
  for (const field of fields) if (field in copy) copy[field] = asDateTime(copy[field]);
  if (Array.isArray(copy[identifications])) {
    copy[identifications] = (copy[identifications] as Array<Record<string, unknown>>).map((i) => ('issuingDate' in i ? { ...i, issuingDate: asDateTime(i.issuingDate) } : i));
  }
  return copy;
}

/**
 * Individuals: clear identification numbers are sealed before anything is stored (db/crm.ts);
 * dates written as dates are kept as date-times.
 */
export function individualModel(keys: PiiKeys): TmfModel {
  return {
    apiName: PARTY_API,
    name: 'individual',
    type: 'Individual',
    table: CRM_TABLES.individual,
    stateField: 'status',
    defaults: () => ({ status: 'initialized' }),
    ownerCustomerId: relatedCustomerId,
    hooks: {
      beforeWrite: async ({ db, after: written }) => {
        const after = withDateTimes(written, ['birthDate', 'deathDate'], 'individualIdentification');
        const sealed = await sealIdentifications(db, keys, after.id, after.individualIdentification as IdentificationEntry[] | undefined);
        return sealed ? { ...after, individualIdentification: sealed } : after;
      },
    },
  };
}

export const organizationModel: TmfModel = {
  apiName: PARTY_API,
  name: 'organization',
  type: 'Organization',
  table: CRM_TABLES.organization,
  stateField: 'status',
  defaults: () => ({ status: 'initialized' }),
  ownerCustomerId: relatedCustomerId,
  hooks: { beforeWrite: ({ after }) => withDateTimes(after, [], 'organizationIdentification') },
};

/** The bill cycle every billing account has; the server fills whichever part is missing. */
export const BILL_STRUCTURE_DEFAULTS = { billCycleDay: 1, currency: 'EUR', timeZone: 'Europe/Madrid', paymentType: 'postpaid' } as const;

function withBillStructureDefaults(doc: TmfDocument): TmfDocument {
  const given = (doc.billStructure ?? {}) as Record<string, unknown>;
  return { ...doc, billStructure: { ...BILL_STRUCTURE_DEFAULTS, ...given } };
}

/** The credit limit is in the account's currency. */
function checkCurrency(doc: TmfDocument): void {
  const currency = (doc.billStructure as { currency?: string } | undefined)?.currency;
  const limit = doc.creditLimit as { unit?: string } | undefined;
  if (currency && limit?.unit && limit.unit !== currency) {
    throw badRequest(`creditLimit.unit: must be the account currency ${currency}, got ${limit.unit}`);
  }
}

export const billingAccountModel: TmfModel = {
  apiName: ACCOUNT_API,
  name: 'billingAccount',
  type: 'BillingAccount',
  table: CRM_TABLES.billingAccount,
  stateField: 'state',
  lastUpdateField: 'lastModified',
  defaults: () => ({ state: 'Defined' }),
  ownerCustomerId: relatedCustomerId,
  hooks: {
    beforeWrite: ({ after }) => {
      const doc = withBillStructureDefaults(after);
      checkCurrency(doc);
      return doc;
    },
  },
};

/** Names of the contact channels of a party interaction, by channel id. */
export const INTERACTION_CHANNELS = {
  callCentre: 'Call centre',
  ivr: 'Interactive voice response',
  portal: 'Self-care web portal',
  app: 'Mobile app',
  sms: 'SMS',
  email: 'Email',
  liveChat: 'Live chat',
  socialMedia: 'Social media',
  store: 'Store',
  field: 'Field visit',
  letter: 'Letter',
} as const;
export type InteractionChannel = keyof typeof INTERACTION_CHANNELS;

function withChannelNames(doc: TmfDocument): TmfDocument {
  if (!Array.isArray(doc.channel)) return doc;
  const channel = (doc.channel as Array<Record<string, unknown>>).map((c) => ({
    ...c,
    name: c.name ?? INTERACTION_CHANNELS[c.id as InteractionChannel],
  }));
  return { ...doc, channel };
}

/** Where a related party of each `@referredType` is served, for its href. */
const PARTY_PATHS: Record<string, string> = {
  Customer: '/tmf-api/customerManagement/v4/customer/',
  Individual: '/tmf-api/party/v4/individual/',
  Organization: '/tmf-api/party/v4/organization/',
};

type Ref = Record<string, unknown>;

/**
 * TMF683 requires an href on every RelatedParty and RelatedChannel: parties get the href of the
 * API that serves them (same base URL as the interaction's own href); channels, which no API
 * serves, a `urn:bss:channel:<id>` name.
 */
function withReferenceHrefs(doc: TmfDocument): TmfDocument {
  const own = String(doc.href ?? '');
  const base = own.includes('/tmf-api/') ? own.slice(0, own.indexOf('/tmf-api/')) : '';
  const party = (p: Ref): Ref => (p.href || !PARTY_PATHS[String(p['@referredType'])] ? p : { ...p, href: `${base}${PARTY_PATHS[String(p['@referredType'])]}${String(p.id)}` });
  const channel = (c: Ref): Ref => (c.href || !c.id ? c : { ...c, href: `urn:bss:channel:${String(c.id)}` });
  const refs = (holder: Ref): Ref => ({
    ...holder,
    ...(Array.isArray(holder.relatedParty) ? { relatedParty: (holder.relatedParty as Ref[]).map(party) } : {}),
    ...(Array.isArray(holder.channel) ? { channel: (holder.channel as Ref[]).map(channel) } : {}),
  });
  const withRefs = refs(doc) as TmfDocument;
  if (Array.isArray(doc.interactionItem)) withRefs.interactionItem = (doc.interactionItem as Ref[]).map(refs);
  return withRefs;
}

/** Party interactions; `clock` stamps statusChangeDate. */
export function partyInteractionModel(clock: Clock): TmfModel {
  return {
    apiName: PARTY_INTERACTION_API,
    name: 'partyInteraction',
    type: 'PartyInteraction',
    table: CRM_TABLES.partyInteraction,
    stateField: 'status',
    creationDateField: 'creationDate',
    defaults: (now) => ({ status: 'opened', interactionDate: { startDateTime: now.toISOString() } }),
    ownerCustomerId: relatedCustomerId,
    hooks: {
      beforeWrite: ({ before, after }) => {
        const doc = withReferenceHrefs(withChannelNames(after));
        if (!before) doc.statusChangeDate = doc.creationDate;
        else if (before.status !== doc.status) doc.statusChangeDate = clock.now().toISOString();
        return doc;
      },
    },
  };
}

type Attachment = Record<string, unknown>;
const attachmentsOf = (doc: TmfDocument): Attachment[] => (Array.isArray(doc.binaryAttachment) ? (doc.binaryAttachment as Attachment[]) : []);

/** Documents; their uploaded content is served under `publicUrl`. */
export function documentModel(publicUrl: string): TmfModel {
  const isContent = (a: Attachment) => isContentAttachment(publicUrl, a);
  return {
    apiName: DOCUMENT_API,
    name: 'document',
    type: 'Document',
    table: CRM_TABLES.document,
    stateField: 'lifecycleState',
    creationDateField: 'creationDate',
    lastUpdateField: 'lastUpdate',
    defaults: () => ({ lifecycleState: 'Created', version: '1.0' }),
    ownerCustomerId: documentOwner,
    hooks: {
      // The attachment describing uploaded content is the server's (written by
      // attachDocumentContent): a client can neither forge its size or hash nor point a document at
      // another one's content. It stays in place through any update.
      beforeWrite: ({ before, after }) => {
        const given = attachmentsOf(after);
        const stored = before ? attachmentsOf(before).find((a) => a.url === documentContentUrl(publicUrl, after.id)) : undefined;
        if (!stored && !given.some(isContent)) return after;
        const at = given.findIndex(isContent);
        const kept = given.filter((a) => !isContent(a));
        if (stored) kept.splice(at < 0 ? kept.length : at, 0, stored);
        return { ...after, binaryAttachment: kept };
      },
    },
  };
}
