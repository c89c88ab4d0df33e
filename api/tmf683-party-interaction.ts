/**
 * TMF683 Party Interaction v4 (`/tmf-api/partyInteraction/v4/partyInteraction`): every contact
 * with a party on every channel (api/schemas/tmf683.ts). The server fills `status` (opened),
 * `interactionDate` (now), `creationDate`, `statusChangeDate` (on every status change) and each
 * known channel's `name`. Owner: the customer named in `relatedParty` (api/tmf629-customer.ts).
 */
import { PARTY_INTERACTION_API, partyInteractionModel } from '../db/crm-models';
import type { Clock } from '../domain/clock';
import { partyInteractionSchema } from './schemas/tmf683';
import { CRM_ACCESS } from './tmf629-customer';
import { TmfApi, type TmfApiDeps, type TmfResourceSpec } from './tmf/resource';

/** The party interaction resource; `clock` stamps statusChangeDate (db/crm-models.ts). */
export function partyInteractionSpec(clock: Clock): TmfResourceSpec {
  return { ...partyInteractionModel(clock), schema: partyInteractionSchema, access: CRM_ACCESS };
}

/** Builds the TMF683 router. */
export function partyInteractionApi(deps: TmfApiDeps): TmfApi {
  return new TmfApi(PARTY_INTERACTION_API, deps).resource(partyInteractionSpec(deps.clock));
}
