/**
 * TMF666 Account Management v4 (`/tmf-api/accountManagement/v4/billingAccount`): the account a
 * customer is billed on, with its bill cycle in `billStructure` (our extensions billCycleDay,
 * currency, timeZone, paymentType: api/schemas/tmf666.ts), always complete: defaults fill any
 * part left out, on every write.
 * Storage, defaults and owner: db/crm-models.ts.
 */
import { ACCOUNT_API, billingAccountModel } from '../db/crm-models';
import { billingAccountSchema } from './schemas/tmf666';
import { CRM_ACCESS } from './tmf629-customer';
import { TmfApi, type TmfApiDeps, type TmfResourceSpec } from './tmf/resource';

/** The billing account resource (stored as db/crm-models.ts says). */
export const billingAccountSpec: TmfResourceSpec = { ...billingAccountModel, schema: billingAccountSchema, access: CRM_ACCESS };

/** Builds the TMF666 router (billing accounts). */
export function accountApi(deps: TmfApiDeps): TmfApi {
  return new TmfApi(ACCOUNT_API, deps).resource(billingAccountSpec);
}
