import { RESULT, type ChargingAnswer, type ChargingRequest, type UnitGrant } from '../engine/types';
import { AwaitingCredit, ratingGroupsAwaitingCredit } from './awaiting-credit';

const request = (sessionId: string, type: ChargingRequest['type'] = 'update'): ChargingRequest => ({ sessionId, requestNumber: 1, type, subscriber: { msisdn: '+34600000001' }, eventTime: new Date(0), units: [] });
const answer = (sessionId: string, units: Array<Partial<UnitGrant>>): ChargingAnswer => ({ sessionId, requestNumber: 1, resultCode: RESULT.SUCCESS, units: units.map((u) => ({ ratingGroup: 100, resultCode: RESULT.SUCCESS, ...u })) });

describe('sessions awaiting credit', () => {
  it('are those whose answer gave final units or refused for credit, in an initial or update request', () => {
    const mixed = answer('s', [{ ratingGroup: 100, finalUnit: true }, { ratingGroup: 200 }, { ratingGroup: 300, resultCode: RESULT.CREDIT_LIMIT_REACHED }, { ratingGroup: 400, resultCode: RESULT.RATING_FAILED }]);
    expect(ratingGroupsAwaitingCredit(request('s', 'initial'), mixed)).toEqual([100, 300]);
    expect(ratingGroupsAwaitingCredit(request('s', 'update'), mixed)).toEqual([100, 300]);
    // A terminated session and an event have nothing left to re-authorise.
    expect(ratingGroupsAwaitingCredit(request('s', 'termination'), mixed)).toEqual([]);
    expect(ratingGroupsAwaitingCredit(request('s', 'event'), mixed)).toEqual([]);
    expect(ratingGroupsAwaitingCredit(request('s'), answer('s', [{ granted: { quantity: '60' } }]))).toEqual([]);
  });

  it('stop waiting on any other answer, are taken once, and the longest waiting are forgotten beyond the bound', () => {
    const awaiting = new AwaitingCredit<string>(2);
    awaiting.note(request('a'), answer('a', [{ finalUnit: true }]), 'gw1');
    awaiting.note(request('b'), answer('b', [{ resultCode: RESULT.CREDIT_LIMIT_REACHED }]), 'gw2');
    awaiting.note(request('a'), answer('a', [{ granted: { quantity: '60' } }]), 'gw1');
    expect(awaiting.size).toBe(1);
    awaiting.note(request('a'), answer('a', [{ finalUnit: true }]), 'gw1');
    awaiting.note(request('b', 'termination'), answer('b', []), 'gw2');
    expect(awaiting.take(['a', 'b'])).toEqual([['a', { target: 'gw1', ratingGroups: [100] }]]);
    expect(awaiting.take(['a'])).toEqual([]);

    for (const id of ['c', 'd', 'e']) awaiting.note(request(id), answer(id, [{ finalUnit: true }]), 'gw1');
    awaiting.forget('e');
    expect(awaiting.take(['c', 'd', 'e']).map(([id]) => id)).toEqual(['d']);
  });
});
