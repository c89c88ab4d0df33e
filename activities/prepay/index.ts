/** Prepaid balance management activities: card top-ups and the balance housekeeping. */
import { createPrepayHousekeepingActivities } from './housekeeping';
import { createTopUpActivities, type PrepayDeps } from './top-up';

export type { CardTopUpInput, PrepayDeps, TopUpCharge } from './top-up';
export type { AccountScope } from '../../db/prepay-housekeeping';

/** Default low-balance threshold when neither the account nor LOW_BALANCE_THRESHOLD sets one. */
export const DEFAULT_LOW_BALANCE_THRESHOLD = '5.00';

export function createPrepayActivities(deps: PrepayDeps) {
  return { ...createTopUpActivities(deps), ...createPrepayHousekeepingActivities(deps) };
}
