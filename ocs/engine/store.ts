/**
 * The engine's SQL: two round trips per request and no transaction held open across the network.
 * One prepared statement reads everything a request needs (the session, the subscriber, the
 * account's buckets, the session's reservations) from one snapshot; one writes everything it
 * changes (buckets, ledger, reservations, session) atomically, guarded by what was read: a bucket
 * may not be reserved beyond what it holds, the released reservations must still exist, the session
 * must still be at the request number read. A failed guard fails the whole statement (40001) and
 * the engine reads again: optimistic concurrency, with PostgreSQL's row locks held only for the
 * statement, so top-ups and sweeps that lock the same rows interleave safely.
 */
import type pg from 'pg';
import { money } from '../../domain/money';
import type { BucketState, Plan, ReservationState, SessionUsage } from './plan';
import type { ChargingAnswer, ChargingRequest } from './types';

/** The session row as the engine needs it. */
export interface SessionRow {
  id: string;
  chargingAccountId: string;
  msisdn: string;
  state: 'open' | 'closed';
  lastRequestNumber: number;
  lastAnswer: ChargingAnswer;
  usage: SessionUsage;
}

export interface SubscriberRow {
  msisdn: string;
  chargingAccountId: string;
  billingAccountId: string;
  productId: string | null;
  /** Active only when both the subscriber and its account are. */
  active: boolean;
}

export interface ReadState {
  session?: SessionRow;
  subscriber?: SubscriberRow;
  buckets: BucketState[];
  reservations: ReservationState[];
}

const READ = `
WITH sess AS (
  SELECT id, charging_account_id, msisdn, state, last_request_number, last_answer, usage
  FROM charging_session WHERE id = $1
), sub AS (
  -- Two index lookups (by number, else by IMSI) rather than an OR the planner may scan for.
  SELECT s.msisdn, s.charging_account_id, a.billing_account_id, s.product_id, (s.status = 'active' AND a.status = 'active') AS active
  FROM (
    (SELECT * FROM charging_subscriber WHERE msisdn = coalesce($2, (SELECT msisdn FROM sess)))
    UNION ALL
    (SELECT * FROM charging_subscriber WHERE imsi = $3)
    LIMIT 1
  ) s JOIN charging_account a ON a.id = s.charging_account_id
), bk AS (
  SELECT id, bucket_type, balance::text AS balance, reserved::text AS reserved, coalesce(credit_limit, 0)::text AS credit_limit,
         priority, valid_from, valid_until, created_at
  FROM charging_bucket
  WHERE charging_account_id = coalesce((SELECT charging_account_id FROM sess), (SELECT charging_account_id FROM sub))
  ORDER BY id
), rs AS (
  SELECT id::text AS id, rating_group, bucket_id, amount::text AS amount, quantity::text AS quantity
  FROM charging_reservation WHERE session_id = $1
)
SELECT (SELECT to_jsonb(sess) FROM sess) AS session,
       (SELECT to_jsonb(sub) FROM sub) AS subscriber,
       coalesce((SELECT jsonb_agg(to_jsonb(bk)) FROM bk), '[]'::jsonb) AS buckets,
       coalesce((SELECT jsonb_agg(to_jsonb(rs)) FROM rs), '[]'::jsonb) AS reservations`;

const WRITE = `
WITH bu AS (
  UPDATE charging_bucket b SET balance = b.balance - d.debit, reserved = b.reserved + d.reserve
  FROM unnest($1::uuid[], $2::numeric[], $3::numeric[]) AS d(id, debit, reserve)
  -- = ANY lets the planner reach the few buckets by their key rather than scan and hash the table.
  WHERE b.id = ANY($1::uuid[]) AND b.id = d.id
    -- Usage already happened, so money may overrun; a reservation (and a unit debit) may not.
    AND ((b.bucket_type = 'money' AND d.reserve <= 0)
      OR b.balance - d.debit + CASE WHEN b.bucket_type = 'money' THEN coalesce(b.credit_limit, 0) ELSE 0 END - (b.reserved + d.reserve) >= 0)
  RETURNING b.id
), led AS (
  INSERT INTO charging_ledger (bucket_id, kind, amount, reference, rating_group, created_at)
  SELECT l.bucket_id, l.kind, l.amount, l.reference, l.rating_group, $4
  FROM unnest($5::uuid[], $6::text[], $7::numeric[], $8::text[], $24::int[]) AS l(bucket_id, kind, amount, reference, rating_group)
  RETURNING id
), ses AS (
  INSERT INTO charging_session (id, charging_account_id, msisdn, state, last_request_number, last_answer, usage, started_at, updated_at, expires_at)
  VALUES ($9, $10, $11, $12, $13, $14, $15, $4, $4, $16)
  ON CONFLICT (id) DO UPDATE SET state = excluded.state, last_request_number = excluded.last_request_number,
    last_answer = excluded.last_answer, usage = excluded.usage, updated_at = excluded.updated_at, expires_at = excluded.expires_at
  WHERE charging_session.last_request_number = $23 AND charging_session.state = 'open'
  RETURNING id
), rdel AS (
  DELETE FROM charging_reservation WHERE id = ANY($17::bigint[]) RETURNING id
), rins AS (
  INSERT INTO charging_reservation (session_id, rating_group, bucket_id, amount, quantity, expires_at)
  SELECT $9, r.rg, r.bucket_id, r.amount, r.quantity, $18
  FROM unnest($19::int[], $20::uuid[], $21::numeric[], $22::numeric[]) AS r(rg, bucket_id, amount, quantity)
  RETURNING id
)
SELECT charging_check((SELECT count(*) FROM bu) = cardinality($1::uuid[])
                  AND (SELECT count(*) FROM ses) = 1
                  AND (SELECT count(*) FROM rdel) = cardinality($17::bigint[])
                  AND (SELECT count(*) FROM led) >= 0 AND (SELECT count(*) FROM rins) >= 0) AS ok`;

