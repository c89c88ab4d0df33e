/**
 * Time-ordered UUIDs (RFC 9562 version 7): 48 bits of Unix milliseconds, then random bits. Rows
 * written in bulk with them land at the right-hand end of their primary key index instead of on
 * random pages, which keeps large imports from thrashing the index.
 */
import { randomUUID } from 'node:crypto';

/** A version 7 UUID for the instant `at`. */
export function uuidV7(at: Date): string {
  const ts = Math.max(0, Math.min(at.getTime(), 2 ** 48 - 1)).toString(16).padStart(12, '0');
  // randomUUID gives version 4 with the RFC variant already set: keep its random bits, stamp time and version.
  const random = randomUUID();
  return `${ts.slice(0, 8)}-${ts.slice(8, 12)}-7${random.slice(15, 18)}-${random.slice(19)}`;
}
