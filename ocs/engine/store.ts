/**
 * The engine's SQL, at most two round trips per batch of requests (a single request is a batch of
 * one) and no transaction held open across the network. One statement reads what the batch needs
 * and the engine does not hold (sessions with their reservations, subscribers, the accounts'
 * buckets and revisions) from one snapshot; one statement writes everything the batch changes
 * (buckets, ledger, new sessions, updated sessions) in one commit, guarded by what was planned on:
 * no bucket reserved beyond what it holds, every session still at the revision read, every account
 * still at its revision (nobody but the engine changed it). A failed guard fails the whole batch (40001) and nothing is written;
 * the engine reads again (optimistic concurrency, with PostgreSQL's row locks held only for the
 * statement, so top-ups and sweeps that lock the same rows interleave safely). Bucket changes are
 * deltas (balance = balance − debit), so a top-up committed between the read and the write is
 * kept, never overwritten.
 */
import type pg from 'pg';
import { formatMicros, parseMicros, type Micros } from '../../domain/micros';
import type { BucketChange, BucketState, Plan, ReservationState, SessionUsage } from './plan';
import type { TariffRefs } from './tariffs';
import type { ChargingAnswer, ChargingRequest } from './types';

/** A reservation as the session row keeps it (amounts as decimal strings). */
export interface StoredReservation {
  id: string;
  ratingGroup: number;
  bucketId: string;
  amount: string;
  quantity: string;
  /** ISO instant after which the sweeper releases it. */
  expiresAt: string;
}

/** The session row as the engine needs it. */
export interface SessionRow {
  id: string;
  chargingAccountId: string;
  msisdn: string;
  state: 'open' | 'closed';
  lastRequestNumber: number;
  lastAnswer: ChargingAnswer;
  usage: SessionUsage;
  reservations: StoredReservation[];
  /** Counts the row's writes; a write is guarded by the revision it read. */
  revision: number;
}

export interface SubscriberRow {
  msisdn: string;
  imsi: string | null;
  chargingAccountId: string;
  /** What its tariffs are read from: its product's price references and its billing account's time zone. */
  tariff: TariffRefs;
  /** The stricter of the subscriber's and its account's: closed, else suspended, else active. */
  status: SubscriberStatus;
}

/** Closed: gone (5030 user unknown). Suspended: known but barred (4010 end user service denied). */
export type SubscriberStatus = 'active' | 'suspended' | 'closed';

export interface ReadState {
  session?: SessionRow;
  subscriber?: SubscriberRow;
  buckets: BucketState[];
  reservations: ReservationState[];
}

/** A failed guard (or a deadlock with a sweep): read again and plan again. */
export const isConflict = (err: unknown): boolean => ['40001', '40P01'].includes((err as { code?: string }).code ?? '');

/**
 * Plain rows, one per session, subscriber and bucket (`kind` s, a, b), rather than JSON built by
 * the server and parsed again here: the session's documents are stored as the JSON text the engine
 * wrote (`text` columns) and go out as they are, times as epoch milliseconds.
 */
const UUID_PATTERN = `'^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'`;

