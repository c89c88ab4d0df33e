/**
 * CRM query functions beyond the generic TMF tables (see migrations 202611252000xx): the
 * identification numbers of individuals, kept only encrypted (crm_party_identification), and
 * finding an individual by one through its blind index.
 */
import { randomUUID } from 'node:crypto';
import { badRequest } from '../domain/errors';
import { blindIndex, decryptPii, encryptPii, maskTail, type PiiKeys } from '../domain/pii';
import type { Db } from './knex';

/** The TMF resource tables of the CRM. */
export const CRM_TABLES = {
  customer: 'crm_customer',
  individual: 'crm_party_individual',
  organization: 'crm_party_organization',
  billingAccount: 'crm_billing_account',
  partyInteraction: 'crm_party_interaction',
  document: 'crm_document',
} as const;

const IDENTIFICATION = 'crm_party_identification';

interface IdentificationRow {
  id: string;
  individual_id: string;
  identification_type: string;
  issuing_authority: string | null;
  number_sealed: string;
  number_index: string;
  masked: string;
}

/** One `individualIdentification` entry of an individual's document. */
export type IdentificationEntry = Record<string, unknown> & {
  identificationType?: string;
  identificationId?: string;
  issuingAuthority?: string;
};

/** A masked number as we show them (`******78Z`): never a real number, which has no `*`. */
const isMasked = (value: string) => value.includes('*');

/**
 * Keeps the identification numbers of an individual out of its document. Every clear
 * `identificationId` is sealed (AES-256-GCM) with its blind index into crm_party_identification and
 * replaced by its masked form; a masked value the individual already has keeps the stored number
 * (a client sending back what it read); stored numbers no longer listed are deleted. Returns the
 * entries to store (undefined when the document has none). Call inside the write's transaction.
 */
export async function sealIdentifications(
  db: Db,
  keys: PiiKeys,
  individualId: string,
  entries: IdentificationEntry[] | undefined,
): Promise<IdentificationEntry[] | undefined> {
  const unclaimed = (await db(IDENTIFICATION).where({ individual_id: individualId }).orderBy([{ column: 'created_at' }, { column: 'id' }])) as IdentificationRow[];
  const kept: string[] = [];
  const retyped: Array<Pick<IdentificationRow, 'id' | 'identification_type' | 'issuing_authority'>> = [];
  const inserts: IdentificationRow[] = [];
  const sealed = entries?.map((entry, i) => {
    const number = entry.identificationId;
    if (typeof number !== 'string' || number === '') return entry;
    const type = entry.identificationType ?? '';
    const authority = entry.issuingAuthority ?? null;
    if (isMasked(number)) {
      // Prefer the stored number of the same type; a type corrected by the client follows.
      let at = unclaimed.findIndex((r) => r.masked === number && r.identification_type === type);
      if (at < 0) at = unclaimed.findIndex((r) => r.masked === number);
      if (at < 0) {
        throw badRequest(`individualIdentification.${i}.identificationId: a masked value that matches no stored identification; send the full number`);
      }
      const [row] = unclaimed.splice(at, 1);
      kept.push(row.id);
      if (row.identification_type !== type || row.issuing_authority !== authority) {
        retyped.push({ id: row.id, identification_type: type, issuing_authority: authority });
      }
      return entry;
    }
    const masked = maskTail(number);
    inserts.push({
      id: randomUUID(),
      individual_id: individualId,
      identification_type: type,
      issuing_authority: authority,
      number_sealed: encryptPii(keys, number),
      number_index: blindIndex(keys, number),
      masked,
    });
    return { ...entry, identificationId: masked };
  });
  await db(IDENTIFICATION).where({ individual_id: individualId }).whereNotIn('id', kept).delete();
  for (const { id, ...change } of retyped) await db(IDENTIFICATION).where({ id }).update(change);
  if (inserts.length) await db(IDENTIFICATION).insert(inserts);
  return sealed;
}

/** Who holds an identification number (see findIndividualByIdentification). */
export interface IdentificationHolder {
  individualId: string;
  identificationType: string;
  /** The number as documents show it (`******78Z`). */
  masked: string;
}

/**
 * The individual holding this identification, for duplicate detection: the type compared without
 * case, the number normalised as blindIndex does (case, spaces and dashes do not matter); the
 * oldest if several. Never decrypts anything. Read the individual with findResource.
 */
export async function findIndividualByIdentification(db: Db, keys: PiiKeys, type: string, number: string): Promise<IdentificationHolder | undefined> {
  const row = (await db(IDENTIFICATION)
    .where('number_index', blindIndex(keys, number))
    .whereRaw('lower(identification_type) = lower(?)', [type])
    .select('individual_id', 'identification_type', 'masked')
    .orderBy([{ column: 'created_at' }, { column: 'id' }])
    .first()) as { individual_id: string; identification_type: string; masked: string } | undefined;
  return row && { individualId: row.individual_id, identificationType: row.identification_type, masked: row.masked };
}

/**
 * The clear identification numbers of an individual, for the processes entitled to them (identity
 * checks, number portability). Never return these to an API caller.
 */
export async function revealIdentifications(
  db: Db,
  keys: PiiKeys,
  individualId: string,
): Promise<Array<{ identificationType: string; issuingAuthority?: string; identificationId: string; masked: string }>> {
  const rows = (await db(IDENTIFICATION).where({ individual_id: individualId }).orderBy([{ column: 'created_at' }, { column: 'id' }])) as IdentificationRow[];
  return rows.map((r) => ({
    identificationType: r.identification_type,
    ...(r.issuing_authority !== null ? { issuingAuthority: r.issuing_authority } : {}),
    identificationId: decryptPii(keys, r.number_sealed).toString('utf8'),
    masked: r.masked,
  }));
}
