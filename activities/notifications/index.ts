/**
 * The notification activity: renders an event's template in the recipient's language, sends it
 * by email (SMTP) and/or SMS (SMPP), and records each message as a TMF681 communicationMessage
 * (CreateEvent when sending starts, state change to `completed` or `failed` when it ends).
 *
 * A failed delivery is retried here a few times with a short backoff and then recorded as
 * `failed`; it never throws for a delivery failure, because a notification must not fail the
 * business workflow that asked for it. Bad input (unknown event, missing parameters) is recorded
 * as `failed` too. It throws only when the database fails (Temporal retries the activity; with
 * an idempotency key nothing is sent twice).
 *
 * Idempotency: with `idempotencyKey` (e.g. `<workflowId>:welcome`) each (key, channel) is claimed
 * once (crm_notification_dispatch); a repeated call sends nothing and returns the first result.
 * A claim whose sender died mid-send is taken over when its lease runs out (the sender renews it
 * while it sends).
 */
import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  claimDispatch,
  createCommunicationMessage,
  findDispatch,
  finishDispatch,
  renewDispatch,
  takeOverDispatch,
  updateCommunicationMessage,
  type Dispatch,
  type DispatchChannel,
} from '../../db/notifications';
import type { Clock } from '../../domain/clock';
import { createSmtpMailSender, type MailConfig, type MailSender } from './mail';
import { createSmppSmsSender, type SmsConfig, type SmsSender } from './smpp-client';
import {
  parseNotificationParams,
  renderNotification,
  resolveLanguage,
  type NotificationEvent,
  type NotificationParams,
  type RenderedNotification,
} from './templates';

export type { MailConfig, MailSender } from './mail';
export type { SmsConfig, SmsSender } from './smpp-client';
export { NOTIFICATION_EVENTS, renderNotification, type NotificationEvent, type NotificationParams } from './templates';

export type NotificationChannel = DispatchChannel;

export interface NotificationRecipient {
  email?: string;
  /** International form, with or without `+`. */
  msisdn?: string;
  name?: string;
}

/** The event and its parameters, typed together: what a caller that knows its event should write. */
export type NotificationContent = { [E in NotificationEvent]: { event: E; params: NotificationParams[E] } }[NotificationEvent];

export interface NotificationEnvelope {
  /** BCP 47 (`es`, `es-ES`); templates we lack fall back to English. */
  language?: string;
  /** One message per channel present. */
  to: NotificationRecipient;
  /** The customer the messages are for: their owner (customers see their own in TMF681). */
  customerId?: string;
  /** The business entity the message is about, e.g. `{ id, '@referredType': 'Registration' }`. */
  relatedEntity?: { id: string; '@referredType': string; href?: string; name?: string };
  /** Same key (and channel) → sent once; e.g. `<workflowId>:welcome`. */
  idempotencyKey?: string;
  /** Files sent with the email (not with an SMS), e.g. a bill's PDF. */
  attachments?: NotificationAttachment[];
}

/** A file for the email, its content in base64 (as it crosses JSON). */
export interface NotificationAttachment {
  filename: string;
  contentType: string;
  contentBase64: string;
}

/** A notification with its event and parameters checked by the compiler. */
export type TypedSendNotificationInput = NotificationContent & NotificationEnvelope;

/**
 * The activity's input. Parameters arrive as JSON, so they are checked at run time: extra keys
 * are ignored; an unknown event or missing parameters make every channel `failed` (recorded,
 * nothing sent) rather than an exception.
 */
export interface SendNotificationInput extends NotificationEnvelope {
  event: NotificationEvent;
  params: Record<string, unknown>;
}

export interface ChannelResult {
  channel: NotificationChannel;
  status: 'sent' | 'failed';
  /** Id of the TMF681 communicationMessage that records the send. */
  messageId: string;
  /** The SMTP Message-ID / the SMSC message_id(s). */
  providerMessageId?: string;
  /** Why the last attempt failed. */
  error?: string;
  attempts: number;
  /** True when an earlier call with the same idempotency key did the sending. */
  duplicate?: boolean;
}

/** One result per channel the recipient has (none without email and MSISDN). */
export type SendNotificationResult = ChannelResult[];

export interface RetryPolicy {
  /** Attempts per channel (default 3). */
  attempts?: number;
  /** Wait before the second attempt, doubled after each (default 500 ms). */
  backoffMs?: number;
}

export interface NotificationDeps {
  knex: Knex;
  clock: Clock;
  /** Base of the communicationMessage hrefs, e.g. https://bss.example.com */
  publicUrl: string;
  mail: MailConfig;
  sms: SmsConfig;
  retry?: RetryPolicy;
  /** How long a claim protects an unfinished send from being taken over; its sender renews it while sending (default 15 s). */
  claimLeaseMs?: number;
  /** Replace the SMTP / SMPP senders (tests, other providers). */
  senders?: { mail?: MailSender; sms?: SmsSender };
}

