/**
 * TMF678 customer bill states and the moves a person (an agent through the API) may make: put a
 * bill on hold (a dispute; dunning waits) and release it. Settlement is the payments' business.
 */
export const BILL_STATES = ['new', 'onHold', 'validated', 'sent', 'partiallyPaid', 'settled'] as const;
export type BillState = (typeof BILL_STATES)[number];

const RELEASED: readonly BillState[] = ['new', 'validated', 'sent'];
const HOLDABLE: readonly BillState[] = ['new', 'validated', 'sent', 'partiallyPaid'];

/** Why a client may not move a bill from `from` to `to`; undefined when it may. */
export function refuseClientBillMove(from: string, to: string): string | undefined {
  if (from === to) return undefined;
  if (to === 'onHold') return HOLDABLE.includes(from as BillState) ? undefined : `a ${from} bill cannot be put on hold`;
  if (from === 'onHold') return RELEASED.includes(to as BillState) ? undefined : `a bill on hold is released to ${RELEASED.join(', ')}, not ${to}`;
  return `only payments move a bill from ${from} to ${to}; a client may put it on hold and release it`;
}
