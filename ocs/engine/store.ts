/**
 * The engine's SQL, two round trips per batch of requests (a single request is a batch of one) and
 * no transaction held open across the network. One statement reads everything the batch needs (its
 * sessions, subscribers, the accounts' buckets, the sessions' reservations) from one snapshot; one
 * statement writes everything the batch changes (buckets, ledger, new sessions, updated sessions,
 * released and new reservations) in one commit, guarded by what was read: no bucket reserved beyond
 * what it holds, the released reservations still there, every session still at the number read. A
 * failed guard fails the whole batch (40001) and nothing is written; the engine reads again
 * (optimistic concurrency, with PostgreSQL's row locks held only for the statement, so top-ups and
 * sweeps that lock the same rows interleave safely). Bucket changes are deltas (balance = balance −
 * debit), so a top-up committed between the read and the write is kept, never overwritten.
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

/** A failed guard (or a deadlock with a sweep): read again and plan again. */
export const isConflict = (err: unknown): boolean => ['40001', '40P01'].includes((err as { code?: string }).code ?? '');

const READ_BATCH = `
WITH req AS (
  SELECT r.i, r.session_id, r.msisdn, r.imsi FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS r(session_id, msisdn, imsi, i)
), sess AS (
  SELECT id, charging_account_id, msisdn, state, last_request_number, last_answer, usage
  FROM charging_session WHERE id = ANY($1::text[])
), sub AS (
  SELECT r.i, x.msisdn, x.charging_account_id, a.billing_account_id, x.product_id, (x.status = 'active' AND a.status = 'active') AS active
  FROM req r CROSS JOIN LATERAL (
    -- Two index lookups (by number, else by IMSI) rather than an OR the planner may scan for.
    (SELECT * FROM charging_subscriber WHERE msisdn = coalesce(r.msisdn, (SELECT s.msisdn FROM sess s WHERE s.id = r.session_id)))
    UNION ALL
    (SELECT * FROM charging_subscriber WHERE imsi = r.imsi)
    LIMIT 1
  ) x JOIN charging_account a ON a.id = x.charging_account_id
), bk AS (
  SELECT id, charging_account_id, bucket_type, balance::text AS balance, reserved::text AS reserved, coalesce(credit_limit, 0)::text AS credit_limit,
         priority, valid_from, valid_until, created_at
  FROM charging_bucket
  WHERE charging_account_id = ANY(ARRAY(SELECT charging_account_id FROM sess UNION SELECT charging_account_id FROM sub))
  ORDER BY id
), rs AS (
  SELECT id::text AS id, session_id, rating_group, bucket_id, amount::text AS amount, quantity::text AS quantity
  FROM charging_reservation WHERE session_id = ANY($1::text[])
  ORDER BY id
)
SELECT coalesce((SELECT jsonb_agg(to_jsonb(sess)) FROM sess), '[]'::jsonb) AS sessions,
       coalesce((SELECT jsonb_agg(to_jsonb(sub)) FROM sub), '[]'::jsonb) AS subscribers,
       coalesce((SELECT jsonb_agg(to_jsonb(bk)) FROM bk), '[]'::jsonb) AS buckets,
       coalesce((SELECT jsonb_agg(to_jsonb(rs)) FROM rs), '[]'::jsonb) AS reservations`;

