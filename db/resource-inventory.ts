/**
 * Resources of orders: SIM cards, FTTH ports and the order's mobile number. Every change of owner
 * is one conditional UPDATE (`… AND status = 'available'`, the candidate row locked with SKIP
 * LOCKED), so that a resource never goes to two owners however many race for it; every call is
 * idempotent per owner (the order id): a retry finds what the first call got. The TMF639 document
 * of each resource is written in the same transaction (db/resource-models.ts).
 *
 * One module per job; this one is what other modules import.
 */
export type { InventoryContext } from './inventory-claims';
export * from './sim-stock';
export * from './ftth-ports';
export * from './order-resources';
export * from './inventory-capacity';
