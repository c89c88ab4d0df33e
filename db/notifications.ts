/**
 * Notifications in the database: TMF681 communicationMessage documents (written through the TMF
 * store, so the owner column and the TMF events come with every write), the dispatch claims that
 * make a repeated send idempotent, and the development outbox the local sinks fill.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Db } from './knex';
import { createTmfResourceOnce, patchTmfResource, type TmfModel, type TmfWriteContext } from './tmf-store';
import type { TmfDocument } from './tmf-resources';

export const COMMUNICATION_MESSAGE_TABLE = 'crm_communication_message';

/**
 * The customer a communicationMessage belongs to: the id of the first `receiver[].party` whose
 * `@referredType` is `Customer`. Messages to staff (or to an address only) have no owner and are
 * visible to staff roles only.
 */
export function communicationMessageOwner(doc: Record<string, unknown>): string | undefined {
  const receivers = Array.isArray(doc.receiver) ? (doc.receiver as unknown[]) : [];
  for (const receiver of receivers) {
    const party = (receiver as { party?: { id?: unknown; '@referredType'?: unknown } } | null)?.party;
    if (party?.['@referredType'] === 'Customer' && typeof party.id === 'string' && party.id !== '') return party.id;
  }
  return undefined;
}

/** How a communicationMessage is stored: shared by the TMF681 API and the notification activity. */
export const communicationMessageModel: TmfModel = {
  apiName: 'communicationManagement',
  name: 'communicationMessage',
  type: 'CommunicationMessage',
  table: COMMUNICATION_MESSAGE_TABLE,
  stateField: 'state',
  defaults: () => ({ state: 'initial' }),
  ownerCustomerId: communicationMessageOwner,
};

/**
 * Creates the message with this id (CommunicationMessageCreateEvent) unless it exists; call in
 * a transaction.
 */
export function createCommunicationMessage(
  trx: Knex.Transaction,
  id: string,
  body: Record<string, unknown>,
  ctx: TmfWriteContext,
): Promise<TmfDocument> {
  return createTmfResourceOnce(trx, communicationMessageModel, id, body, ctx);
}

/** Applies a change (e.g. the final state) and publishes the change events; call in a transaction. */
export function updateCommunicationMessage(
  trx: Knex.Transaction,
  id: string,
  change: Record<string, unknown>,
  now: Date,
): Promise<TmfDocument | undefined> {
  return patchTmfResource(trx, communicationMessageModel, id, change, now);
}

// ---- dispatch claims (idempotency) ----

export type DispatchChannel = 'email' | 'sms';
export type DispatchStatus = 'inProgress' | 'sent' | 'failed';

export interface Dispatch {
  idempotencyKey: string;
  channel: DispatchChannel;
  communicationMessageId: string;
  status: DispatchStatus;
  providerMessageId?: string;
  error?: string;
  attempts: number;
  /** The claim of an unfinished send has run out: another attempt may take it over. */
  leaseExpired: boolean;
}

const DISPATCH = 'crm_notification_dispatch';

/**
 * Claims (key, channel) for a new send that will record itself as `communicationMessageId`;
 * false when someone already claimed it (a concurrent claim waits for the other to commit).
 */
export async function claimDispatch(
  db: Db,
  claim: { idempotencyKey: string; channel: DispatchChannel; communicationMessageId: string; leaseMs: number },
): Promise<boolean> {
  const rows = await db(DISPATCH)
    .insert({
      idempotency_key: claim.idempotencyKey,
      channel: claim.channel,
      communication_message_id: claim.communicationMessageId,
      status: 'inProgress',
      lease_until: db.raw(`now() + make_interval(secs => ?)`, [claim.leaseMs / 1000]),
    })
    .onConflict(['idempotency_key', 'channel'])
    .ignore()
    .returning('channel');
  return rows.length > 0;
}

export async function findDispatch(db: Db, idempotencyKey: string, channel: DispatchChannel): Promise<Dispatch | undefined> {
  const row = (await db(DISPATCH)
    .select('*', db.raw('lease_until < now() AS lease_expired'))
    .where({ idempotency_key: idempotencyKey, channel })
    .first()) as Record<string, unknown> | undefined;
  if (!row) return undefined;
  return {
    idempotencyKey: row.idempotency_key as string,
    channel: row.channel as DispatchChannel,
    communicationMessageId: row.communication_message_id as string,
    status: row.status as DispatchStatus,
    ...(row.provider_message_id ? { providerMessageId: row.provider_message_id as string } : {}),
    ...(row.error ? { error: row.error as string } : {}),
    attempts: row.attempts as number,
    leaseExpired: row.lease_expired as boolean,
  };
}

