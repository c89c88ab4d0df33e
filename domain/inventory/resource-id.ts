/**
 * Name-based UUIDs (RFC 9562 version 5, SHA-1): every inventory resource has one TMF639 id, the
 * same on every allocation, derived from what it is (`msisdn:+34600000001`, `sim:8934…`).
 */
import { createHash } from 'node:crypto';

/** Our namespace for inventory resource names (a fixed random UUID). */
export const INVENTORY_NAMESPACE = '3b1f8f7e-5a0c-4d52-9a55-1c7f0e6b2d41';

export function uuidV5(name: string, namespace: string = INVENTORY_NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