const READ_BATCH = `
WITH req AS (
  SELECT r.i, r.session_id, r.msisdn, r.imsi FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS r(session_id, msisdn, imsi, i)
), sess AS (
  SELECT id, charging_account_id, msisdn, state, last_request_number, last_answer, usage, reservations, revision
  FROM charging_session WHERE id = ANY($1::text[])
), sub AS (
  SELECT r.i, x.msisdn, x.imsi, x.charging_account_id,
         CASE WHEN 'closed' IN (x.status, a.status) THEN 'closed' WHEN 'suspended' IN (x.status, a.status) THEN 'suspended' ELSE 'active' END AS status,
         -- What the tariffs are read from (tariffs.ts), so that they are cached per plan, not per subscriber.
         json_build_object('prices', coalesce(jsonb_path_query_array(p.body, '$.productPrice[*].productOfferingPrice'), '[]'::jsonb),
                           'offering', p.body -> 'productOffering', 'timeZone', ba.body #>> '{billStructure,timeZone}') AS tariff
  FROM req r CROSS JOIN LATERAL (
    -- Two index lookups (by number, else by IMSI) rather than an OR the planner may scan for.
    (SELECT * FROM charging_subscriber WHERE msisdn = coalesce(r.msisdn, (SELECT s.msisdn FROM sess s WHERE s.id = r.session_id)))
    UNION ALL
    (SELECT * FROM charging_subscriber WHERE imsi = r.imsi)
    LIMIT 1
  ) x JOIN charging_account a ON a.id = x.charging_account_id
  -- References that are not ids name nothing.
  LEFT JOIN product_inventory p ON p.id = CASE WHEN x.product_id ~* ${UUID_PATTERN} THEN x.product_id::uuid END
  LEFT JOIN crm_billing_account ba ON ba.id = CASE WHEN a.billing_account_id ~* ${UUID_PATTERN} THEN a.billing_account_id::uuid END
), acc AS (
  SELECT charging_account_id AS id FROM sess UNION SELECT charging_account_id FROM sub
)
SELECT 's' AS kind, NULL::int AS i, id, charging_account_id AS account, msisdn, state, last_request_number AS number, last_answer AS answer, usage, reservations, revision,
       NULL::json AS tariff, NULL::text AS status,
       NULL::text AS balance, NULL::text AS reserved, NULL::text AS credit_limit, NULL::int AS priority, NULL::float8 AS valid_from, NULL::float8 AS valid_until, NULL::float8 AS created_at
FROM sess
UNION ALL
SELECT 'a', i::int, NULL, charging_account_id, msisdn, imsi, NULL, NULL, NULL, NULL, NULL, tariff, status, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM sub
UNION ALL
SELECT 'b', NULL, id::text, charging_account_id, owner_msisdn, bucket_type, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       balance::text, reserved::text, coalesce(credit_limit, 0)::text, priority,
       extract(epoch FROM valid_from)::float8 * 1000, extract(epoch FROM valid_until)::float8 * 1000, extract(epoch FROM created_at)::float8 * 1000
FROM charging_bucket
WHERE charging_account_id = ANY(ARRAY(SELECT id FROM acc))
UNION ALL
SELECT 'r', NULL, id::text, NULL, NULL, NULL, NULL, NULL, NULL, NULL, revision::float8, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM charging_account
WHERE id = ANY(ARRAY(SELECT id FROM acc))`;

const WRITE_BATCH = `
WITH engine AS MATERIALIZED (
  -- The account revision triggers leave the engine's own bucket changes out (see the migration
  -- charging_account_revision). Joined into the bucket update, so it is set before any row changes;
  -- local: it ends with this statement's transaction.
  SELECT set_config('ocs.writer', 'engine', true) AS writer
), accounts AS (
  -- Nothing changed the accounts (their buckets, subscribers, status) since the engine planned on them.
  SELECT count(*) AS unchanged FROM charging_account a JOIN unnest($21::uuid[], $22::bigint[]) AS v(id, revision) ON a.id = v.id
  WHERE a.id = ANY($21::uuid[]) AND a.revision = v.revision
), bu AS (
  UPDATE charging_bucket b SET balance = b.balance - d.debit, reserved = b.reserved + d.reserve
  FROM unnest($1::uuid[], $2::numeric[], $3::numeric[], $23::boolean[]) AS d(id, debit, reserve, grants), engine
  WHERE b.id = ANY($1::uuid[]) AND b.id = d.id AND engine.writer = 'engine'
    -- Usage already happened, so money may overrun; a grant (a reservation, an event's debit) and a
    -- unit debit may not: the bucket as it is now must hold them, whatever the plan was made on.
    AND ((b.bucket_type = 'money' AND NOT d.grants)
      OR b.balance - d.debit + CASE WHEN b.bucket_type = 'money' THEN coalesce(b.credit_limit, 0) ELSE 0 END - (b.reserved + d.reserve) >= 0)
  RETURNING b.id, b.balance, b.reserved
), led AS (
  INSERT INTO charging_ledger (bucket_id, kind, amount, reference, rating_group, created_at)
  SELECT l.bucket_id, l.kind, l.amount, l.reference, l.rating_group, $4
  FROM unnest($5::uuid[], $6::text[], $7::numeric[], $8::text[], $9::int[]) AS l(bucket_id, kind, amount, reference, rating_group)
  RETURNING id
), sw AS (
  -- The sessions written: a revision below 0 is a new row. Their documents come as three texts of
  -- JSON separated by U+0001 (which JSON text never holds) and are stored as they are, never lexed.
  SELECT * FROM unnest($11::text[], $12::uuid[], $13::text[], $14::int[], $15::text[], $16::int[], $17::timestamptz[],
                       string_to_array($18, E'\\x01'), string_to_array($19, E'\\x01'), string_to_array($20, E'\\x01'))
    AS w(id, account, msisdn, revision, state, number, sweep_at, answer, usage, reservations)
), sins AS (
  -- A session that exists though none was read (a concurrent first request) is not overwritten.
  INSERT INTO charging_session (id, charging_account_id, msisdn, state, last_request_number, last_answer, usage, reservations, started_at, updated_at, expires_at, sweep_at, closed_at)
  SELECT n.id, n.account, n.msisdn, n.state, n.number, n.answer, n.usage, n.reservations, $4, $4, $10, n.sweep_at,
         CASE WHEN n.state = 'closed' THEN $4::timestamptz END
  FROM sw n WHERE n.revision < 0
  ON CONFLICT (id) DO NOTHING
  RETURNING id
), supd AS (
  -- Nothing indexed changes while the session stays open (sweep_at only ever moves earlier, which
  -- a later expiry does not do): the update stays in its page without index entries (HOT).
  UPDATE charging_session s SET state = u.state, last_request_number = u.number, last_answer = u.answer, usage = u.usage,
         reservations = u.reservations, revision = s.revision + 1, updated_at = $4, expires_at = $10,
         sweep_at = least(s.sweep_at, u.sweep_at), closed_at = CASE WHEN u.state = 'closed' THEN $4::timestamptz END
  FROM sw u
  -- The revision also stands for the state (closing a session counts one); a constant state = 'open'
  -- here would let the planner walk the partial index of open sessions rather than look up the ids.
  WHERE s.id = ANY($11::text[]) AND s.id = u.id AND u.revision >= 0 AND s.revision = u.revision
  RETURNING s.id
)
-- The buckets as the write leaves them (the engine keeps them); the check's row is there even when none changed.
SELECT b.id::text, b.balance::text, b.reserved::text
FROM (SELECT charging_check((SELECT count(*) FROM bu) = cardinality($1::uuid[])
                        AND (SELECT unchanged FROM accounts) = cardinality($21::uuid[])
                        AND (SELECT count(*) FROM sins) + (SELECT count(*) FROM supd) = cardinality($11::text[])
                        AND (SELECT count(*) FROM led) >= 0) AS ok) c
LEFT JOIN bu b ON c.ok`;

