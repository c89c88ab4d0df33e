/**
 * Refunds of charged events (TS 32.299 Refund-Information with Requested-Action REFUND_ACCOUNT):
 * the network charged an SMS by direct debit, could not deliver it, and asks for the money back,
 * naming the event by the Refund-Information of its answer (the event's ledger reference). What the
 * event debited from each bucket, in the rating group named, is credited back to that bucket, once:
 * the `charging_refund` row claims the event, and a refund asked again (a retransmission, or the
 * network retrying) finds it claimed and credits nothing. Only the requester's account's debits are
 * found, so a Refund-Information of another subscriber's event gives nothing back.
 *
 * Not batched with the engine's requests (refunds are rare): one transaction, as any other writer's
 * credit, so the bucket trigger counts the account's revision (the engine reads it again before it
 * next charges it) and tells the re-authorisation of sessions waiting for credit. The event's debits
 * are found among the ledger entries of the account's buckets (by the ledger's bucket index): no
 * index by reference is kept for refunds, since every write of the engine would pay for it.
 */
import type pg from 'pg';
import { RESULT, RefundUnknown, type ChargingAnswer, type RefundRequest } from './types';

/**
 * Finds the event's debits on the account, claims the refund, and credits them back if the claim
 * is new. Only an event is refunded: its charges have a reference of their own (eventReference); a
 * session's usage, also what its first request reports (`#0`), is never given back. An event charged
 * before events had their own reference (its reference ends in #0) is known by its session, while
 * the session's row is kept: closed by that one request, whose answer named the charge.
 */
const REFUND = `
WITH entry AS (
  SELECT l.bucket_id, l.amount, l.kind FROM charging_ledger l JOIN charging_bucket b ON b.id = l.bucket_id
  WHERE b.charging_account_id = $1 AND l.reference = $2 AND l.rating_group = $3
    AND (right($2, 6) = '#event' OR (right($2, 2) = '#0' AND EXISTS (
      SELECT 1 FROM charging_session s WHERE s.id = left($2, -2) AND s.charging_account_id = $1 AND s.state = 'closed'
        AND s.last_request_number = 0 AND strpos(s.last_answer::text, '"refundInformation"') > 0)))
), debit AS (
  SELECT bucket_id, amount FROM entry WHERE kind = 'debit' AND NOT EXISTS (SELECT 1 FROM entry WHERE kind = 'reservation')
), claim AS (
  INSERT INTO charging_refund (reference, rating_group, charging_account_id, created_at)
  SELECT $2, $3, $1, $4 WHERE EXISTS (SELECT 1 FROM debit)
  ON CONFLICT DO NOTHING RETURNING 1
), credit AS (
  INSERT INTO charging_ledger (bucket_id, kind, amount, reference, rating_group, created_at)
  SELECT bucket_id, 'credit', amount, 'refund:' || $2, $3, $4 FROM debit WHERE EXISTS (SELECT 1 FROM claim)
), bucket AS (
  UPDATE charging_bucket b SET balance = b.balance + d.amount
  FROM (SELECT bucket_id, sum(amount) AS amount FROM debit GROUP BY bucket_id) d
  WHERE b.id = d.bucket_id AND EXISTS (SELECT 1 FROM claim)
)
SELECT EXISTS (SELECT 1 FROM debit) AS charged`;

/** The subscriber's account: by number, else by IMSI, as the engine finds a subscriber. */
const ACCOUNT_OF = `
(SELECT charging_account_id FROM charging_subscriber WHERE msisdn = $1)
UNION ALL
(SELECT charging_account_id FROM charging_subscriber WHERE imsi = $2)
LIMIT 1`;

/** Refunds the events `request` names (all or none), as ChargingEngine.refund says. */
export async function refundEvents(pool: pg.Pool, now: Date, request: RefundRequest): Promise<ChargingAnswer> {
  const answer = (resultCode: ChargingAnswer['resultCode'], units: ChargingAnswer['units']): ChargingAnswer => ({ sessionId: request.sessionId, requestNumber: request.requestNumber, resultCode, units });
  const client = await pool.connect();
  try {
    const { msisdn, imsi } = request.subscriber;
    const subscriber = await client.query<{ charging_account_id: string }>(ACCOUNT_OF, [msisdn ?? null, imsi ?? null]);
    const account = subscriber.rows[0]?.charging_account_id;
    if (!account) return answer(RESULT.USER_UNKNOWN, []);
    await client.query('BEGIN');
    for (const unit of request.units) {
      const { rows } = await client.query<{ charged: boolean }>(REFUND, [account, unit.refundInformation, unit.ratingGroup, now]);
      if (!rows[0].charged) throw new RefundUnknown(unit.refundInformation);
    }
    await client.query('COMMIT');
    return answer(
      RESULT.SUCCESS,
      request.units.map((u) => ({ ratingGroup: u.ratingGroup, resultCode: RESULT.SUCCESS })),
    );
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