/** Takes over an unfinished send whose lease ran out (its sender died); true when this caller now holds it. */
export async function takeOverDispatch(db: Db, idempotencyKey: string, channel: DispatchChannel, leaseMs: number): Promise<boolean> {
  const n = await db(DISPATCH)
    .where({ idempotency_key: idempotencyKey, channel, status: 'inProgress' })
    .andWhere('lease_until', '<', db.fn.now())
    .update({ lease_until: db.raw(`now() + make_interval(secs => ?)`, [leaseMs / 1000]), updated_at: db.fn.now() });
  return n > 0;
}

/** Extends the lease of an unfinished send its sender is still working on; false when it is no longer that sender's. */
export async function renewDispatch(db: Db, idempotencyKey: string, channel: DispatchChannel, communicationMessageId: string, leaseMs: number): Promise<boolean> {
  const n = await db(DISPATCH)
    .where({ idempotency_key: idempotencyKey, channel, communication_message_id: communicationMessageId, status: 'inProgress' })
    .update({ lease_until: db.raw(`now() + make_interval(secs => ?)`, [leaseMs / 1000]), updated_at: db.fn.now() });
  return n > 0;
}

/** Records the outcome of a claimed send. */
export async function finishDispatch(
  db: Db,
  idempotencyKey: string,
  channel: DispatchChannel,
  outcome: { status: 'sent' | 'failed'; providerMessageId?: string; error?: string; attempts: number },
): Promise<void> {
  await db(DISPATCH)
    .where({ idempotency_key: idempotencyKey, channel })
    .update({
      status: outcome.status,
      provider_message_id: outcome.providerMessageId ?? null,
      error: outcome.error ?? null,
      attempts: outcome.attempts,
      updated_at: db.fn.now(),
    });
}

// ---- development outbox ----

export type OutboxChannel = 'email' | 'sms';

export interface DevOutboxMessage {
  id: string;
  channel: OutboxChannel;
  sender: string | null;
  recipient: string;
  subject: string | null;
  body: string;
  receivedAt: string;
  /** Files that came with an email (absent when none): name, type, size, SHA-256. */
  attachments?: Array<{ filename: string | null; contentType: string; size: number; sha256: string }>;
}

const DEV_OUTBOX = 'dev_outbox';

/** Stores messages a local sink received (one row per recipient). */
export async function insertDevOutboxMessages(
  db: Db,
  messages: Array<Omit<DevOutboxMessage, 'id' | 'receivedAt'>>,
): Promise<string[]> {
  if (messages.length === 0) return [];
  const rows = messages.map((m) => ({
    id: randomUUID(),
    channel: m.channel,
    sender: m.sender,
    recipient: m.recipient,
    subject: m.subject,
    body: m.body,
    attachments: JSON.stringify(m.attachments ?? []),
    received_at: db.raw('clock_timestamp()'),
  }));
  await db(DEV_OUTBOX).insert(rows);
  return rows.map((r) => r.id);
}

/**
 * Received messages, newest first. `recipient` ignores case (the sinks store email addresses in
 * lower case) and a leading `+` of a number.
 */
export async function listDevOutbox(
  db: Db,
  filter: { recipient?: string; channel?: OutboxChannel; limit: number },
): Promise<DevOutboxMessage[]> {
  const query = db(DEV_OUTBOX)
    .select('id', 'channel', 'sender', 'recipient', 'subject', 'body', 'received_at', 'attachments')
    .orderBy([{ column: 'received_at', order: 'desc' }, { column: 'id', order: 'desc' }])
    .limit(filter.limit);
  if (filter.recipient !== undefined) {
    const r = filter.recipient.trim();
    void query.whereRaw('recipient = ANY(?::text[])', [[r, r.replace(/^\+/, '')].map((v) => v.toLowerCase())]);
  }
  if (filter.channel !== undefined) void query.where({ channel: filter.channel });
  const rows = (await query) as Array<Record<string, unknown>>;
  return rows.map((r) => ({
    id: r.id as string,
    channel: r.channel as OutboxChannel,
    sender: (r.sender as string | null) ?? null,
    recipient: r.recipient as string,
    subject: (r.subject as string | null) ?? null,
    body: r.body as string,
    receivedAt: (r.received_at as Date).toISOString(),
    ...((r.attachments as unknown[] | null)?.length ? { attachments: r.attachments as DevOutboxMessage['attachments'] } : {}),
  }));
}
