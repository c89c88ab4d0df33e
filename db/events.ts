/** Hub listeners and the event outbox (TMF notification pattern), as small query functions. */
import { randomUUID } from 'node:crypto';
import type { Db } from './knex';
import { isUuid } from './tmf-resources';

export interface HubListener {
  id: string;
  apiName: string;
  callback: string;
  query: string | null;
}

export interface OutboxEvent {
  eventId: string;
  apiName: string;
  eventType: string;
  payload: Record<string, unknown>;
}

export interface DueDelivery {
  eventId: string;
  listenerId: string;
  callback: string;
  attempts: number;
  payload: Record<string, unknown>;
}

/** Registers a listener for one API. */
export async function insertHubListener(db: Db, listener: Omit<HubListener, 'id'>): Promise<HubListener> {
  const row = { id: randomUUID(), ...listener };
  await db('hub_listener').insert({ id: row.id, api_name: row.apiName, callback: row.callback, query: row.query });
  return row;
}

/** The listener with this id on this API, or undefined. */
export async function findHubListener(db: Db, apiName: string, id: string): Promise<HubListener | undefined> {
  if (!isUuid(id)) return undefined;
  const row = await db('hub_listener').where({ api_name: apiName, id }).first();
  return row && { id: row.id, apiName: row.api_name, callback: row.callback, query: row.query };
}

/** Removes a listener; returns whether it existed. Deliveries already queued still go out. */
export async function deleteHubListener(db: Db, apiName: string, id: string): Promise<boolean> {
  if (!isUuid(id)) return false;
  return (await db('hub_listener').where({ api_name: apiName, id }).delete()) > 0;
}

/** All listeners of an API. */
export async function listHubListeners(db: Db, apiName: string): Promise<HubListener[]> {
  const rows = await db('hub_listener').where({ api_name: apiName });
  return rows.map((r: Record<string, string>) => ({ id: r.id, apiName: r.api_name, callback: r.callback, query: r.query }));
}

/** Writes the event and one pending delivery per listener; call inside the transaction of the change. */
export async function appendEvent(db: Db, event: OutboxEvent, listeners: HubListener[]): Promise<void> {
  await db('event_outbox').insert({
    event_id: event.eventId,
    api_name: event.apiName,
    event_type: event.eventType,
    payload: event.payload,
  });
  if (listeners.length === 0) return;
  await db('event_delivery').insert(
    listeners.map((l) => ({ event_id: event.eventId, listener_id: l.id, callback: l.callback })),
  );
}

/**
 * Writes the event and reads its API's listeners in one statement (one round trip instead of two:
 * every change of every TMF resource publishes an event). Call inside the transaction of the
 * change, then `appendDeliveries` for the listeners whose query the event matches.
 */
export async function appendEventListingListeners(db: Db, event: OutboxEvent): Promise<HubListener[]> {
  // A data-modifying WITH runs once whether or not the outer SELECT returns rows.
  const result = await db.raw(
    `WITH appended AS (
       INSERT INTO event_outbox (event_id, api_name, event_type, payload) VALUES (?, ?, ?, ?::jsonb) RETURNING event_id
     )
     SELECT id, api_name, callback, query FROM hub_listener WHERE api_name = ?`,
    [event.eventId, event.apiName, event.eventType, JSON.stringify(event.payload), event.apiName],
  );
  return result.rows.map((r: Record<string, string>) => ({ id: r.id, apiName: r.api_name, callback: r.callback, query: r.query }));
}

/** One pending delivery of an appended event per listener. */
export async function appendDeliveries(db: Db, eventId: string, listeners: HubListener[]): Promise<void> {
  if (listeners.length === 0) return;
  await db('event_delivery').insert(listeners.map((l) => ({ event_id: eventId, listener_id: l.id, callback: l.callback })));
}

/**
 * Claims up to `limit` due deliveries, pushing their next attempt `leaseSeconds` ahead so that a
 * sender that dies mid-delivery leaves them to be retried, and two senders never claim the same one.
 */
export async function claimDueDeliveries(db: Db, limit: number, leaseSeconds: number): Promise<DueDelivery[]> {
  const result = await db.raw(
    `UPDATE event_delivery d
        SET next_attempt_at = now() + make_interval(secs => ?), attempts = d.attempts + 1
       FROM event_outbox o
      WHERE o.event_id = d.event_id
        AND (d.event_id, d.listener_id) IN (
              SELECT event_id, listener_id FROM event_delivery
               WHERE status = 'pending' AND next_attempt_at <= now()
               ORDER BY next_attempt_at
               LIMIT ? FOR UPDATE SKIP LOCKED)
  RETURNING d.event_id, d.listener_id, d.callback, d.attempts, o.payload, o.seq`,
    [leaseSeconds, limit],
  );
  // UPDATE … RETURNING has no order: put each listener's events back in the order they happened.
  const rows = [...result.rows].sort((a: { seq: string }, b: { seq: string }) => Number(BigInt(a.seq) - BigInt(b.seq)));
  return rows.map((r: Record<string, unknown>) => ({
    eventId: r.event_id as string,
    listenerId: r.listener_id as string,
    callback: r.callback as string,
    attempts: r.attempts as number,
    payload: r.payload as Record<string, unknown>,
  }));
}

/** Marks a delivery done. */
export async function markDelivered(db: Db, eventId: string, listenerId: string): Promise<void> {
  await db('event_delivery')
    .where({ event_id: eventId, listener_id: listenerId })
    .update({ status: 'delivered', delivered_at: db.fn.now(), last_error: null });
}

/** Records a failed attempt: retried after `retryInSeconds`, or given up on when that is null. */
export async function markAttemptFailed(
  db: Db,
  eventId: string,
  listenerId: string,
  error: string,
  retryInSeconds: number | null,
): Promise<void> {
  const update =
    retryInSeconds === null
      ? { status: 'failed', last_error: error }
      : { last_error: error, next_attempt_at: db.raw('now() + make_interval(secs => ?)', [retryInSeconds]) };
  await db('event_delivery').where({ event_id: eventId, listener_id: listenerId }).update(update);
}
