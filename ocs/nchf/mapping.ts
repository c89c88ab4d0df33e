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

/** The engine request for a ChargingDataRequest on session `ref`. */
export function toChargingRequest(body: ChargingDataRequest, ref: string, type: ChargingRequest['type']): ChargingRequest {
  const [kind, digits] = body.subscriberIdentifier.split('-');
  const called = body.iMSChargingInformation?.calledPartyAddress;
  const units: UnitRequest[] = (body.multipleUnitUsage ?? []).map((u) => {
    const usedTotal = (u.usedUnitContainer ?? []).reduce((sum, c) => sum + (quantityOf(c, u.ratingGroup) ?? 0), 0);
    const requested = u.requestedUnit ? quantityOf(u.requestedUnit, u.ratingGroup) : undefined;
    return {
      ratingGroup: u.ratingGroup,
      ...(u.requestedUnit && type !== 'termination' ? { requested: requested === undefined ? {} : { quantity: String(requested) } } : {}),
      ...(u.usedUnitContainer?.length ? { used: { quantity: String(usedTotal) } } : {}),
    };
  });
  return {
    sessionId: ref,
    requestNumber: body.invocationSequenceNumber,
    type,
    subscriber: kind === 'msisdn' ? { msisdn: `+${digits}` } : { imsi: digits },
    eventTime: new Date(body.invocationTimeStamp),
    destination: called === undefined ? undefined : destinationNumber(called),
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