/**
 * Array parameters written as PostgreSQL array literals here rather than by pg, which quotes and
 * escapes every element with two regular expressions and builds the literal by concatenation: a
 * batch sends hundreds of elements. Ids, numbers and fixed words need no quoting; text is quoted.
 */
const plainArray = (values: ReadonlyArray<string | number>): string => `{${values.join(',')}}`;
const quoted = (text: string): string => `"${/["\\]/.test(text) ? text.replace(/["\\]/g, '\\$&') : text}"`;
const textArray = (values: readonly string[]): string => `{${values.map(quoted).join(',')}}`;

/** What one batch read returns: per request (in the order given) its state; buckets are shared per account. */
export interface BatchState {
  sessions: Map<string, SessionRow>;
  /** The subscriber each request names, by the request's position. */
  subscribers: Array<SubscriberRow | undefined>;
  /** Buckets by account, in id order. */
  bucketsByAccount: Map<string, BucketState[]>;
  /** The revision of every account read (charging_account_revision). */
  revisions: Map<string, number>;
}

/** A row of the read: the columns of its kind are set, the others null. */
interface ReadRow {
  kind: 's' | 'a' | 'b' | 'r';
  i: number | null;
  id: string;
  account: string;
  /** A session's or subscriber's number; a bucket's owner (null: the account's lines). */
  msisdn: string;
  state: string;
  number: number;
  /** The session's documents, JSON text as the engine wrote them. */
  answer: string;
  usage: string;
  reservations: string;
  revision: number;
  tariff: TariffRefs;
  status: SubscriberStatus;
  balance: string;
  reserved: string;
  credit_limit: string;
  priority: number;
  valid_from: number;
  valid_until: number | null;
  created_at: number;
}

const push = <K, V>(map: Map<K, V[]>, key: K, value: V) => {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
};