/**
 * Lease of a send's claim. The sender renews it every third of it while it sends, so it only
 * bounds how long the message of a sender that died waits before another attempt takes it over.
 */
export const DEFAULT_CLAIM_LEASE_MS = 15_000;

/** A notification that cannot go out whatever we retry (bad input). */
class PermanentNotificationError extends Error {
  readonly permanent = true;
}

/** An error that another attempt cannot fix (bad address, permanent SMTP refusal). */
function isPermanent(err: unknown): boolean {
  const e = err as { permanent?: boolean; responseCode?: number; code?: string } | undefined;
  if (e?.permanent) return true;
  return typeof e?.responseCode === 'number' && e.responseCode >= 500 && e.responseCode < 600;
}

const errorMessage = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** `BSS <no-reply@bss.local>` → name and address. */
function parseAddress(value: string): { name?: string; email: string } {
  const match = /^\s*"?([^"<]*?)"?\s*<([^>]+)>\s*$/.exec(value);
  if (!match) return { email: value.trim() };
  return { ...(match[1] ? { name: match[1] } : {}), email: match[2].trim() };
}

/**
 * The activity and a close() for the SMTP/SMPP connections (the worker's shutdown, tests).
 * Register only `activities` with the worker.
 */
export function createNotificationService(deps: NotificationDeps) {
  const mail = deps.senders?.mail ?? createSmtpMailSender(deps.mail);
  const sms = deps.senders?.sms ?? createSmppSmsSender(deps.sms);
  const attempts = Math.max(1, deps.retry?.attempts ?? 3);
  const backoffMs = deps.retry?.backoffMs ?? 500;
  const leaseMs = deps.claimLeaseMs ?? DEFAULT_CLAIM_LEASE_MS;
  const pollMs = Math.min(250, leaseMs);
  const from = parseAddress(deps.mail.from);

  /** Calls `send` until it succeeds, fails permanently, or runs out of attempts. */
  async function withRetries(send: () => Promise<string>): Promise<{ ok: true; providerMessageId: string; attempts: number } | { ok: false; error: string; attempts: number }> {
    let lastError = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        return { ok: true, providerMessageId: await send(), attempts: attempt };
      } catch (err) {
        lastError = errorMessage(err);
        if (isPermanent(err) || attempt === attempts) return { ok: false, error: lastError, attempts: attempt };
        await sleep(backoffMs * 2 ** (attempt - 1));
      }
    }
    return { ok: false, error: lastError, attempts };
  }

  interface Outgoing {
    channel: NotificationChannel;
    body: Record<string, unknown>;
    send: () => Promise<string>;
  }

  /**
   * Runs `work` while renewing the claim's lease, so that the lease can be short: a sender that
   * is alive never loses its claim, and one that died loses it within `leaseMs`.
   */
  async function holdingClaim<T>(key: string, channel: NotificationChannel, messageId: string, work: () => Promise<T>): Promise<T> {
    const timer = setInterval(() => {
      // A missed renewal only risks a takeover (and a second send) if the sender stays stuck past the lease.
      renewDispatch(deps.knex, key, channel, messageId, leaseMs).catch(() => undefined);
    }, Math.max(50, Math.floor(leaseMs / 3)));
    try {
      return await work();
    } finally {
      clearInterval(timer);
    }
  }

  /** Sends a claimed message and records the outcome. */
  async function deliver(out: Outgoing, messageId: string, key: string | undefined): Promise<ChannelResult> {
    const outcome = key === undefined ? await withRetries(out.send) : await holdingClaim(key, out.channel, messageId, () => withRetries(out.send));
    const now = deps.clock.now();
    const characteristic = [
      ...((out.body.characteristic as unknown[]) ?? []),
      { name: 'attempts', valueType: 'integer', value: outcome.attempts },
      outcome.ok
        ? { name: 'providerMessageId', valueType: 'string', value: outcome.providerMessageId }
        : { name: 'error', valueType: 'string', value: outcome.error },
    ];
    await deps.knex.transaction(async (trx) => {
      await updateCommunicationMessage(
        trx,
        messageId,
        { state: outcome.ok ? 'completed' : 'failed', ...(outcome.ok ? { sendTimeComplete: now.toISOString() } : {}), characteristic },
        now,
      );
      if (key !== undefined) {
        await finishDispatch(trx, key, out.channel, {
          status: outcome.ok ? 'sent' : 'failed',
          ...(outcome.ok ? { providerMessageId: outcome.providerMessageId } : { error: outcome.error }),
          attempts: outcome.attempts,
        });
      }
    });
    return {
      channel: out.channel,
      status: outcome.ok ? 'sent' : 'failed',
      messageId,
      ...(outcome.ok ? { providerMessageId: outcome.providerMessageId } : { error: outcome.error }),
      attempts: outcome.attempts,
    };
  }

  const fromDispatch = (d: Dispatch): ChannelResult => ({
    channel: d.channel,
    status: d.status === 'sent' ? 'sent' : 'failed',
    messageId: d.communicationMessageId,
    ...(d.providerMessageId ? { providerMessageId: d.providerMessageId } : {}),
    ...(d.error ? { error: d.error } : {}),
    attempts: d.attempts,
    duplicate: true,
  });

  /** Creates the record (state inProgress) unless an earlier call holds the key; then sends. */
  async function sendOne(out: Outgoing, key: string | undefined): Promise<ChannelResult> {
    const ctx = { now: deps.clock.now(), publicUrl: deps.publicUrl };
    const messageId = randomUUID();
    const claimed = await deps.knex.transaction(async (trx) => {
      if (key !== undefined && !(await claimDispatch(trx, { idempotencyKey: key, channel: out.channel, communicationMessageId: messageId, leaseMs }))) {
        return false;
      }
      await createCommunicationMessage(trx, messageId, { ...out.body, state: 'inProgress', sendTime: ctx.now.toISOString() }, ctx);
      return true;
    });
    if (claimed) return deliver(out, messageId, key);

    // Someone claimed this key and channel: wait for its outcome, or take over a send whose sender died.
    for (;;) {
      const existing = await findDispatch(deps.knex, key!, out.channel);
      if (!existing) throw new Error(`notification claim ${key}/${out.channel} vanished`);
      if (existing.status !== 'inProgress') return fromDispatch(existing);
      if (existing.leaseExpired && (await takeOverDispatch(deps.knex, key!, out.channel, leaseMs))) {
        return deliver(out, existing.communicationMessageId, key);
      }
      await sleep(pollMs);
    }
  }

  async function sendNotification(input: SendNotificationInput): Promise<SendNotificationResult> {
    const language = resolveLanguage(input.language);
    const parsed = parseNotificationParams(String(input.event), input.params);
    const rendered: RenderedNotification | undefined = parsed.ok
      ? renderNotification(parsed.event, language, parsed.params as never)
      : undefined;
    // Bad input is recorded as a failed message per channel: visible to staff, never an exception.
    const refuse = async (): Promise<string> => {
      throw new PermanentNotificationError(parsed.ok ? 'not rendered' : parsed.error);
    };
    const to = input.to ?? {};
    const party = input.customerId ? { id: input.customerId, '@referredType': 'Customer', role: 'customer' } : undefined;
    const receiverBase = {
      ...(input.customerId ? { id: input.customerId } : {}),
      ...(to.name ? { name: to.name } : {}),
      ...(party ? { party } : {}),
    };
    const common = {
      description: `${input.event} notification`,
      ...(rendered ? { subject: rendered.subject } : {}),
      tryTimes: attempts,
      characteristic: [
        { name: 'event', valueType: 'string', value: input.event },
        { name: 'language', valueType: 'string', value: language },
        ...(input.idempotencyKey ? [{ name: 'idempotencyKey', valueType: 'string', value: input.idempotencyKey }] : []),
      ],
      ...(input.relatedEntity ? { relatedEntity: [input.relatedEntity] } : {}),
    };

    const outgoing: Outgoing[] = [];
    if (to.email) {
      const email = to.email;
      const attachments = (input.attachments ?? []).map((a) => ({ filename: a.filename, contentType: a.contentType, content: Buffer.from(a.contentBase64, 'base64') }));
      outgoing.push({
        channel: 'email',
        body: {
          ...common,
          messageType: 'email',
          content: rendered?.text ?? '',
          sender: { ...(from.name ? { name: from.name } : {}), email: from.email },
          receiver: [{ ...receiverBase, email }],
          ...(attachments.length
            ? { attachment: attachments.map((a) => ({ name: a.filename, mimeType: a.contentType, size: { amount: a.content.length, units: 'bytes' } })) }
            : {}),
        },
        send: rendered
          ? async () =>
              (await mail.send({ to: email, ...(to.name ? { toName: to.name } : {}), subject: rendered.subject, text: rendered.text, html: rendered.html, ...(attachments.length ? { attachments } : {}) }))
                .messageId
          : refuse,
      });
    }
    if (to.msisdn) {
      const msisdn = to.msisdn;
      outgoing.push({
        channel: 'sms',
        body: {
          ...common,
          messageType: 'sms',
          content: rendered?.sms ?? '',
          sender: { id: deps.sms.sender, name: deps.sms.sender },
          receiver: [{ ...receiverBase, phoneNumber: msisdn }],
        },
        send: rendered ? async () => (await sms.send({ to: msisdn, text: rendered.sms })).messageId : refuse,
      });
    }
    // Channels go out side by side: a slow SMTP server does not hold the SMS back.
    return Promise.all(outgoing.map((out) => sendOne(out, input.idempotencyKey)));
  }

  return {
    activities: { sendNotification },
    async close(): Promise<void> {
      await Promise.all([mail.close(), sms.close()]);
    },
  };
}

/** The notification activities, for createActivities (activities/index.ts). */
export function createNotificationActivities(deps: NotificationDeps) {
  return createNotificationService(deps).activities;
}
