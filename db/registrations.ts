/** Registrations and payment methods as small query functions. */
import type { Db } from './knex';

export interface Applicant {
  givenName: string;
  familyName: string;
  birthDate: string;
  email: string;
  mobile: string;
  address: { street: string; city: string; postalCode: string; country: string };
}

export interface AccountPreferences {
  paymentType: 'prepaid' | 'postpaid';
  currency: string;
  billCycleDay: number;
  timeZone: string;
}

export interface RegistrationRow {
  id: string;
  idempotencyKey: string | null;
  channel: string;
  state: string;
  reasons: string[];
  language: string;
  applicant: Applicant;
  document: { type: string; country: string; numberSealed: string; numberIndex: string; numberMasked: string };
  account: AccountPreferences;
  wantsMobile: boolean;
  preferredMsisdn: string | null;
  paymentMethodId: string | null;
  documentId: string | null;
  customerId: string | null;
  individualId: string | null;
  billingAccountId: string | null;
  msisdn: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewPaymentMethod {
  id: string;
  type: 'card' | 'directDebit';
  holderName: string;
  gatewayToken?: string;
  brand?: string;
  last4?: string;
  expiryMonth?: number;
  expiryYear?: number;
  ibanSealed?: string;
  ibanMasked?: string;
}

function fromRow(r: Record<string, unknown>): RegistrationRow {
  return {
    id: r.id as string,
    idempotencyKey: r.idempotency_key as string | null,
    channel: r.channel as string,
    state: r.state as string,
    reasons: r.reasons as string[],
    language: r.language as string,
    applicant: r.applicant as Applicant,
    document: {
      type: r.document_type as string,
      country: r.document_country as string,
      numberSealed: r.document_number_sealed as string,
      numberIndex: r.document_number_index as string,
      numberMasked: r.document_number_masked as string,
    },
    account: r.account as AccountPreferences,
    wantsMobile: r.wants_mobile as boolean,
    preferredMsisdn: r.preferred_msisdn as string | null,
    paymentMethodId: r.payment_method_id as string | null,
    documentId: r.document_id as string | null,
    customerId: r.customer_id as string | null,
    individualId: r.individual_id as string | null,
    billingAccountId: r.billing_account_id as string | null,
    msisdn: r.msisdn as string | null,
    createdAt: r.created_at as Date,
    updatedAt: r.updated_at as Date,
  };
}

/** Inserts a registration (and its payment method, if any) in one transaction. */
/** Stores a payment method (already tokenised or sealed) for a registration or a customer. */
export async function insertPaymentMethod(db: Db, method: NewPaymentMethod, owner: { registrationId?: string; customerId?: string }): Promise<void> {
  await db('crm_payment_method').insert({
    id: method.id,
    registration_id: owner.registrationId ?? null,
    customer_id: owner.customerId ?? null,
    type: method.type,
    holder_name: method.holderName,
    gateway_token: method.gatewayToken,
    brand: method.brand,
    last4: method.last4,
    expiry_month: method.expiryMonth,
    expiry_year: method.expiryYear,
    iban_sealed: method.ibanSealed,
    iban_masked: method.ibanMasked,
  });
}

export async function insertRegistration(
  db: Db,
  reg: Omit<RegistrationRow, 'state' | 'reasons' | 'paymentMethodId' | 'documentId' | 'customerId' | 'individualId' | 'billingAccountId' | 'msisdn' | 'createdAt' | 'updatedAt'>,
  paymentMethod: NewPaymentMethod | undefined,
): Promise<void> {
  await db.transaction(async (trx) => {
    if (paymentMethod) await insertPaymentMethod(trx, paymentMethod, { registrationId: reg.id });
    await trx('crm_registration').insert({
      id: reg.id,
      idempotency_key: reg.idempotencyKey,
      channel: reg.channel,
      language: reg.language,
      applicant: reg.applicant,
      document_type: reg.document.type,
      document_country: reg.document.country,
      document_number_sealed: reg.document.numberSealed,
      document_number_index: reg.document.numberIndex,
      document_number_masked: reg.document.numberMasked,
      account: reg.account,
      wants_mobile: reg.wantsMobile,
      preferred_msisdn: reg.preferredMsisdn,
      payment_method_id: paymentMethod?.id ?? null,
    });
  });
}

/** The registration with this id, or undefined. */
export async function findRegistration(db: Db, id: string): Promise<RegistrationRow | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  const row = await db('crm_registration').where({ id }).first();
  return row && fromRow(row);
}

/** The registration first taken with this idempotency key, or undefined. */
export async function findRegistrationByIdempotencyKey(db: Db, key: string): Promise<RegistrationRow | undefined> {
  const row = await db('crm_registration').where({ idempotency_key: key }).first();
  return row && fromRow(row);
}

/** Mirrors the workflow's state for readers of the API. */
export async function updateRegistrationState(db: Db, id: string, state: string, reasons: string[]): Promise<void> {
  await db('crm_registration').where({ id }).update({ state, reasons: JSON.stringify(reasons), updated_at: db.fn.now() });
}

/** Records what the registration produced (ids of the account, the number, the document). */
export async function updateRegistrationResults(
  db: Db,
  id: string,
  results: Partial<Pick<RegistrationRow, 'documentId' | 'customerId' | 'individualId' | 'billingAccountId' | 'msisdn'>> & { review?: unknown },
): Promise<void> {
  const columns: Record<string, unknown> = {
    document_id: results.documentId,
    customer_id: results.customerId,
    individual_id: results.individualId,
    billing_account_id: results.billingAccountId,
    msisdn: results.msisdn,
    review: results.review === undefined ? undefined : JSON.stringify(results.review),
  };
  const set = Object.fromEntries(Object.entries(columns).filter(([, v]) => v !== undefined));
  await db('crm_registration').where({ id }).update({ ...set, updated_at: db.fn.now() });
}

/** Registrations still open (neither finished nor failed) for this document, other than `exceptId`. */
export async function countOpenRegistrationsForDocument(db: Db, numberIndex: string, exceptId: string): Promise<number> {
  const [{ n }] = await db('crm_registration')
    .where({ document_number_index: numberIndex })
    .whereNot({ id: exceptId })
    .whereIn('state', ['collecting', 'verifying', 'pendingReview', 'creatingAccount'])
    .count({ n: '*' });
  return Number(n);
}

/** The payment method with this id, or undefined. */
export async function findPaymentMethod(db: Db, id: string) {
  return db('crm_payment_method').where({ id }).first();
}

/** Gives a registration's payment method to the customer it created. */
export async function assignPaymentMethod(db: Db, id: string, customerId: string): Promise<void> {
  await db('crm_payment_method').where({ id }).update({ customer_id: customerId });
}