/** Reads the state of every request of a batch from one snapshot. */
export async function readBatch(db: pg.Pool | pg.PoolClient, requests: ChargingRequest[]): Promise<BatchState> {
  const { rows } = await db.query<ReadRow>({
    name: 'ocs_read_batch',
    text: READ_BATCH,
    values: [requests.map((r) => r.sessionId), requests.map((r) => r.subscriber.msisdn ?? null), requests.map((r) => r.subscriber.imsi ?? null)],
  });
  const sessions = new Map<string, SessionRow>();
  const subscribers: Array<SubscriberRow | undefined> = new Array(requests.length).fill(undefined);
  const bucketsByAccount = new Map<string, BucketState[]>();
  const revisions = new Map<string, number>();
  for (const r of rows) {
    if (r.kind === 's') {
      sessions.set(r.id, {
        id: r.id,
        chargingAccountId: r.account,
        msisdn: r.msisdn,
        state: r.state as SessionRow['state'],
        lastRequestNumber: r.number,
        lastAnswer: JSON.parse(r.answer) as ChargingAnswer,
        usage: JSON.parse(r.usage) as SessionUsage,
        reservations: JSON.parse(r.reservations) as StoredReservation[],
        revision: r.revision,
      });
    } else if (r.kind === 'a') {
      subscribers[r.i! - 1] = { msisdn: r.msisdn, imsi: r.state, chargingAccountId: r.account, tariff: r.tariff, status: r.status };
    } else if (r.kind === 'r') {
      revisions.set(r.id, r.revision);
    } else {
      push(bucketsByAccount, r.account, {
        id: r.id,
        type: r.state as BucketState['type'],
        balance: parseMicros(r.balance),
        reserved: parseMicros(r.reserved),
        creditLimit: parseMicros(r.credit_limit),
        priority: r.priority,
        validFrom: new Date(r.valid_from),
        validUntil: r.valid_until === null ? null : new Date(r.valid_until),
        createdAt: new Date(r.created_at),
        owner: r.msisdn,
      });
    }
  }
  // Every writer locks an account's buckets in id order; the engine plans them in that order too.
  for (const list of bucketsByAccount.values()) list.sort((a, b) => (a.id < b.id ? -1 : 1));
  return { sessions, subscribers, bucketsByAccount, revisions };
}

/** A session's reservations as the plan takes them. */
export const reservationsOf = (session: SessionRow | undefined): ReservationState[] =>
  (session?.reservations ?? []).map((r) => ({ id: r.id, ratingGroup: r.ratingGroup, bucketId: r.bucketId, amount: parseMicros(r.amount), quantity: parseMicros(r.quantity) }));

/** One planned request of a batch, with what its session row becomes. */
export interface PlannedWrite {
  plan: Plan;
  request: ChargingRequest;
  /** The session as read; none when the request opens it. */
  session: SessionRow | undefined;
  chargingAccountId: string;
  msisdn: string;
}

/**
 * What the session holds after the request: its reservations less those released, and the new
 * ones (ids unique in the session: request number and position).
 */
function reservationsAfter(pw: PlannedWrite, expiresAt: string): StoredReservation[] {
  const released = new Set(pw.plan.releasedReservationIds);
  const kept = (pw.session?.reservations ?? []).filter((r) => !released.has(r.id));
  const added = pw.plan.newReservations.map((r, k) => ({
    id: `${pw.request.requestNumber}.${k}`,
    ratingGroup: r.ratingGroup,
    bucketId: r.bucketId,
    amount: formatMicros(r.amount),
    quantity: formatMicros(r.quantity),
    expiresAt,
  }));
  return [...kept, ...added];
}

/** The columns of the sessions a batch writes, as the write statement takes them (`sw`), one entry per session. */
class SessionColumns {
  readonly ids: string[] = [];
  readonly accounts: string[] = [];
  readonly msisdns: string[] = [];
  /** The revision read, or -1 for a new row. */
  readonly revisions: number[] = [];
  readonly states: string[] = [];
  readonly numbers: number[] = [];
  /** ISO instants of the sweeper's next look. */
  readonly sweepAts: string[] = [];
  readonly answers: string[] = [];
  readonly usages: string[] = [];
  readonly reservations: string[] = [];
}

/** Separates the JSON documents of a parameter: JSON.stringify escapes every control character, so none is in its text. */
const DOCUMENT_SEPARATOR = '\u0001';

/** A bucket's balance and reservations as a write left them. */
export interface WrittenBucket {
  id: string;
  balance: Micros;
  reserved: Micros;
}

/** What a batch write committed: the sessions as they now are (in the order of the writes) and the buckets it changed. */
export interface WriteResult {
  sessions: SessionRow[];
  buckets: WrittenBucket[];
}

