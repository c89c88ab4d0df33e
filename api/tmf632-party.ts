/**
 * TMF632 Party Management v4 (`/tmf-api/party/v4/individual`, `/organization`). An individual's
 * identification numbers are personal data: before anything is stored, each clear
 * `identificationId` is sealed into crm_party_identification and the document keeps only its masked
 * form (db/crm.ts), so responses, events and the JSON column never hold the number.
 * Storage and owner: db/crm-models.ts.
 */
import { individualModel, organizationModel, PARTY_API } from '../db/crm-models';
import type { PiiKeys } from '../domain/pii';
import { individualSchema, organizationSchema } from './schemas/tmf632';
import { CRM_ACCESS } from './tmf629-customer';
import { TmfApi, type TmfApiDeps, type TmfResourceSpec } from './tmf/resource';

/** The CRM APIs need the personal-data keys (derived from PII_KEY) besides the TMF deps. */
export interface CrmApiDeps extends TmfApiDeps {
  piiKeys: PiiKeys;
}

/** The individual resource; `keys` seal the identification numbers (db/crm-models.ts). */
export function individualSpec(keys: PiiKeys): TmfResourceSpec {
  return { ...individualModel(keys), schema: individualSchema, access: CRM_ACCESS };
}

export const organizationSpec: TmfResourceSpec = { ...organizationModel, schema: organizationSchema, access: CRM_ACCESS };

/** Builds the TMF632 router. */
export function partyApi(deps: CrmApiDeps): TmfApi {
  return new TmfApi(PARTY_API, deps).resource(individualSpec(deps.piiKeys)).resource(organizationSpec);
}
