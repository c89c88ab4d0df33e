/** Nchf ChargingDataRequest/Response ⇄ the engine's ChargingRequest/Answer. */
import { RESULT, SERVICE_OF_RATING_GROUP, type ChargingAnswer, type ChargingRequest, type ResultCode, type ServiceType, type UnitGrant, type UnitRequest } from '../engine/types';
import { destinationNumber } from '../../domain/charging/numbers';
import type { ChargingDataRequest, ServiceUnit } from './schemas';

/** The unit field of each service type: seconds, octets, events. */
const FIELD: Record<ServiceType, 'time' | 'totalVolume' | 'serviceSpecificUnits'> = { voice: 'time', data: 'totalVolume', sms: 'serviceSpecificUnits' };

/** Nchf names of the result codes (TS 32.291 ResultCode). */
export const NCHF_RESULT: Record<ResultCode, string> = {
  [RESULT.SUCCESS]: 'SUCCESS',
  [RESULT.END_USER_SERVICE_DENIED]: 'END_USER_SERVICE_DENIED',
  [RESULT.CREDIT_LIMIT_REACHED]: 'QUOTA_LIMIT_REACHED',
  [RESULT.UNKNOWN_SESSION_ID]: 'END_USER_SERVICE_REJECTED',
  [RESULT.UNABLE_TO_COMPLY]: 'END_USER_SERVICE_REJECTED',
  [RESULT.USER_UNKNOWN]: 'USER_UNKNOWN',
  [RESULT.RATING_FAILED]: 'RATING_FAILED',
};

/** The quantity of a unit container in the rating group's unit (the first field present when the group is unknown). */
function quantityOf(unit: ServiceUnit, ratingGroup: number): number | undefined {
  const service = SERVICE_OF_RATING_GROUP[ratingGroup];
  if (service) {
    if (service === 'data' && unit.totalVolume === undefined && (unit.uplinkVolume !== undefined || unit.downlinkVolume !== undefined)) {
      return (unit.uplinkVolume ?? 0) + (unit.downlinkVolume ?? 0);
    }
    return unit[FIELD[service]];
  }
  return unit.time ?? unit.totalVolume ?? unit.serviceSpecificUnits;
}

/** Whom the event is to: the called party of a call, the recipient of an SMS (by GPSI, else by address). */
function destinationOf(body: ChargingDataRequest): string | undefined {
  const called = body.iMSChargingInformation?.calledPartyAddress;
  if (called !== undefined) return destinationNumber(called);
  const recipient = body.sMSChargingInformation?.recipientInfo?.[0];
  const gpsi = recipient?.recipientGPSI?.match(/^msisdn-(\d+)$/)?.[1];
  if (gpsi !== undefined) return destinationNumber(gpsi);
  const address = recipient?.recipientOtherAddress?.sMaddressData;
  return address === undefined ? undefined : destinationNumber(address);
}

/** The engine request for a ChargingDataRequest on session `ref`. */
export function toChargingRequest(body: ChargingDataRequest, ref: string, type: ChargingRequest['type']): ChargingRequest {
  const [kind, digits] = body.subscriberIdentifier?.split('-') ?? [];
  // A rating group reported once per UPF is one rating group to the engine: what each used added
  // up, one quota asked (the largest asked).
  const byGroup = new Map<number, { used: number; anyUsed: boolean; asked: boolean; requested: number | undefined }>();
  for (const u of body.multipleUnitUsage ?? []) {
    const group = byGroup.get(u.ratingGroup) ?? { used: 0, anyUsed: false, asked: false, requested: undefined };
    group.used += (u.usedUnitContainer ?? []).reduce((sum, c) => sum + (quantityOf(c, u.ratingGroup) ?? 0), 0);
    group.anyUsed ||= (u.usedUnitContainer?.length ?? 0) > 0;
    if (u.requestedUnit) {
      group.asked = true;
      const requested = quantityOf(u.requestedUnit, u.ratingGroup);
      if (requested !== undefined) group.requested = Math.max(group.requested ?? 0, requested);
    }
    byGroup.set(u.ratingGroup, group);
  }
  const units: UnitRequest[] = [...byGroup].map(([ratingGroup, g]) => ({
    ratingGroup,
    ...(g.asked && type !== 'termination' ? { requested: g.requested === undefined ? {} : { quantity: String(g.requested) } } : {}),
    ...(g.anyUsed ? { used: { quantity: String(g.used) } } : {}),
  }));
  return {
    sessionId: ref,
    requestNumber: body.invocationSequenceNumber,
    type,
    // None after the Create: the engine finds the session's own.
    subscriber: kind === 'msisdn' ? { msisdn: `+${digits}` } : kind === 'imsi' ? { imsi: digits } : {},
    eventTime: new Date(body.invocationTimeStamp),
    destination: destinationOf(body),
    units,
  };
}

/** FinalUnitIndication (TS 32.291): REDIRECT to the portal (with the filter of what stays reachable), RESTRICT_ACCESS to a filter alone, else TERMINATE. */
const finalUnitIndication = ({ redirectTo, filterId }: UnitGrant) => ({
  finalUnitAction: redirectTo !== undefined ? 'REDIRECT' : filterId !== undefined ? 'RESTRICT_ACCESS' : 'TERMINATE',
  ...(filterId !== undefined ? { filterId } : {}),
  ...(redirectTo !== undefined ? { redirectServer: { redirectAddressType: 'URL', redirectServerAddress: redirectTo } } : {}),
});

/** The ChargingDataResponse of an answer. */
export function toChargingDataResponse(answer: ChargingAnswer, invocationTimeStamp: Date) {
  return {
    invocationTimeStamp: invocationTimeStamp.toISOString(),
    invocationSequenceNumber: answer.requestNumber,
    multipleUnitInformation: answer.units.map((u) => {
      const service = SERVICE_OF_RATING_GROUP[u.ratingGroup];
      return {
        resultCode: NCHF_RESULT[u.resultCode],
        ratingGroup: u.ratingGroup,
        ...(u.granted && service ? { grantedUnit: { [FIELD[service]]: Number(u.granted.quantity) } } : {}),
        ...(u.validityTime === undefined ? {} : { validityTime: u.validityTime }),
        ...(u.finalUnit ? { finalUnitIndication: finalUnitIndication(u) } : {}),
        ...(u.quotaThreshold === undefined ? {} : { [service === 'voice' ? 'timeQuotaThreshold' : 'volumeQuotaThreshold']: Number(u.quotaThreshold) }),
        ...(u.quotaHoldingTime === undefined ? {} : { quotaHoldingTime: u.quotaHoldingTime }),
      };
    }),
  };
}