type Json = Record<string, unknown>;

const toBucket = (b: Json): BucketState => ({
  id: b.id as string,
  type: b.bucket_type as BucketState['type'],
  balance: money(b.balance as string),
  reserved: money(b.reserved as string),
  creditLimit: money(b.credit_limit as string),
  priority: b.priority as number,
  validFrom: new Date(b.valid_from as string),
  validUntil: b.valid_until ? new Date(b.valid_until as string) : null,
  createdAt: new Date(b.created_at as string),
});

/** Reads the session, subscriber, buckets and reservations of a request, from one snapshot. */
export async function readState(db: pg.Pool | pg.PoolClient, request: ChargingRequest): Promise<ReadState> {
  const { rows } = await db.query({ name: 'ocs_read', text: READ, values: [request.sessionId, request.subscriber.msisdn ?? null, request.subscriber.imsi ?? null] });
  const row = rows[0] as { session: Json | null; subscriber: Json | null; buckets: Json[]; reservations: Json[] };
  const s = row.session;
  const sub = row.subscriber;
  return {
    session: s
      ? {
          id: s.id as string,
          chargingAccountId: s.charging_account_id as string,
          msisdn: s.msisdn as string,
          state: s.state as SessionRow['state'],
          lastRequestNumber: s.last_request_number as number,
          lastAnswer: s.last_answer as ChargingAnswer,
          usage: s.usage as SessionUsage,
        }
      : undefined,
    subscriber: sub
      ? {
          msisdn: sub.msisdn as string,
          chargingAccountId: sub.charging_account_id as string,
          billingAccountId: sub.billing_account_id as string,
          productId: (sub.product_id as string | null) ?? null,
          active: sub.active as boolean,
        }
      : undefined,
    buckets: row.buckets.map(toBucket),
    reservations: row.reservations.map((r) => ({
      id: r.id as string,
      ratingGroup: r.rating_group as number,
      bucketId: r.bucket_id as string,
      amount: money(r.amount as string),
      quantity: money(r.quantity as string),
    })),
  };
}

/** A failed guard (or a deadlock with a sweep): read again and plan again. */
export const isConflict = (err: unknown): boolean => ['40001', '40P01'].includes((err as { code?: string }).code ?? '');

/**
 * Writes a plan in one statement: buckets (in id order), ledger, session, released and new
 * reservations; throws a conflict (isConflict) when the state is no longer what was read.
 */
export async function writePlan(
  db: pg.Pool | pg.PoolClient,
  w: { plan: Plan; request: ChargingRequest; previousRequestNumber: number | null; chargingAccountId: string; msisdn: string; now: Date; sessionExpiresAt: Date; reservationExpiresAt: Date },
): Promise<void> {
  const { plan } = w;
  const changes = [...plan.bucketChanges.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  await db.query({
    name: 'ocs_write',
    text: WRITE,
    values: [
      changes.map(([id]) => id),
      changes.map(([, c]) => c.debit.toString()),
      changes.map(([, c]) => c.reserve.toString()),
      w.now,
      plan.ledger.map((l) => l.bucketId),
      plan.ledger.map((l) => l.kind),
      plan.ledger.map((l) => l.amount.toString()),
      plan.ledger.map((l) => l.reference),
      w.request.sessionId,
      w.chargingAccountId,
      w.msisdn,
      plan.closeSession ? 'closed' : 'open',
      w.request.requestNumber,
      plan.answer,
      plan.usage,
      w.sessionExpiresAt,
      plan.releasedReservationIds,
      w.reservationExpiresAt,
      plan.newReservations.map((r) => r.ratingGroup),
      plan.newReservations.map((r) => r.bucketId),
      plan.newReservations.map((r) => r.amount.toString()),
      plan.newReservations.map((r) => r.quantity.toString()),
      // A session row that exists though none was read (a concurrent first request) is not overwritten.
      w.previousRequestNumber ?? -1,
      plan.ledger.map((l) => l.ratingGroup),
    ],
  });
}
