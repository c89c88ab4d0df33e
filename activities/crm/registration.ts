/**
 * Activities of the registration workflow, one side effect each. Every write is idempotent
 * (fixed ids from the workflow, "create once", conditional updates), so a retried activity
 * never creates a second customer or reserves a second number.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { Knex } from 'knex';
import { billingAccountModel, customerModel, documentModel, individualModel, partyInteractionModel } from '../../db/crm-models';
import { findIndividualByIdentification } from '../../db/crm';
import { releaseReservation, reserveMsisdn } from '../../db/inventory';
import {
  assignPaymentMethod,
  countOpenRegistrationsForDocument,
  findPaymentMethod,
  findRegistration,
  updateRegistrationResults,
  updateRegistrationState,
  type RegistrationRow,
} from '../../db/registrations';
import { findResource } from '../../db/tmf-resources';
import { createTmfResourceOnce, patchTmfResource, type TmfWriteContext } from '../../db/tmf-store';
import type { Clock } from '../../domain/clock';
import { verifyIdentity, type VerificationOutcome } from '../../domain/identity/verify';
import type { DocumentType } from '../../domain/identity/national-id';
import { decryptPii, type PiiKeys } from '../../domain/pii';
import type { NotificationEvent, SendNotificationInput, SendNotificationResult } from '../notifications';

export interface RegistrationActivityDeps {
  knex: Knex;
  clock: Clock;
  piiKeys: PiiKeys;
  publicUrl: string;
  sendNotification(input: SendNotificationInput): Promise<SendNotificationResult>;
  /** Where identity reviews are requested and escalated. */
  reviewQueueEmail: string;
  supervisorEmail: string;
}

export interface AccountIds {
  customerId: string;
  individualId: string;
  billingAccountId: string;
}

/** How long a registration's number stays reserved for the customer's first mobile order. */
const NUMBER_HOLD_DAYS = 30;

const customerRef = (customerId: string, name?: string) => ({ id: customerId, name, role: 'customer', '@referredType': 'Customer' });