const WRITE_BATCH = `
WITH bu AS (
  UPDATE charging_bucket b SET balance = b.balance - d.debit, reserved = b.reserved + d.reserve
  FROM unnest($1::uuid[], $2::numeric[], $3::numeric[]) AS d(id, debit, reserve)
  WHERE b.id = ANY($1::uuid[]) AND b.id = d.id
    -- Usage already happened, so money may overrun; a reservation (and a unit debit) may not.
    AND ((b.bucket_type = 'money' AND d.reserve <= 0)
      OR b.balance - d.debit + CASE WHEN b.bucket_type = 'money' THEN coalesce(b.credit_limit, 0) ELSE 0 END - (b.reserved + d.reserve) >= 0)
  RETURNING b.id
), led AS (
  INSERT INTO charging_ledger (bucket_id, kind, amount, reference, rating_group, created_at)
  SELECT l.bucket_id, l.kind, l.amount, l.reference, l.rating_group, $4
  FROM unnest($5::uuid[], $6::text[], $7::numeric[], $8::text[], $9::int[]) AS l(bucket_id, kind, amount, reference, rating_group)
  RETURNING id
), sins AS (
  -- A session that exists though none was read (a concurrent first request) is not overwritten.
  INSERT INTO charging_session (id, charging_account_id, msisdn, state, last_request_number, last_answer, usage, started_at, updated_at, expires_at)
  SELECT n.id, n.account, n.msisdn, n.state, n.number, n.answer::jsonb, n.usage::jsonb, $4, $4, $10
  FROM unnest($11::text[], $12::uuid[], $13::text[], $14::text[], $15::int[], $16::text[], $17::text[]) AS n(id, account, msisdn, state, number, answer, usage)
  ON CONFLICT (id) DO NOTHING
  RETURNING id
), supd AS (
  UPDATE charging_session s SET state = u.state, last_request_number = u.number, last_answer = u.answer::jsonb, usage = u.usage::jsonb, updated_at = $4, expires_at = $10
  FROM unnest($18::text[], $19::int[], $20::text[], $21::int[], $22::text[], $23::text[]) AS u(id, previous, state, number, answer, usage)
  WHERE s.id = ANY($18::text[]) AND s.id = u.id AND s.last_request_number = u.previous AND s.state = 'open'
  RETURNING s.id
), rdel AS (
  DELETE FROM charging_reservation WHERE id = ANY($24::bigint[]) RETURNING id
), rins AS (
  INSERT INTO charging_reservation (session_id, rating_group, bucket_id, amount, quantity, expires_at)
  SELECT r.session_id, r.rg, r.bucket_id, r.amount, r.quantity, $25
  FROM unnest($26::text[], $27::int[], $28::uuid[], $29::numeric[], $30::numeric[]) AS r(session_id, rg, bucket_id, amount, quantity)
  RETURNING id
)
SELECT charging_check((SELECT count(*) FROM bu) = cardinality($1::uuid[])
                  AND (SELECT count(*) FROM sins) = cardinality($11::text[])
                  AND (SELECT count(*) FROM supd) = cardinality($18::text[])
                  AND (SELECT count(*) FROM rdel) = cardinality($24::bigint[])
                  AND (SELECT count(*) FROM led) >= 0 AND (SELECT count(*) FROM rins) >= 0) AS ok`;

type Json = Record<string, unknown>;

/** What one batch read returns: per request (in the order given) its state; buckets are shared per account. */
export interface BatchState {
  sessions: Map<string, SessionRow>;
  /** The subscriber each request names, by the request's position. */
  subscribers: Array<SubscriberRow | undefined>;
  /** Buckets by account, in id order. */
  bucketsByAccount: Map<string, BucketState[]>;
  /** Reservations by session, in id order. */
  reservationsBySession: Map<string, ReservationState[]>;
}

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

const push = <K, V>(map: Map<K, V[]>, key: K, value: V) => {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
};

/** Reads the state of every request of a batch from one snapshot. */
export async function readBatch(db: pg.Pool | pg.PoolClient, requests: ChargingRequest[]): Promise<BatchState> {
  const { rows } = await db.query({
    name: 'ocs_read_batch',
    text: READ_BATCH,
    values: [requests.map((r) => r.sessionId), requests.map((r) => r.subscriber.msisdn ?? null), requests.map((r) => r.subscriber.imsi ?? null)],
  });
  const row = rows[0] as { sessions: Json[]; subscribers: Json[]; buckets: Json[]; reservations: Json[] };
  const sessions = new Map<string, SessionRow>();
  for (const s of row.sessions) {
    sessions.set(s.id as string, {
      id: s.id as string,
      chargingAccountId: s.charging_account_id as string,
      msisdn: s.msisdn as string,
      state: s.state as SessionRow['state'],
      lastRequestNumber: s.last_request_number as number,
      lastAnswer: s.last_answer as ChargingAnswer,
      usage: s.usage as SessionUsage,
    });
  }
  const subscribers: Array<SubscriberRow | undefined> = new Array(requests.length).fill(undefined);
  for (const sub of row.subscribers) {
    subscribers[Number(sub.i) - 1] = {
      msisdn: sub.msisdn as string,
      chargingAccountId: sub.charging_account_id as string,
      billingAccountId: sub.billing_account_id as string,
      productId: (sub.product_id as string | null) ?? null,
      active: sub.active as boolean,
    };
  }
  const bucketsByAccount = new Map<string, BucketState[]>();
  for (const b of row.buckets) push(bucketsByAccount, b.charging_account_id as string, toBucket(b));
  const reservationsBySession = new Map<string, ReservationState[]>();
  for (const r of row.reservations) {
    push(reservationsBySession, r.session_id as string, {
      id: r.id as string,
      ratingGroup: r.rating_group as number,
      bucketId: r.bucket_id as string,
      amount: money(r.amount as string),
      quantity: money(r.quantity as string),
    });
  }
  return { sessions, subscribers, bucketsByAccount, reservationsBySession };
}

