/** Credit-control requests of the engine tests, and the answers they expect, at a national peak hour. */
import { RESULT, type ChargingAnswer, type ChargingRequest } from '../../ocs/engine';
import type { TestLine } from './charging';

// Wednesday 12:00 in Madrid: national peak (0.12 the first minute, then 0.002 a second).
export const PEAK = new Date('2026-11-04T11:00:00Z');
export const VOICE = 100;
export const DATA = 300;

export const request = (line: TestLine, sessionId: string, requestNumber: number, type: ChargingRequest['type'], units: ChargingRequest['units']): ChargingRequest => ({
  sessionId,
  requestNumber,
  type,
  subscriber: { msisdn: line.msisdn },
  eventTime: PEAK,
  destination: '+34612345678',
  units,
});
export const initial = (line: TestLine, sessionId: string, ratingGroup = VOICE, quantity = '60') => request(line, sessionId, 0, 'initial', [{ ratingGroup, requested: { quantity } }]);
export const update = (line: TestLine, sessionId: string, n: number, used: string) =>
  request(line, sessionId, n, 'update', [{ ratingGroup: VOICE, used: { quantity: used }, requested: { quantity: '60' } }]);
export const terminate = (line: TestLine, sessionId: string, n: number, used: string, ratingGroup = VOICE) => request(line, sessionId, n, 'termination', [{ ratingGroup, used: { quantity: used } }]);

export const grant = (quantity: string, finalUnit = false, ratingGroup = VOICE) => ({ ratingGroup, resultCode: RESULT.SUCCESS, granted: { quantity }, validityTime: 600, ...(finalUnit ? { finalUnit: true } : {}) });
export const refused = { ratingGroup: VOICE, resultCode: RESULT.CREDIT_LIMIT_REACHED };
export const answer = (r: ChargingRequest, unit: object): ChargingAnswer => ({ sessionId: r.sessionId, requestNumber: r.requestNumber, resultCode: RESULT.SUCCESS, units: [unit as ChargingAnswer['units'][number]] });
