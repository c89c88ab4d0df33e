/**
 * The contract between the charging engine and its protocol front ends (Nchf over HTTP/2,
 * Diameter Gy over TCP). A front end turns its wire format into a ChargingRequest and the
 * ChargingAnswer back into its own; result codes are the Diameter credit-control ones
 * (RFC 6733 / RFC 4006), which Nchf maps to its names.
 */

export { SERVICE_OF_RATING_GROUP, type ServiceType } from '../../domain/charging/rating-groups';

/** Result codes an answer carries, overall and per rating group. */
export const RESULT = {
  SUCCESS: 2001,
  END_USER_SERVICE_DENIED: 4010,
  CREDIT_LIMIT_REACHED: 4012,
  UNKNOWN_SESSION_ID: 5002,
  /** A request number that is neither the next one nor a retransmission of the last. */
  UNABLE_TO_COMPLY: 5012,
  USER_UNKNOWN: 5030,
  RATING_FAILED: 5031,
} as const;
export type ResultCode = (typeof RESULT)[keyof typeof RESULT];

/** One rating group of a request (Multiple-Services-Credit-Control, Nchf multipleUnitUsage). */
export interface UnitRequest {
  ratingGroup: number;
  serviceIdentifier?: number;
  /** Units asked for; `quantity` absent means the engine's default quota. Absent: report only. */
  requested?: { quantity?: string };
  /** Units consumed since the last report (decimal string: seconds, octets or events). */
  used?: { quantity: string };
}

/**
 * The longest session id the engine keeps, in UTF-8 bytes: it is the key of the session's row (a
 * PostgreSQL index entry holds at most 2704 bytes) and part of each ledger entry's reference. A
 * Diameter Session-Id is an identity (an FQDN, at most 255) and two or three numbers.
 */
export const MAX_SESSION_ID_BYTES = 512;

/** Whether a session id is longer than the engine keeps (a UTF-16 unit is at most 3 bytes of UTF-8: short ids are not measured). */
/**
 * The ledger reference of an event's charges, and so its Refund-Information: its own form, since a
 * session's first request (`<session>#0`) may debit usage too, which is never given back.
 */
export const eventReference = (sessionId: string): string => `${sessionId}#event`;

export const sessionIdTooLong = (id: string): boolean => id.length * 3 > MAX_SESSION_ID_BYTES && Buffer.byteLength(id) > MAX_SESSION_ID_BYTES;

/**
 * A session id that begins as the ledger references of prepay balance management do, which are
 * unique per bucket and kind (migration 20261127300400): the session's own entries (two rating
 * groups reserving on one bucket) would break that and never be written. No Diameter Session-Id
 * begins so (its DiameterIdentity holds no ':'), nor any reference the Nchf front end makes.
 */
export const sessionIdLikePrepayReference = (id: string): boolean => /^(topup|adjustment|reservation|expiry):/.test(id);

/**
 * The highest request number a session is kept with (its column is a 32-bit integer). The wire
 * allows twice as many (Unsigned32), but a session counts from 0, one request at a time: a number
 * past this is refused on its own rather than failing the write of the batch it would be in.
 */
export const MAX_REQUEST_NUMBER = 2 ** 31 - 1;

export interface ChargingRequest {
  /** Unique per session: the Diameter Session-Id, or the Nchf chargingDataRef (at most MAX_SESSION_ID_BYTES). */
  sessionId: string;
  /** CC-Request-Number / invocationSequenceNumber: 0 for the initial request, then +1 each time. */
  requestNumber: number;
  type: 'initial' | 'update' | 'termination' | 'event';
  /** At least one of them identifies the subscriber. */
  subscriber: { msisdn?: string; imsi?: string };
  /** When the usage happened (Event-Timestamp), for time-of-day bands. */
  eventTime: Date;
  /** The other party of a call or message (E.164), for destination bands. */
  destination?: string;
  units: UnitRequest[];
}

