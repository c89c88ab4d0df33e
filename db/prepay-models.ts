/** How TMF654 balance actions are stored: top-ups, adjustments and reservations (TMF documents). */
import { relatedCustomerId } from './crm-models';
import type { TmfModel } from './tmf-store';

export const PREPAY_BALANCE_API = 'prepayBalanceManagement';

/** TMF654 ActionStatusType. */
export const ACTION_STATUSES = ['created', 'failed', 'cancelled', 'completed'] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];

const action = (name: string, type: string, table: string): TmfModel => ({
  apiName: PREPAY_BALANCE_API,
  name,
  type,
  table,
  stateField: 'status',
  // Owned by the customer of the bucket acted on (the server puts it first in relatedParty).
  ownerCustomerId: relatedCustomerId,
});

export const topupBalanceModel = action('topupBalance', 'TopupBalance', 'prepay_topup');
export const adjustBalanceModel = action('adjustBalance', 'AdjustBalance', 'prepay_adjustment');
export const reserveBalanceModel = action('reserveBalance', 'ReserveBalance', 'prepay_reservation');
