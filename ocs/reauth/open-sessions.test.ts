import { RESULT, type ChargingAnswer, type ChargingRequest, type UnitGrant } from '../engine/types';
import { ratingGroupsAwaitingCredit } from '../engine/waiting';
import { OpenSessions } from './open-sessions';

const request = (sessionId: string, type: ChargingRequest['type'] = 'update'): ChargingRequest => ({ sessionId, requestNumber: 1, type, subscriber: { msisdn: '+34600000001' }, eventTime: new Date(0), units: [] });
const answer = (sessionId: string, units: Array<Partial<UnitGrant>>, resultCode: ChargingAnswer['resultCode'] = RESULT.SUCCESS): ChargingAnswer => ({
  sessionId,
  requestNumber: 1,
  resultCode,
  units: units.map((u) => ({ ratingGroup: 100, resultCode: RESULT.SUCCESS, ...u })),
});
const granted = { granted: { quantity: '60' } };

describe('open sessions', () => {
  it('wait for credit when their answer gave final units or refused for credit, in an initial or update request', () => {
    const mixed = answer('s', [{ ratingGroup: 100, finalUnit: true }, { ratingGroup: 200 }, { ratingGroup: 300, resultCode: RESULT.CREDIT_LIMIT_REACHED }, { ratingGroup: 400, resultCode: RESULT.RATING_FAILED }]);
    expect(ratingGroupsAwaitingCredit(request('s', 'initial'), mixed)).toEqual([100, 300]);
    expect(ratingGroupsAwaitingCredit(request('s', 'update'), mixed)).toEqual([100, 300]);
    // A terminated session and an event have nothing left to re-authorise.
    expect(ratingGroupsAwaitingCredit(request('s', 'termination'), mixed)).toEqual([]);
    expect(ratingGroupsAwaitingCredit(request('s', 'event'), mixed)).toEqual([]);
    expect(ratingGroupsAwaitingCredit(request('s'), answer('s', [granted]))).toEqual([]);
  });

  it('are kept from their first answer to their end; a credit asks those that wait, once; a bar asks all', () => {
    const open = new OpenSessions<string>();
    open.note(request('a', 'initial'), answer('a', [granted]), 'gw1');
    open.note(request('b', 'initial'), answer('b', [{ resultCode: RESULT.CREDIT_LIMIT_REACHED }]), 'gw2');
    // Refused at once (unknown subscriber): no session.
    open.note(request('x', 'initial'), answer('x', [], RESULT.USER_UNKNOWN), 'gw1');
    expect([open.size, open.anyWaiting]).toEqual([2, true]);
    open.note(request('a'), answer('a', [{ finalUnit: true }]), undefined);
    expect(open.select(['a', 'b', 'x'], 'credit')).toEqual([
      ['a', { target: 'gw1', waiting: [100] }],
      ['b', { target: 'gw2', waiting: [100] }],
    ]);
    expect([open.select(['a', 'b'], 'credit'), open.anyWaiting]).toEqual([[], false]);
    expect(open.select(['a', 'b', 'x'], 'barred')).toEqual([
      ['a', { target: 'gw1', waiting: [] }],
      ['b', { target: 'gw2', waiting: [] }],
    ]);
    // An update that waits again is asked again; a termination or an event ends the session.
    open.note(request('b'), answer('b', [{ finalUnit: true }]), undefined);
    expect(open.anyWaiting).toBe(true);
    open.note(request('b', 'termination'), answer('b', []), undefined);
    open.note(request('a', 'event'), answer('a', [granted]), undefined);
    expect([open.size, open.anyWaiting]).toEqual([0, false]);
    // A session first seen in an update (opened before a restart) is kept when its target is known.
    open.note(request('c'), answer('c', [granted]), undefined);
    open.note(request('d'), answer('d', [granted]), 'gw3');
    expect(open.select(['c', 'd'], 'barred').map(([id]) => id)).toEqual(['d']);
  });

  it('forget the earliest opened beyond the bound', () => {
    const open = new OpenSessions<string>(2);
    for (const id of ['c', 'd', 'e']) open.note(request(id, 'initial'), answer(id, [{ finalUnit: true }]), 'gw1');
    expect(open.select(['c', 'd', 'e'], 'credit').map(([id]) => id)).toEqual(['d', 'e']);
    open.forget('e');
    expect(open.select(['c', 'd', 'e'], 'barred').map(([id]) => id)).toEqual(['d']);
  });
});
