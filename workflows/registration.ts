/**
 * Customer registration (`registration-<id>`): collect the identity document, verify identity
 * (with a manual review that has an SLA), create the customer, individual and billing account,
 * reserve a service number, attach the billing information, activate, and welcome the customer.
 * The personal data stays in the database: the workflow carries only ids.
 */
import {
  CancellationScope,
  condition,
  defineQuery,
  defineSignal,
  defineUpdate,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  uuid4,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { failureReason, runCompensations, toMs } from './common';

export type RegistrationState =
  | 'collecting'
  | 'verifying'
  | 'pendingReview'
  | 'creatingAccount'
  | 'completed'
  | 'rejected'
  | 'expired'
  | 'failed';

export interface RegistrationStatus {
  state: RegistrationState;
  reasons: string[];
  customerId?: string;
  msisdn?: string;
}

export interface ReviewDecision {
  decision: 'approve' | 'reject';
  reason?: string;
  agent: string;
}

/** How long each wait may last before the workflow moves on (the SLAs). */
export interface RegistrationTimeouts {
  /** Waiting for the identity document scan. */
  documentDeadline: string;
  /** A manual review undecided for this long is escalated to a supervisor. */
  reviewEscalation: string;
  /** … and for this long in all, the registration expires. */
  reviewExpiry: string;
}

export const DEFAULT_TIMEOUTS: RegistrationTimeouts = {
  documentDeadline: '7 days',
  reviewEscalation: '48 hours',
  reviewExpiry: '7 days',
};

export const registrationStatusQuery = defineQuery<RegistrationStatus>('registrationStatus');
export const documentUploadedSignal = defineSignal<[{ documentId: string }]>('documentUploaded');
export const reviewUpdate = defineUpdate<RegistrationStatus, [ReviewDecision]>('review');

const act = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', maximumAttempts: 10 },
});

/** Notifications retry deliveries themselves (and wait out another sender's claim): more time. */
const notify = proxyActivities<Activities>({
  startToCloseTimeout: '3 minutes',
  retry: { initialInterval: '5 seconds', maximumInterval: '1 minute', maximumAttempts: 5 },
});



export async function registration(input: { registrationId: string; timeouts?: Partial<RegistrationTimeouts> }): Promise<RegistrationStatus> {
  const { registrationId } = input;
  const timeouts = { ...DEFAULT_TIMEOUTS, ...input.timeouts };
  const status: RegistrationStatus = { state: 'collecting', reasons: [] };
  let documentId: string | undefined;
  let review: ReviewDecision | undefined;

  setHandler(registrationStatusQuery, () => status);
  setHandler(documentUploadedSignal, ({ documentId: id }) => {
    documentId ??= id;
  });
  setHandler(
    reviewUpdate,
    (decision) => {
      review = decision;
      return { ...status };
    },
    {
      validator: (decision) => {
        if (status.state !== 'pendingReview' || review) throw new Error(`registration is ${status.state}, not awaiting a review`);
        if (decision.decision !== 'approve' && decision.decision !== 'reject') throw new Error('decision must be approve or reject');
      },
    },
  );

  const moveTo = async (state: RegistrationState, reasons: string[] = []) => {
    status.state = state;
    status.reasons = reasons;
    await act.recordRegistrationState(registrationId, state, reasons);
  };
  const endWith = async (state: 'rejected' | 'expired', reasons: string[], event: 'registrationRejected' | 'registrationExpired') => {
    await moveTo(state, reasons);
    await notify.notifyApplicant(registrationId, event, { reasons });
    return status;
  };

  // 1–2. The identity document scan (personal data was validated when the registration was taken).
  await moveTo('collecting');
  if (!(await condition(() => documentId !== undefined, timeouts.documentDeadline))) {
    return endWith('expired', ['no identity document was received in time'], 'registrationExpired');
  }

  // 3. Verify identity.
  await moveTo('verifying');
  const verdict = await act.verifyRegistrationIdentity(registrationId);
  if (verdict.outcome === 'rejected') return endWith('rejected', verdict.reasons, 'registrationRejected');
  if (verdict.outcome === 'manualReview') {
    await moveTo('pendingReview', verdict.reasons);
    const reviewRequestedAt = new Date().toISOString(); // workflow time: deterministic on replay
    await notify.requestIdentityReview(registrationId, verdict.reasons);
    if (!(await condition(() => review !== undefined, timeouts.reviewEscalation))) {
      await notify.escalateIdentityReview(registrationId, reviewRequestedAt);
      const remaining = toMs(timeouts.reviewExpiry) - toMs(timeouts.reviewEscalation);
      if (!(await condition(() => review !== undefined, remaining))) {
        return endWith('expired', ['the identity review was not decided in time'], 'registrationExpired');
      }
    }
    await act.recordIdentityReview(registrationId, review!);
    if (review!.decision === 'reject') return endWith('rejected', [review!.reason ?? 'rejected by review'], 'registrationRejected');
  }

  // 4–6. Account, service identity, billing information; compensated last-in-first-out on failure.
  await moveTo('creatingAccount');
  const ids = { customerId: uuid4(), individualId: uuid4(), billingAccountId: uuid4() };
  const compensations: Array<() => Promise<unknown>> = [];
  try {
    await act.createCustomerAccount(registrationId, ids);
    compensations.push(() => act.discardCustomerAccount(registrationId, ids));
    await upsertSearchAttributes({ CustomerId: [ids.customerId] });
    status.customerId = ids.customerId;

    const msisdn = await act.reserveServiceNumber(registrationId, ids.customerId);
    compensations.push(() => act.releaseServiceNumber(registrationId));
    if (msisdn) {
      status.msisdn = msisdn;
      await upsertSearchAttributes({ Msisdn: [msisdn] });
    }

    await act.attachPaymentMethod(registrationId, ids);
    await act.activateCustomer(registrationId, ids);
  } catch (err) {
    await CancellationScope.nonCancellable(async () => {
      await runCompensations(compensations, { registrationId });
      await moveTo('failed', [failureReason(err, 'the account could not be created')]);
      await notify.notifyApplicant(registrationId, 'registrationFailed', {});
    });
    throw err;
  }

  await moveTo('completed');
  // 7. Irreversible and last: the welcome (a failed delivery never fails the registration).
  await notify.notifyApplicant(registrationId, 'welcome', { customerId: ids.customerId, msisdn: status.msisdn });
  return status;
}
