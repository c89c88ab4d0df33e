/**
 * The steps of a card top-up (workflow `topup-<id>`): charge the card once per top-up, credit the
 * money bucket once (ledger reference `topup:<id>`) and complete the TMF654 top-up in the same
 * transaction, fail it with a reason, refund the charge, and tell the customer.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { Knex } from 'knex';
import { customerModel, partyInteractionModel } from '../../db/crm-models';
import { findCardOfCustomer, recordRefund } from '../../db/payments';
import { applyLedgerEntry, lockPrepayBucket, moneyBalanceOfAccount } from '../../db/prepay-balance';
import { rearmLowBalance } from '../../db/prepay-housekeeping';
import { topupBalanceModel } from '../../db/prepay-models';
import { findResource } from '../../db/tmf-resources';
import { createTmfResourceOnce, patchTmfResource } from '../../db/tmf-store';
import type { Clock } from '../../domain/clock';
import { bucketStatusOf } from '../../domain/prepay/quantity';
import { uuidV5 } from '../../domain/uuid';
import type { SendNotificationInput, SendNotificationResult } from '../notifications';
import type { NotificationEvent } from '../notifications/templates';
import { contactOf } from '../crm/customer-contact';
import { chargeCardOnce, ChargeKeyConflictError } from '../payments/charge-card';
import type { PaymentGateway } from '../payments/gateway';

export interface PrepayDeps {
  knex: Knex;
  clock: Clock;
  publicUrl: string;
  paymentGateway: PaymentGateway;
  sendNotification(input: SendNotificationInput): Promise<SendNotificationResult>;
  /** Default low-balance threshold (decimal string, the account's currency). */
  lowBalanceThreshold: string;
}

/** A card top-up as the API hands it to its workflow. */
export interface CardTopUpInput {
  topupId: string;
  bucketId: string;
  customerId: string;
  amount: string;
  currency: string;
  paymentMethodId: string;
}

export type TopUpCharge = { status: 'captured'; chargeId: string } | { status: 'declined'; reason: string };

/** Our namespace for the ids of a top-up's party interactions (a fixed random UUID). */
const TOPUP_NAMESPACE = 'b1e0c7a4-52d9-4f3e-9a86-0d4c2e7f1b35';

const chargeKey = (topupId: string) => `topup:${topupId}`;

