/**
 * The lifecycles of the order-side TMF resources, as tables of allowed moves: TMF622 product order,
 * TMF622 cancelProductOrder, TMF641 service order, TMF637 product and TMF638 service. A change is
 * checked on every update, whoever makes it (API or activity); a new resource may start in any
 * state its API allows. Staying in the same state is always allowed.
 */

/** TMF622 v4 ProductOrderStateType. */
export const PRODUCT_ORDER_STATES = [
  'acknowledged',
  'rejected',
  'pending',
  'held',
  'inProgress',
  'cancelled',
  'completed',
  'failed',
  'partial',
  'assessingCancellation',
  'pendingCancellation',
] as const;
export type ProductOrderState = (typeof PRODUCT_ORDER_STATES)[number];

/** TMF622 v4 ProductOrderItemStateType. */
export const PRODUCT_ORDER_ITEM_STATES = PRODUCT_ORDER_STATES.filter((s) => s !== 'partial');

/** TMF641 v4 ServiceOrderStateType: the same values as a product order's. */
export const SERVICE_ORDER_STATES = PRODUCT_ORDER_STATES;
export type ServiceOrderState = ProductOrderState;

/** TMF641 v4 ServiceOrderItemStateType. */
export const SERVICE_ORDER_ITEM_STATES = PRODUCT_ORDER_STATES;

/** TMF622 v4 TaskStateType: the state of a cancelProductOrder request. */
export const CANCEL_ORDER_STATES = ['acknowledged', 'inProgress', 'done', 'terminatedWithError'] as const;
export type CancelOrderState = (typeof CANCEL_ORDER_STATES)[number];

/** TMF637 v4 ProductStatusType (the spec's `aborted ` carries a stray space; we write `aborted`). */
export const PRODUCT_STATUSES = ['created', 'pendingActive', 'cancelled', 'active', 'pendingTerminate', 'terminated', 'suspended', 'aborted'] as const;
export type ProductStatus = (typeof PRODUCT_STATUSES)[number];

/** TMF638 v4 ServiceStateType. */
export const SERVICE_STATES = ['feasibilityChecked', 'designed', 'reserved', 'inactive', 'active', 'terminated'] as const;
export type ServiceState = (typeof SERVICE_STATES)[number];

/** OrderItemActionType of TMF622 and TMF641. */
export const ORDER_ITEM_ACTIONS = ['add', 'modify', 'delete', 'noChange'] as const;

/**
 * An order (product or service) as the TMF622/TMF641 v4 lifecycle moves it: acknowledged once
 * stored; rejected by validation, or on to inProgress (possibly through pending or held); ending
 * completed, failed or partial. A cancellation is first assessed (assessingCancellation), then either
 * refused (back to where the order was) or carried out (pendingCancellation → cancelled). rejected,
 * cancelled, completed, failed and partial are final.
 */
export const ORDER_TRANSITIONS: Record<ProductOrderState, readonly ProductOrderState[]> = {
  acknowledged: ['rejected', 'pending', 'held', 'inProgress', 'assessingCancellation'],
  pending: ['inProgress', 'held', 'rejected', 'assessingCancellation'],
  held: ['inProgress', 'pending', 'assessingCancellation'],
  inProgress: ['pending', 'held', 'completed', 'failed', 'partial', 'assessingCancellation'],
  assessingCancellation: ['pendingCancellation', 'acknowledged', 'pending', 'held', 'inProgress'],
  pendingCancellation: ['cancelled', 'failed'],
  rejected: [],
  cancelled: [],
  completed: [],
  failed: [],
  partial: [],
};

/** Order states that are final: nothing about the order changes any more. */
export const FINAL_ORDER_STATES: readonly ProductOrderState[] = ['rejected', 'cancelled', 'completed', 'failed', 'partial'];

/** Order states from which a cancellation may be asked for. */
export const CANCELLABLE_ORDER_STATES: readonly ProductOrderState[] = ['acknowledged', 'pending', 'held', 'inProgress'];

/** A cancelProductOrder request: acknowledged, worked on, and done or terminatedWithError (final). */
export const CANCEL_ORDER_TRANSITIONS: Record<CancelOrderState, readonly CancelOrderState[]> = {
  acknowledged: ['inProgress', 'done', 'terminatedWithError'],
  inProgress: ['done', 'terminatedWithError'],
  done: [],
  terminatedWithError: [],
};

/**
 * A product in the inventory: created by an order, pendingActive while it is provisioned, then
 * active ⇄ suspended, and pendingTerminate → terminated at the end. cancelled (never activated),
 * aborted (provisioning failed) and terminated are final.
 */
export const PRODUCT_TRANSITIONS: Record<ProductStatus, readonly ProductStatus[]> = {
  created: ['pendingActive', 'active', 'cancelled', 'aborted'],
  pendingActive: ['active', 'cancelled', 'aborted'],
  active: ['suspended', 'pendingTerminate', 'terminated'],
  suspended: ['active', 'pendingTerminate', 'terminated'],
  pendingTerminate: ['terminated', 'active'],
  cancelled: [],
  aborted: [],
  terminated: [],
};

/**
 * A service in the inventory moves forward through design (feasibilityChecked → designed →
 * reserved → inactive) to active; active ⇄ inactive; terminated from anywhere, and final.
 */
export const SERVICE_TRANSITIONS: Record<ServiceState, readonly ServiceState[]> = {
  feasibilityChecked: ['designed', 'reserved', 'inactive', 'active', 'terminated'],
  designed: ['reserved', 'inactive', 'active', 'terminated'],
  reserved: ['inactive', 'active', 'terminated'],
  inactive: ['active', 'terminated'],
  active: ['inactive', 'terminated'],
  terminated: [],
};

/**
 * Why `what` may not go from `from` to `to` under `transitions`, or undefined when it may.
 * `field` names the attribute in the message (`state`, `status`).
 */
export function transitionProblem<S extends string>(
  transitions: Record<S, readonly S[]>,
  what: string,
  field: string,
  from: S | undefined,
  to: S | undefined,
): string | undefined {
  if (from === undefined || from === to) return undefined;
  const allowed = transitions[from] ?? [];
  if (to !== undefined && allowed.includes(to)) return undefined;
  return `${field}: a ${what} cannot go from ${from} to ${to ?? '(none)'}${allowed.length ? ` (allowed: ${allowed.join(', ')})` : ` (${from} is final)`}`;
}
