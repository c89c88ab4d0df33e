/**
 * The charging data ref a Create opens: derived from the request itself rather than drawn at
 * random, so that a Create sent again (its response lost: the OCS restarted, the connection
 * dropped; the consumer retries here or at another OCS instance, with retransmissionIndicator,
 * TS 32.291) names the session the first one opened, and the engine answers it as the first time:
 * a one-time event is not charged twice, a session not reserved twice. Every field but
 * retransmissionIndicator counts, keys in sorted order: two Creates that differ in anything (the
 * time of invocation, the call's charging identifier, the units, the consumer) open two sessions;
 * two alike in all are one request sent twice.
 */
import { createHash } from 'node:crypto';

/** JSON text with every object's keys sorted, so that a consumer's key order does not matter. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A UUID (RFC 9562 version 8, the layout for names of one's own) from the request's SHA-256. */
export function createRefOf(request: Record<string, unknown>): string {
  const { retransmissionIndicator: _, ...identity } = request;
  const hash = createHash('sha256').update(canonical(identity)).digest();
  hash[6] = 0x80 | (hash[6] & 0x0f);
  hash[8] = 0x80 | (hash[8] & 0x3f);
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
