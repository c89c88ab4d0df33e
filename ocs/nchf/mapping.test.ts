/** Nchf bodies ⇄ engine requests: units per service type, identities, destinations, result names. */
import { RESULT, type UnitGrant } from '../engine/types';
import { toChargingDataResponse, toChargingRequest } from './mapping';
import { chargingDataRequestSchema } from './schemas';

const body = (units: unknown[], extra: Record<string, unknown> = {}) =>
  chargingDataRequestSchema.parse({
    subscriberIdentifier: 'msisdn-34600123456',
    nfConsumerIdentification: { nodeFunctionality: 'SMF' },
    invocationTimeStamp: '2026-11-04T12:00:00+01:00',
    invocationSequenceNumber: 2,
    multipleUnitUsage: units,
    ...extra,
  });

describe('Nchf mapping', () => {
  it('reads each rating group in its unit and sums the used containers', () => {
    const request = toChargingRequest(
      body(
        [
          { ratingGroup: 100, requestedUnit: { time: 60 }, usedUnitContainer: [{ time: 20 }, { time: 25 }] },
          { ratingGroup: 300, requestedUnit: {}, usedUnitContainer: [{ uplinkVolume: 1000, downlinkVolume: 24 }] },
          { ratingGroup: 200, usedUnitContainer: [{ serviceSpecificUnits: 1 }] },
        ],
        { iMSChargingInformation: { calledPartyAddress: 'tel:+34612345678;phone-context=ims' } },
      ),
      'ref-1',
      'update',
    );
    expect(request).toEqual({
      sessionId: 'ref-1',
      requestNumber: 2,
      type: 'update',
      subscriber: { msisdn: '+34600123456' },
      eventTime: new Date('2026-11-04T11:00:00Z'),
      destination: '+34612345678',
      units: [
        { ratingGroup: 100, requested: { quantity: '60' }, used: { quantity: '45' } },
        { ratingGroup: 300, requested: {}, used: { quantity: '1024' } },
        { ratingGroup: 200, used: { quantity: '1' } },
      ],
    });
  });

  it('asks for nothing more on release, and finds a subscriber by IMSI', () => {
    const request = toChargingRequest(body([{ ratingGroup: 100, requestedUnit: { time: 60 }, usedUnitContainer: [{ time: 5 }] }], { subscriberIdentifier: 'imsi-214010000000001' }), 'r', 'termination');
    expect(request.subscriber).toEqual({ imsi: '214010000000001' });
    expect(request.units).toEqual([{ ratingGroup: 100, used: { quantity: '5' } }]);
  });

  it('names result codes and grants as TS 32.291 does', () => {
    const response = toChargingDataResponse(
      {
        sessionId: 'r',
        requestNumber: 3,
        resultCode: RESULT.SUCCESS,
        units: [
          { ratingGroup: 300, resultCode: RESULT.SUCCESS, granted: { quantity: '1048576' }, validityTime: 600, finalUnit: true },
          { ratingGroup: 100, resultCode: RESULT.CREDIT_LIMIT_REACHED },
          { ratingGroup: 999, resultCode: RESULT.RATING_FAILED },
        ],
      },
      new Date('2026-11-04T11:00:00Z'),
    );
    expect(response).toEqual({
      invocationTimeStamp: '2026-11-04T11:00:00.000Z',
      invocationSequenceNumber: 3,
      multipleUnitInformation: [
        { resultCode: 'SUCCESS', ratingGroup: 300, grantedUnit: { totalVolume: 1048576 }, validityTime: 600, finalUnitIndication: { finalUnitAction: 'TERMINATE' } },
        { resultCode: 'QUOTA_LIMIT_REACHED', ratingGroup: 100 },
        { resultCode: 'RATING_FAILED', ratingGroup: 999 },
      ],
    });
  });

  it('tells a call its timeQuotaThreshold, a data session its volumeQuotaThreshold and quotaHoldingTime', () => {
    const response = toChargingDataResponse(
      {
        sessionId: 'r',
        requestNumber: 0,
        resultCode: RESULT.SUCCESS,
        units: [
          { ratingGroup: 100, resultCode: RESULT.SUCCESS, granted: { quantity: '300' }, validityTime: 600, quotaThreshold: '60' },
          { ratingGroup: 300, resultCode: RESULT.SUCCESS, granted: { quantity: '10485760' }, validityTime: 600, quotaThreshold: '2097152', quotaHoldingTime: 120 },
        ],
      },
      new Date('2026-11-04T11:00:00Z'),
    );
    expect(response.multipleUnitInformation).toEqual([
      { resultCode: 'SUCCESS', ratingGroup: 100, grantedUnit: { time: 300 }, validityTime: 600, timeQuotaThreshold: 60 },
      { resultCode: 'SUCCESS', ratingGroup: 300, grantedUnit: { totalVolume: 10485760 }, validityTime: 600, volumeQuotaThreshold: 2097152, quotaHoldingTime: 120 },
    ]);
  });

  it('redirects to the URL the final units name (finalUnitIndication REDIRECT with a redirectServer)', () => {
    const grant = { ratingGroup: 300, resultCode: RESULT.SUCCESS, granted: { quantity: '1024' }, validityTime: 600, finalUnit: true, redirectTo: 'https://topup.example.com/' };
    const response = toChargingDataResponse({ sessionId: 'r', requestNumber: 1, resultCode: RESULT.SUCCESS, units: [grant] }, new Date('2026-11-04T11:00:00Z'));
    expect(response.multipleUnitInformation[0].finalUnitIndication).toEqual({
      finalUnitAction: 'REDIRECT',
      redirectServer: { redirectAddressType: 'URL', redirectServerAddress: 'https://topup.example.com/' },
    });
  });

  it('restricts access to the filter the final units name (RESTRICT_ACCESS with a filterId), or names it beside a redirect', () => {
    const indication = (extra: Partial<UnitGrant>) =>
      toChargingDataResponse({ sessionId: 'r', requestNumber: 1, resultCode: RESULT.SUCCESS, units: [{ ratingGroup: 300, resultCode: RESULT.SUCCESS, granted: { quantity: '1024' }, finalUnit: true, ...extra }] }, new Date('2026-11-04T11:00:00Z'))
        .multipleUnitInformation[0].finalUnitIndication;
    expect(indication({ filterId: 'topup-and-care' })).toEqual({ finalUnitAction: 'RESTRICT_ACCESS', filterId: 'topup-and-care' });
    expect(indication({ filterId: 'topup-and-care', redirectTo: 'https://topup.example.com/' })).toEqual({
      finalUnitAction: 'REDIRECT',
      filterId: 'topup-and-care',
      redirectServer: { redirectAddressType: 'URL', redirectServerAddress: 'https://topup.example.com/' },
    });
    expect(indication({})).toEqual({ finalUnitAction: 'TERMINATE' });
  });
});
