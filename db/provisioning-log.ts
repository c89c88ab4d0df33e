/** The provisioning log (every network command and its outcome) as small query functions. */
import { randomUUID } from 'node:crypto';
import type { Db } from './knex';

export type ProvisioningOperation = 'activate' | 'deactivate' | 'suspend' | 'restore' | 'modify';

/**
 * `sent`: no outcome yet (in flight, or the worker died); `succeeded`: RETCODE 0; `rejected`: a
 * refusal another attempt would get again; `failed`: an element failure or another error (retried); `timeout`
 * and `connectionError`: no reply, the command may or may not have taken effect.
 */
export type ProvisioningLogStatus = 'sent' | 'succeeded' | 'rejected' | 'failed' | 'timeout' | 'connectionError';

export interface ProvisioningLogEntry {
  id: string;
  orderId: string;
  serviceId: string;
  operation: ProvisioningOperation;
  element: string;
  command: string;
  reply: string | null;
  retcode: number | null;
  status: ProvisioningLogStatus;
  error: string | null;
  sentAt: Date;
  answeredAt: Date | null;
  durationMs: number | null;
}

interface Row {
  id: string;
  order_id: string;
  service_id: string;
  operation: ProvisioningOperation;
  element: string;
  command: string;
  reply: string | null;
  retcode: number | null;
  status: ProvisioningLogStatus;
  error: string | null;
  sent_at: Date;
  answered_at: Date | null;
  duration_ms: number | null;
}

const TABLE = 'provisioning_log';

const toEntry = (r: Row): ProvisioningLogEntry => ({
  id: r.id,
  orderId: r.order_id,
  serviceId: r.service_id,
  operation: r.operation,
  element: r.element,
  command: r.command,
  reply: r.reply,
  retcode: r.retcode,
  status: r.status,
  error: r.error,
  sentAt: r.sent_at,
  answeredAt: r.answered_at,
  durationMs: r.duration_ms,
});

/** Records a command about to be sent (status `sent`); returns the entry's id. */
export async function insertProvisioningLogEntry(
  db: Db,
  entry: { orderId: string; serviceId: string; operation: ProvisioningOperation; element: string; command: string; sentAt: Date },
): Promise<string> {
  const id = randomUUID();
  await db(TABLE).insert({
    id,
    order_id: entry.orderId,
    service_id: entry.serviceId,
    operation: entry.operation,
    element: entry.element,
    command: entry.command,
    status: 'sent',
    sent_at: entry.sentAt,
  });
  return id;
}

/**
 * Completes an entry with its outcome: the text really sent (with its CTAG), the reply or the
 * error, and `at`, when the reply came (answered_at) or the wait ended (duration only).
 */
export async function completeProvisioningLogEntry(
  db: Db,
  id: string,
  outcome: { status: Exclude<ProvisioningLogStatus, 'sent'>; command?: string; reply?: string; retcode?: number; error?: string; at: Date },
): Promise<void> {
  await db(TABLE)
    .where({ id })
    .update({
      status: outcome.status,
      ...(outcome.command ? { command: outcome.command } : {}),
      reply: outcome.reply ?? null,
      retcode: outcome.retcode ?? null,
      error: outcome.error ?? null,
      answered_at: outcome.reply !== undefined ? outcome.at : null,
      duration_ms: db.raw('greatest(0, round(extract(epoch from (?::timestamptz - sent_at)) * 1000))::int', [outcome.at]),
    });
}

/** Entries of an order and/or a service, oldest first. */
export async function listProvisioningLog(
  db: Db,
  filter: { orderId?: string; serviceId?: string; limit?: number; offset?: number } = {},
): Promise<{ entries: ProvisioningLogEntry[]; total: number }> {
  const where = (q: ReturnType<Db>) => {
    if (filter.orderId !== undefined) q.where('order_id', filter.orderId);
    if (filter.serviceId !== undefined) q.where('service_id', filter.serviceId);
    return q;
  };
  const [rows, [{ n }]] = await Promise.all([
    where(db(TABLE))
      .select<Row[]>('*')
      .orderBy([{ column: 'sent_at' }, { column: 'seq' }])
      .limit(filter.limit ?? 200)
      .offset(filter.offset ?? 0),
    where(db(TABLE)).count<Array<{ n: string }>>({ n: '*' }),
  ]);
  return { entries: rows.map(toEntry), total: Number(n) };
}