export function createTopUpActivities(deps: PrepayDeps) {
  const { knex, clock, paymentGateway } = deps;

  /** The top-up's charge (key `topup:<id>`); a key already used for another amount fails for good. */
  async function chargeTopUp(t: Pick<CardTopUpInput, 'topupId' | 'customerId' | 'amount' | 'currency'>, card: { id: string; gatewayToken: string; last4: string }) {
    try {
      return await chargeCardOnce(deps, { idempotencyKey: chargeKey(t.topupId), customerId: t.customerId, purpose: 'topUp', amount: t.amount, currency: t.currency, card, description: `Top-up ${t.topupId}` });
    } catch (err) {
      if (err instanceof ChargeKeyConflictError) throw ApplicationFailure.nonRetryable(err.message, 'ChargeKeyConflict');
      throw err;
    }
  }

  return {
    /**
     * Charges the card once per top-up (idempotency key `topup:<id>`); a decline is an outcome, and
     * so is a top-up that ended before its charge (the API fails one whose workflow it could not
     * start): nothing is charged for it.
     */
    async chargeTopUpCard(input: CardTopUpInput): Promise<TopUpCharge> {
      const topup = await findResource(knex, topupBalanceModel.table, input.topupId);
      if (topup && topup.status !== 'created') return { status: 'declined', reason: `the top-up was ${String(topup.status)} before its card was charged` };
      const card = await findCardOfCustomer(knex, input.customerId, input.paymentMethodId);
      if (!card) return { status: 'declined', reason: 'that payment method is not a card of this customer' };
      const outcome = await chargeTopUp(input, card);
      return outcome.status === 'captured' ? { status: 'captured', chargeId: outcome.charge.id } : { status: 'declined', reason: outcome.reason };
    },

    /**
     * Credits the bucket and completes the top-up in one transaction; a retry credits nothing
     * more. Returns the account's money balance after it. A bucket that can no longer take it
     * (gone, expired, suspended) or a top-up already failed is a non-retryable failure.
     */
    async creditTopUp(input: CardTopUpInput): Promise<{ balance: string }> {
      const now = clock.now();
      return knex.transaction(async (trx) => {
        const bucket = await lockPrepayBucket(trx, input.bucketId);
        if (!bucket) throw ApplicationFailure.nonRetryable(`bucket ${input.bucketId} no longer exists`, 'BucketUnavailable');
        const topup = await findResource(trx, topupBalanceModel.table, input.topupId, { forUpdate: true });
        // A failed top-up is never credited: its charge is refunded, or about to be.
        if (topup?.status === 'failed') throw ApplicationFailure.nonRetryable(`top-up ${input.topupId} has failed: ${String(topup.statusReason ?? '')}`, 'TopUpFailed');
        if (topup?.status !== 'completed') {
          const status = bucketStatusOf(bucket, now);
          if (status !== 'active') throw ApplicationFailure.nonRetryable(`bucket ${bucket.id} is ${status}`, 'BucketUnavailable');
          await applyLedgerEntry(trx, { bucketId: bucket.id, kind: 'credit', amount: input.amount, reference: `topup:${input.topupId}`, now });
          await patchTmfResource(trx, topupBalanceModel, input.topupId, { status: 'completed', confirmationDate: now.toISOString() }, now);
          await rearmLowBalance(trx, bucket.chargingAccountId, now, deps.lowBalanceThreshold);
        }
        return { balance: await moneyBalanceOfAccount(trx, bucket.chargingAccountId, now) };
      });
    },

    /**
     * Marks the top-up failed with the reason, unless its credit committed first: returns how it
     * ended. From then on it can be neither credited nor failed again.
     */
    async failTopUp(input: { topupId: string; reason: string }): Promise<{ status: 'failed' } | { status: 'completed'; balance: string }> {
      const now = clock.now();
      return knex.transaction(async (trx) => {
        const topup = await findResource(trx, topupBalanceModel.table, input.topupId, { forUpdate: true });
        if (topup?.status === 'completed') {
          const bucket = await lockPrepayBucket(trx, (topup.bucket as { id: string }).id);
          return { status: 'completed', balance: bucket ? await moneyBalanceOfAccount(trx, bucket.chargingAccountId, now) : '0' };
        }
        if (topup?.status === 'created') await patchTmfResource(trx, topupBalanceModel, input.topupId, { status: 'failed', statusReason: input.reason }, now);
        return { status: 'failed' };
      });
    },

    /**
     * Compensation: refunds the charge of a top-up that was not credited (once); returns the
     * amount refunded, or null when nothing was charged. A charge whose outcome is unknown (still
     * pending: the gateway did not answer, or the run stopped while it was asked) is asked again
     * with its idempotency key first, which settles it as the gateway had it.
     */
    async refundTopUpCharge(input: { topupId: string }): Promise<{ refunded: string | null }> {
      const topup = await findResource(knex, topupBalanceModel.table, input.topupId);
      if (topup?.status === 'completed') throw ApplicationFailure.nonRetryable(`top-up ${input.topupId} was credited: its charge stays`, 'TopUpCredited');
      let charge = await knex('payment_charge').where({ idempotency_key: chargeKey(input.topupId) }).first();
      if (charge?.status === 'pending') {
        const card = await findCardOfCustomer(knex, charge.customer_id, charge.payment_method_id ?? undefined);
        if (!card) throw new Error(`the card of pending charge ${charge.id} is gone: settle it with the gateway by hand`);
        await chargeTopUp({ topupId: input.topupId, customerId: charge.customer_id, amount: String(charge.amount), currency: charge.currency }, card);
        charge = await knex('payment_charge').where({ id: charge.id }).first();
      }
      if (!charge) return { refunded: null };
      if (charge.status === 'refunded') return { refunded: String(charge.refunded_amount) };
      if (charge.status !== 'captured') return { refunded: null };
      const { refundId } = await paymentGateway.refund({ chargeId: charge.gateway_charge_id, amount: String(charge.amount), currency: charge.currency, idempotencyKey: `refund:${charge.id}` });
      await recordRefund(knex, charge.id, refundId, clock.now());
      return { refunded: String(charge.amount) };
    },

    /** Tells the customer about the top-up and records the contact as a party interaction. Never fails the workflow. */
    async notifyTopUpCustomer(input: { topupId: string; customerId: string; event: NotificationEvent; params: Record<string, unknown> }): Promise<void> {
      await notifyCustomer(deps, { ...input, key: `topup-${input.topupId}:${input.event}`, relatedEntity: { id: input.topupId, '@referredType': 'TopupBalance' } });
    },
  };
}

/** Sends a notification to a prepaid customer on every contact it has, and records the party interaction once per key. */
export async function notifyCustomer(
  deps: Pick<PrepayDeps, 'knex' | 'clock' | 'publicUrl' | 'sendNotification'>,
  n: { customerId: string; event: NotificationEvent; params: Record<string, unknown>; key: string; relatedEntity: { id: string; '@referredType': string } },
): Promise<void> {
  const customer = await findResource(deps.knex, customerModel.table, n.customerId);
  if (!customer) return;
  const contact = contactOf(customer);
  await deps.sendNotification({
    event: n.event,
    language: contact.language,
    params: { givenName: contact.name || undefined, ...n.params },
    to: { email: contact.email, msisdn: contact.msisdn, name: contact.name },
    customerId: n.customerId,
    relatedEntity: n.relatedEntity,
    idempotencyKey: n.key,
  });
  await deps.knex.transaction((trx) =>
    createTmfResourceOnce(trx, partyInteractionModel(deps.clock), uuidV5(n.key, TOPUP_NAMESPACE), {
      description: `Prepaid balance: ${n.event}`,
      reason: 'prepaidBalance',
      direction: 'outbound',
      channel: [{ id: contact.email ? 'email' : 'sms', role: 'interaction channel' }],
      status: 'completed',
      relatedParty: [{ id: n.customerId, role: 'customer', '@referredType': 'Customer' }],
      relatedEntity: [{ id: n.relatedEntity.id, role: n.relatedEntity['@referredType'], '@referredType': n.relatedEntity['@referredType'] }],
    }, { now: deps.clock.now(), publicUrl: deps.publicUrl }),
  );
}