export function createRegistrationActivities(deps: RegistrationActivityDeps) {
  const { knex, clock, piiKeys } = deps;
  const ctx = (): TmfWriteContext => ({ now: clock.now(), publicUrl: deps.publicUrl });

  async function load(registrationId: string): Promise<RegistrationRow> {
    const found = await findRegistration(knex, registrationId);
    if (!found) throw ApplicationFailure.nonRetryable(`registration ${registrationId} does not exist`);
    return found;
  }

  return {
    /** Mirrors the workflow's state into the database for the API. */
    async recordRegistrationState(registrationId: string, state: string, reasons: string[]): Promise<void> {
      await updateRegistrationState(knex, registrationId, state, reasons);
    },

    /** Runs the identity checks; the clear number exists only inside this activity. */
    async verifyRegistrationIdentity(registrationId: string): Promise<VerificationOutcome> {
      const r = await load(registrationId);
      const number = decryptPii(piiKeys, r.document.numberSealed).toString();
      const holder = await findIndividualByIdentification(knex, piiKeys, r.document.type, number);
      let duplicateCustomerId: string | undefined;
      if (holder) {
        const individual = await findResource(knex, individualModel(piiKeys).table, holder.individualId);
        const customerId = (individual?.relatedParty as Array<{ id: string; role?: string }> | undefined)?.find((p) => p.role === 'customer')?.id;
        const customer = customerId ? await findResource(knex, customerModel.table, customerId) : undefined;
        if (customer && customer.status !== 'Closed') duplicateCustomerId = customer.id;
      }
      const outcome = verifyIdentity(
        {
          givenName: r.applicant.givenName,
          familyName: r.applicant.familyName,
          birthDate: r.applicant.birthDate,
          document: { type: r.document.type as DocumentType, number, issuingCountry: r.document.country },
        },
        { today: clock.now(), duplicateCustomerId },
      );
      if (outcome.outcome === 'verified' && (await countOpenRegistrationsForDocument(knex, r.document.numberIndex, registrationId)) > 0) {
        return { outcome: 'manualReview', reasons: ['another registration with the same document is in progress'] };
      }
      return outcome;
    },

    /** Asks the review queue to look at a registration. */
    async requestIdentityReview(registrationId: string, reasons: string[]): Promise<void> {
      await deps.sendNotification({
        event: 'identityReviewRequested',
        language: 'en',
        params: { registrationId, reasons },
        to: { email: deps.reviewQueueEmail },
        idempotencyKey: `registration-${registrationId}:identityReviewRequested`,
      });
    },

    /** Tells the supervisor a review has waited past its SLA (waiting since an ISO time). */
    async escalateIdentityReview(registrationId: string, waitingSince: string): Promise<void> {
      await deps.sendNotification({
        event: 'identityReviewEscalation',
        language: 'en',
        params: { registrationId, waitingSince },
        to: { email: deps.supervisorEmail },
        idempotencyKey: `registration-${registrationId}:identityReviewEscalation`,
      });
    },

    /** Keeps the agent's decision with the registration. */
    async recordIdentityReview(registrationId: string, review: { decision: string; reason?: string; agent: string }): Promise<void> {
      await updateRegistrationResults(knex, registrationId, { review: { ...review, decidedAt: clock.now().toISOString() } });
    },

    /** Creates the customer (Initialized), the individual, the billing account; then approves the customer. */
    async createCustomerAccount(registrationId: string, ids: AccountIds): Promise<void> {
      const r = await load(registrationId);
      const number = decryptPii(piiKeys, r.document.numberSealed).toString();
      const fullName = `${r.applicant.givenName} ${r.applicant.familyName}`;
      const contactMedium = [
        { mediumType: 'email', preferred: true, characteristic: { contactType: 'email', emailAddress: r.applicant.email } },
        { mediumType: 'mobile', characteristic: { contactType: 'mobile', phoneNumber: r.applicant.mobile } },
        {
          mediumType: 'postalAddress',
          characteristic: {
            contactType: 'postalAddress',
            street1: r.applicant.address.street,
            city: r.applicant.address.city,
            postCode: r.applicant.address.postalCode,
            country: r.applicant.address.country,
          },
        },
      ];
      await knex.transaction(async (trx) => {
        await createTmfResourceOnce(trx, customerModel, ids.customerId, {
          name: fullName,
          engagedParty: { id: ids.individualId, name: fullName, '@referredType': 'Individual' },
          contactMedium,
          characteristic: [
            { name: 'acquisitionChannel', value: r.channel },
            { name: 'registrationId', value: registrationId },
            { name: 'preferredLanguage', value: r.language },
          ],
        }, ctx());
        await createTmfResourceOnce(trx, individualModel(piiKeys), ids.individualId, {
          givenName: r.applicant.givenName,
          familyName: r.applicant.familyName,
          fullName,
          birthDate: r.applicant.birthDate,
          contactMedium,
          languageAbility: [{ languageCode: r.language, isFavouriteLanguage: true }],
          individualIdentification: [{ identificationType: r.document.type, identificationId: number, issuingAuthority: r.document.country }],
          relatedParty: [customerRef(ids.customerId, fullName)],
        }, ctx());
        await createTmfResourceOnce(trx, billingAccountModel, ids.billingAccountId, {
          name: `${fullName} (${r.account.paymentType})`,
          accountType: r.account.paymentType,
          relatedParty: [customerRef(ids.customerId, fullName)],
          billStructure: {
            billCycleDay: r.account.billCycleDay,
            currency: r.account.currency,
            timeZone: r.account.timeZone,
            paymentType: r.account.paymentType,
          },
        }, ctx());
        const customer = await findResource(trx, customerModel.table, ids.customerId, { forUpdate: true });
        if (customer?.status === 'Initialized') {
          await patchTmfResource(trx, customerModel, ids.customerId, { status: 'Approved', account: [{ id: ids.billingAccountId, '@referredType': 'BillingAccount' }] }, clock.now());
        }
        // The scan now belongs to the customer, who may see it.
        if (r.documentId) {
          await patchTmfResource(trx, documentModel(deps.publicUrl), r.documentId, { relatedParty: [customerRef(ids.customerId, fullName)] }, clock.now());
        }
        await updateRegistrationResults(trx, registrationId, ids);
      });
    },

    /** Compensation: closes what createCustomerAccount opened and frees the document for another try. */
    async discardCustomerAccount(registrationId: string, ids: AccountIds): Promise<void> {
      await knex.transaction(async (trx) => {
        await patchTmfResource(trx, customerModel, ids.customerId, { status: 'Closed' }, clock.now());
        await patchTmfResource(trx, billingAccountModel, ids.billingAccountId, { state: 'Closed' }, clock.now());
        await trx('crm_party_identification').where({ individual_id: ids.individualId }).delete();
      });
    },

    /** Reserves the chosen (or any) number for a mobile customer; null when no mobile service was asked for. */
    async reserveServiceNumber(registrationId: string, customerId: string): Promise<string | null> {
      const r = await load(registrationId);
      if (!r.wantsMobile) return null;
      const until = new Date(clock.now().getTime() + NUMBER_HOLD_DAYS * 86_400_000);
      const reservation = await reserveMsisdn(knex, { owner: registrationId, customerId, preferred: r.preferredMsisdn ?? undefined, until });
      if (!reservation) throw ApplicationFailure.nonRetryable('no mobile number is available in the inventory', 'NumberPoolEmpty');
      await updateRegistrationResults(knex, registrationId, { msisdn: reservation.msisdn });
      return reservation.msisdn;
    },

    /** Compensation: returns the registration's number to the pool. */
    async releaseServiceNumber(registrationId: string): Promise<void> {
      await releaseReservation(knex, registrationId);
    },

    /** Makes the payment method given at registration the billing account's default. */
    async attachPaymentMethod(registrationId: string, ids: AccountIds): Promise<void> {
      const r = await load(registrationId);
      if (!r.paymentMethodId) return;
      const method = await findPaymentMethod(knex, r.paymentMethodId);
      const name = method.type === 'card' ? `${method.brand} ****${method.last4}` : `Direct debit ${method.iban_masked}`;
      await knex.transaction(async (trx) => {
        await assignPaymentMethod(trx, r.paymentMethodId!, ids.customerId);
        await patchTmfResource(trx, billingAccountModel, ids.billingAccountId, {
          defaultPaymentMethod: { id: r.paymentMethodId, name, '@referredType': method.type === 'card' ? 'BankCard' : 'BankAccountDebit' },
        }, clock.now());
      });
    },

    /** The customer becomes Active; the registration is recorded as an interaction on its channel. */
    async activateCustomer(registrationId: string, ids: AccountIds): Promise<void> {
      const r = await load(registrationId);
      await knex.transaction(async (trx) => {
        const customer = await findResource(trx, customerModel.table, ids.customerId, { forUpdate: true });
        if (customer?.status === 'Approved') await patchTmfResource(trx, customerModel, ids.customerId, { status: 'Active' }, clock.now());
        await patchTmfResource(trx, billingAccountModel, ids.billingAccountId, { state: 'Active' }, clock.now());
        await createTmfResourceOnce(trx, partyInteractionModel(clock), registrationId, {
          description: 'Customer registration',
          reason: 'registration',
          direction: 'inbound',
          channel: [{ id: r.channel, role: 'interaction channel' }],
          status: 'completed',
          relatedParty: [customerRef(ids.customerId, `${r.applicant.givenName} ${r.applicant.familyName}`)],
          relatedEntity: [{ id: registrationId, role: 'registration', '@referredType': 'Registration' }],
        }, ctx());
      });
    },

    /** Tells the applicant, in their language, on every contact they gave. Never fails the workflow. */
    async notifyApplicant(registrationId: string, event: NotificationEvent, params: Record<string, unknown>): Promise<void> {
      const r = await load(registrationId);
      await deps.sendNotification({
        event,
        language: r.language,
        params: { givenName: r.applicant.givenName, ...params },
        to: { email: r.applicant.email, msisdn: r.applicant.mobile, name: `${r.applicant.givenName} ${r.applicant.familyName}` },
        customerId: r.customerId ?? undefined,
        relatedEntity: { id: registrationId, '@referredType': 'Registration' },
        idempotencyKey: `registration-${registrationId}:${event}`,
      });
    },
  };
}

export type RegistrationActivities = ReturnType<typeof createRegistrationActivities>;