/** The state of one request of a batch, as the single-request path reads it. */
export function stateOf(batch: BatchState, request: ChargingRequest, index: number): ReadState {
  const session = batch.sessions.get(request.sessionId);
  const subscriber = batch.subscribers[index];
  const accountId = session?.chargingAccountId ?? subscriber?.chargingAccountId;
  return {
    session,
    subscriber,
    buckets: (accountId && batch.bucketsByAccount.get(accountId)) || [],
    reservations: batch.reservationsBySession.get(request.sessionId) ?? [],
  };
}

/** One planned request of a batch, with what its session row becomes. */
export interface PlannedWrite {
  plan: Plan;
  request: ChargingRequest;
  /** The request number the session was read at; null when the session is new. */
  previousRequestNumber: number | null;
  chargingAccountId: string;
  msisdn: string;
}

/**
 * Writes the plans of a batch in one statement (one commit); bucket changes of the same bucket are
 * summed. Throws a conflict (isConflict) when any of the state read has changed in a way a guard
 * catches; then nothing is written.
 */
export async function writeBatch(
  db: pg.Pool | pg.PoolClient,
  w: { writes: PlannedWrite[]; now: Date; sessionExpiresAt: Date; reservationExpiresAt: Date },
): Promise<void> {
  const buckets = new Map<string, { debit: ReturnType<typeof money>; reserve: ReturnType<typeof money> }>();
  const ledger: Array<{ bucketId: string; kind: string; amount: string; reference: string; ratingGroup: number }> = [];
  const inserted: PlannedWrite[] = [];
  const updated: PlannedWrite[] = [];
  const released: string[] = [];
  const reservations: Array<{ sessionId: string; ratingGroup: number; bucketId: string; amount: string; quantity: string }> = [];
  for (const pw of w.writes) {
    const { plan } = pw;
    for (const [id, c] of plan.bucketChanges) {
      const sum = buckets.get(id);
      if (sum) {
        sum.debit = sum.debit.plus(c.debit);
        sum.reserve = sum.reserve.plus(c.reserve);
      } else buckets.set(id, { debit: c.debit, reserve: c.reserve });
    }
    for (const l of plan.ledger) ledger.push({ bucketId: l.bucketId, kind: l.kind, amount: l.amount.toString(), reference: l.reference, ratingGroup: l.ratingGroup });
    (pw.previousRequestNumber === null ? inserted : updated).push(pw);
    released.push(...plan.releasedReservationIds);
    for (const r of plan.newReservations) {
      reservations.push({ sessionId: pw.request.sessionId, ratingGroup: r.ratingGroup, bucketId: r.bucketId, amount: r.amount.toString(), quantity: r.quantity.toString() });
    }
  }
  // Buckets in id order, as every writer locks them.
  const changes = [...buckets.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  const answer = (pw: PlannedWrite) => JSON.stringify(pw.plan.answer);
  const usage = (pw: PlannedWrite) => JSON.stringify(pw.plan.usage);
  const state = (pw: PlannedWrite) => (pw.plan.closeSession ? 'closed' : 'open');
  await db.query({
    name: 'ocs_write_batch',
    text: WRITE_BATCH,
    values: [
      changes.map(([id]) => id),
      changes.map(([, c]) => c.debit.toString()),
      changes.map(([, c]) => c.reserve.toString()),
      w.now,
      ledger.map((l) => l.bucketId),
      ledger.map((l) => l.kind),
      ledger.map((l) => l.amount),
      ledger.map((l) => l.reference),
      ledger.map((l) => l.ratingGroup),
      w.sessionExpiresAt,
      inserted.map((pw) => pw.request.sessionId),
      inserted.map((pw) => pw.chargingAccountId),
      inserted.map((pw) => pw.msisdn),
      inserted.map(state),
      inserted.map((pw) => pw.request.requestNumber),
      inserted.map(answer),
      inserted.map(usage),
      updated.map((pw) => pw.request.sessionId),
      updated.map((pw) => pw.previousRequestNumber),
      updated.map(state),
      updated.map((pw) => pw.request.requestNumber),
      updated.map(answer),
      updated.map(usage),
      released,
      w.reservationExpiresAt,
      reservations.map((r) => r.sessionId),
      reservations.map((r) => r.ratingGroup),
      reservations.map((r) => r.bucketId),
      reservations.map((r) => r.amount),
      reservations.map((r) => r.quantity),
    ],
  });
}