/** What the engine grants for one rating group. */
export interface UnitGrant {
  ratingGroup: number;
  serviceIdentifier?: number;
  resultCode: ResultCode;
  granted?: { quantity: string };
  /** Seconds the grant is valid for (Validity-Time): unreported units are released after it. */
  validityTime?: number;
  /** The grant is the last the balance allows (Final-Unit-Indication: TERMINATE; REDIRECT with `redirectTo`; RESTRICT_ACCESS with `filterId` alone). */
  finalUnit?: boolean;
  /** With finalUnit: the URL (a top-up portal) the client sends the subscriber's traffic to once the final units are used. */
  redirectTo?: string;
  /** With finalUnit: the filter (Filter-Id) the client restricts the subscriber's traffic to once the final units are used. */
  filterId?: string;
  /** Units of the grant left at which the client asks for more (Time-/Volume-Quota-Threshold; whole seconds or octets). */
  quotaThreshold?: string;
  /** Seconds a data session may stay idle before the client reports and gives the quota back (Quota-Holding-Time). */
  quotaHoldingTime?: number;
  /** An event charged: what names it when the network asks for it back (Refund-Information, TS 32.299): its ledger reference. */
  refundInformation?: string;
}

export interface ChargingAnswer {
  sessionId: string;
  requestNumber: number;
  /** 2001 when the request was processed, even if a rating group was refused (its own code says). */
  resultCode: ResultCode;
  units: UnitGrant[];
}

/**
 * A balance check or price enquiry answered (RFC 4006 §5.2.3): nothing is reserved, debited or kept.
 * `resultCode` is SUCCESS, USER_UNKNOWN, RATING_FAILED or UNABLE_TO_COMPLY (no units to price).
 */
export interface ChargingQuote {
  resultCode: ResultCode;
  /** Whether the balance pays the requested units now (allowances first, then money within its credit limit). */
  enoughCredit: boolean;
  /** With SUCCESS: what the money part of the units costs now, allowances used first, whether or not the balance pays it. */
  cost?: { amount: string; currency: string };
}

/**
 * The engine refuses a request at once when this many wait for a batch: answered later than the
 * network waits for it, it would only be charged for nothing; refused, the network element tries
 * another OCS or applies its failure handling (Gy: 3004 DIAMETER_TOO_BUSY, Nchf: 429).
 */
export class EngineOverloaded extends Error {
  constructor(readonly waiting: number) {
    super(`the charging engine is overloaded: ${waiting} requests waiting`);
    this.name = 'EngineOverloaded';
  }
}

/**
 * Gives back what an event was charged (Requested-Action REFUND_ACCOUNT: an SMS the network could
 * not deliver), per rating group, named by the Refund-Information of the event's answer.
 */
export interface RefundRequest {
  sessionId: string;
  requestNumber: number;
  subscriber: { msisdn?: string; imsi?: string };
  units: Array<{ ratingGroup: number; refundInformation: string }>;
}

/** A refund whose Refund-Information names no event this subscriber was charged for, in that rating group. */
export class RefundUnknown extends Error {
  constructor(readonly refundInformation: string) {
    super(`no charged event ${refundInformation} of this subscriber to refund`);
    this.name = 'RefundUnknown';
  }
}

/** The charging engine as its front ends see it. */
export interface ChargingEngine {
  /**
   * Charges one request exactly once: a retransmission (same session and request number) gets
   * the first answer again and debits nothing.
   */
  charge(request: ChargingRequest): Promise<ChargingAnswer>;
  /** Checks the balance for, and prices, the units of an event request, changing nothing. */
  quote(request: ChargingRequest): Promise<ChargingQuote>;
  /**
   * Credits back what the named events were charged, to the buckets they were charged to, once:
   * asked again, it answers the same and credits nothing. Unknown subscriber: USER_UNKNOWN; an
   * event that is not this subscriber's account's: RefundUnknown.
   */
  refund(request: RefundRequest): Promise<ChargingAnswer>;
}
