/**
 * How an inventory resource's state shows in TMF639 v4: resourceStatus (standby, alarm,
 * available, reserved, unknown, suspended), operationalState (enable, disable), usageState
 * (idle, active, busy; X.731) and administrativeState (locked, unlocked, shutdown).
 *
 * - reserved (held for an order): `reserved`, not yet working (`disable`), unused (`idle`);
 * - inUse (confirmed by the order): `available` to its customer, working (`enable`), and `busy`:
 *   a number, SIM or FTTH port serves one subscriber, with no spare capacity;
 * - released (back in the pool): `standby`, `disable`, `idle`, with no related party.
 */
export type InventoryState = 'reserved' | 'inUse' | 'released';

export interface Tmf639State {
  resourceStatus: 'reserved' | 'available' | 'standby';
  operationalState: 'enable' | 'disable';
  usageState: 'idle' | 'busy';
  administrativeState: 'unlocked';
}

export function tmf639State(state: InventoryState): Tmf639State {
  switch (state) {
    case 'reserved':
      return { resourceStatus: 'reserved', operationalState: 'disable', usageState: 'idle', administrativeState: 'unlocked' };
    case 'inUse':
      return { resourceStatus: 'available', operationalState: 'enable', usageState: 'busy', administrativeState: 'unlocked' };
    case 'released':
      return { resourceStatus: 'standby', operationalState: 'disable', usageState: 'idle', administrativeState: 'unlocked' };
  }
}

/** GPON ports are numbered frame/slot/port, 16 ports to a slot: the 7th port is `1/1/7`, the 17th `1/2/1`. */
export function portName(seq: number): string {
  if (!Number.isInteger(seq) || seq < 0) throw new Error('a port sequence number is a non-negative integer');
  return `1/${Math.floor(seq / 16) + 1}/${(seq % 16) + 1}`;
}