/**
 * Writes the plans of a batch in one statement (one commit); bucket changes of the same bucket are
 * summed. Throws a conflict (isConflict) when any of the state planned on has changed in a way a
 * guard catches (`accounts`: the revision of every account planned on); then nothing is written.
 */
export async function writeBatch(
  db: pg.Pool | pg.PoolClient,
  w: { writes: PlannedWrite[]; accounts: Map<string, number>; now: Date; sessionExpiresAt: Date; reservationExpiresAt: Date },
): Promise<WriteResult> {
  const buckets = new Map<string, BucketChange>();
  const ledger: Array<{ bucketId: string; kind: string; amount: string; reference: string; ratingGroup: number }> = [];
  const columns = new SessionColumns();
  const sessions: SessionRow[] = [];
  const reservationExpiry = w.reservationExpiresAt.toISOString();
  const sessionExpiry = w.sessionExpiresAt.toISOString();
  for (const pw of w.writes) {
    const { plan } = pw;
    for (const [id, c] of plan.bucketChanges) {
      const sum = buckets.get(id);
      if (sum) {
        sum.debit += c.debit;
        sum.reserve += c.reserve;
        sum.grants ||= c.grants;
      } else buckets.set(id, { debit: c.debit, reserve: c.reserve, grants: c.grants });
    }
    for (const l of plan.ledger) ledger.push({ bucketId: l.bucketId, kind: l.kind, amount: formatMicros(l.amount), reference: l.reference, ratingGroup: l.ratingGroup });
    const reservations = reservationsAfter(pw, reservationExpiry);
    // The sweeper's next look: the earliest reservation expiry or the session's own (ISO strings sort as instants).
    const sweepAt = reservations.reduce((t, r) => (r.expiresAt < t ? r.expiresAt : t), sessionExpiry);
    const id = pw.request.sessionId;
    const state = plan.closeSession ? 'closed' : 'open';
    const number = pw.request.requestNumber;
    columns.ids.push(id);
    columns.accounts.push(pw.chargingAccountId);
    columns.msisdns.push(pw.msisdn);
    columns.revisions.push(pw.session === undefined ? -1 : pw.session.revision);
    columns.states.push(state);
    columns.numbers.push(number);
    columns.sweepAts.push(sweepAt);
    columns.answers.push(JSON.stringify(plan.answer));
    columns.usages.push(JSON.stringify(plan.usage));
    columns.reservations.push(JSON.stringify(reservations));
    sessions.push({
      id,
      chargingAccountId: pw.chargingAccountId,
      msisdn: pw.msisdn,
      state,
      lastRequestNumber: number,
      lastAnswer: plan.answer,
      usage: plan.usage,
      reservations,
      // A new row starts at 0; an update counts one more.
      revision: pw.session === undefined ? 0 : pw.session.revision + 1,
    });
  }
  // Buckets in id order, as every writer locks them.
  const changes = [...buckets.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  const { rows } = await db.query<{ id: string | null; balance: string; reserved: string }>({
    name: 'ocs_write_batch',
    text: WRITE_BATCH,
    values: [
      plainArray(changes.map(([id]) => id)),
      plainArray(changes.map(([, c]) => formatMicros(c.debit))),
      plainArray(changes.map(([, c]) => formatMicros(c.reserve))),
      w.now,
      plainArray(ledger.map((l) => l.bucketId)),
      plainArray(ledger.map((l) => l.kind)),
      plainArray(ledger.map((l) => l.amount)),
      textArray(ledger.map((l) => l.reference)),
      plainArray(ledger.map((l) => l.ratingGroup)),
      w.sessionExpiresAt,
      textArray(columns.ids),
      plainArray(columns.accounts),
      textArray(columns.msisdns),
      plainArray(columns.revisions),
      plainArray(columns.states),
      plainArray(columns.numbers),
      plainArray(columns.sweepAts),
      columns.answers.join(DOCUMENT_SEPARATOR),
      columns.usages.join(DOCUMENT_SEPARATOR),
      columns.reservations.join(DOCUMENT_SEPARATOR),
      plainArray([...w.accounts.keys()]),
      plainArray([...w.accounts.values()]),
      plainArray(changes.map(([, c]) => (c.grants ? 't' : 'f'))),
    ],
  });
  return { sessions, buckets: rows.filter((r) => r.id !== null).map((r) => ({ id: r.id!, balance: parseMicros(r.balance), reserved: parseMicros(r.reserved) })) };
}
