/**
 * Every inventory resource has one TMF639 id, the same on every allocation, derived from what it
 * is (`msisdn:+34600000001`, `sim:8934…`).
 */
import { uuidV5 as nameBasedUuid } from '../uuid';

/** Our namespace for inventory resource names (a fixed random UUID). */
export const INVENTORY_NAMESPACE = '3b1f8f7e-5a0c-4d52-9a55-1c7f0e6b2d41';

export function uuidV5(name: string, namespace: string = INVENTORY_NAMESPACE): string {
  return nameBasedUuid(name, namespace);
}
