/**
 * What the network must do to take a TMF640 service from its current state to the one a client
 * asks for. Pure. Only `active`, `inactive` and `terminated` are network states: a move to any
 * other state (or staying put) needs no network request.
 *
 * - to `active`: restore from `inactive` (the subscriber exists, it is barred); otherwise activate;
 * - to `inactive`: suspend from `active`; from a state before the network (feasibilityChecked,
 *   designed, reserved) activate and then suspend (provisioned, but not in service);
 * - to `terminated`: deactivate, from any state (the network's deactivation tolerates absence).
 */

/** The provisioning operations, as in db/provisioning-log.ts. */
export type ActivationOperation = 'activate' | 'deactivate' | 'suspend' | 'restore';

/** The states a client may ask the network to bring a service to. */
export const NETWORK_STATES = ['active', 'inactive', 'terminated'] as const;
export type NetworkState = (typeof NETWORK_STATES)[number];

/** True for the states that need the network to act. */
export const isNetworkState = (state: unknown): state is NetworkState => NETWORK_STATES.includes(state as NetworkState);

/** The operations, in order, that take a service from `from` to `to`; empty when the network has nothing to do. */
export function activationPlan(from: string, to: string): ActivationOperation[] {
  if (from === to || !isNetworkState(to)) return [];
  switch (to) {
    case 'active':
      return from === 'inactive' ? ['restore'] : ['activate'];
    case 'inactive':
      return from === 'active' ? ['suspend'] : ['activate', 'suspend'];
    case 'terminated':
      return ['deactivate'];
  }
}
