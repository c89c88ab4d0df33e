/**
 * Time-ordered UUIDs (RFC 9562 version 7): 48 bits of Unix milliseconds, then random bits. Rows
 * written in bulk with them land at the right-hand end of their primary key index instead of on
 * random pages, which keeps large imports from thrashing the index.
 */
import { randomUUID } from 'node:crypto';

let lastMs = -1;
let lastPrefix = '';

/** A version 7 UUID for the instant `at`. */
export function uuidV7(at: Date): string {
  const ms = Math.max(0, Math.min(at.getTime(), 2 ** 48 - 1));
  // A batch stamps all its ids with one instant: the time part is formatted once for it.
  if (ms !== lastMs) {
    const ts = ms.toString(16).padStart(12, '0');
    lastPrefix = `${ts.slice(0, 8)}-${ts.slice(8, 12)}-7`;
    lastMs = ms;
  }
  // randomUUID gives version 4 with the RFC variant already set: keep its random bits (from the
  // 16th character: 3 hex digits, '-', the variant group, '-', the last 12), stamp time and version.
  return lastPrefix + randomUUID().slice(15);
}
