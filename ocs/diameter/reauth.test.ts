/**
 * Where the Gy server sends a session's Re-Auth-Request: over the connection its last CCR came by
 * (a Diameter agent may change), and with a Rating-Group only for a multiple-services session.
 */
import { avp, valueOf, type DiameterMessage } from '../../network/diameter/codec';
import type { DiameterPeer } from '../../network/diameter/peer';
import { RESULT, type ChargingAnswer, type ChargingRequest } from '../engine/types';
import { GyReauthorizer } from './reauth';

/** A connection to `host` that answers every request 2002 and keeps what it was sent. */
function fakePeer(host: string) {
  const sent: DiameterMessage[] = [];
  const peer = {
    state: 'open',
    remote: { originHost: host, originRealm: 'test', applicationIds: [4] },
    request: (message: DiameterMessage) => {
      sent.push(message);
      return Promise.resolve({ ...message, avps: [avp('Result-Code', 2002)] });
    },
  };
  return { peer: peer as unknown as DiameterPeer, sent, close: () => (peer.state = 'closed') };
}

const ccr: DiameterMessage = {
  flags: { request: true, proxiable: true, error: false, retransmit: false },
  commandCode: 272,
  applicationId: 4,
  hopByHop: 1,
  endToEnd: 1,
  avps: [avp('Origin-Host', 'pgw.test'), avp('Origin-Realm', 'test')],
};
const request = (sessionId: string, requestNumber: number): ChargingRequest => ({
  sessionId,
  requestNumber,
  type: requestNumber === 0 ? 'initial' : 'update',
  subscriber: { msisdn: '+34600000001' },
  eventTime: new Date(),
  units: [{ ratingGroup: 300, requested: {} }],
});
/** 4012 for the rating group: the session waits for credit. */
const waits = (sessionId: string, requestNumber: number): ChargingAnswer => ({ sessionId, requestNumber, resultCode: RESULT.SUCCESS, units: [{ ratingGroup: 300, resultCode: RESULT.CREDIT_LIMIT_REACHED }] });

describe('Gy re-authorisation', () => {
  it('sends the RAR over the connection the last CCR came by, when the first agent is gone', async () => {
    const [dra1, dra2] = [fakePeer('dra1.test'), fakePeer('dra2.test')];
    const reauth = new GyReauthorizer({ originHost: 'ocs.test', originRealm: 'test' }, () => [dra1.peer, dra2.peer]);
    reauth.note(request('moved;1', 0), waits('moved;1', 0), ccr, dra1.peer);
    reauth.note(request('moved;1', 1), waits('moved;1', 1), ccr, dra2.peer);
    dra1.close();
    expect(await reauth.reauthorize(['moved;1'])).toEqual([{ sessionId: 'moved;1', answer: 2002 }]);
    expect([dra1.sent.length, dra2.sent.length]).toEqual([0, 1]);
    const rar = dra2.sent[0];
    expect([valueOf<string>(rar.avps, 'Destination-Host'), valueOf<number>(rar.avps, 'Rating-Group')]).toEqual(['pgw.test', 300]);
  });

  it('names no Rating-Group in the RAR of a single-service session (it sent none)', async () => {
    const client = fakePeer('pgw.test');
    const reauth = new GyReauthorizer({ originHost: 'ocs.test', originRealm: 'test' }, () => [client.peer]);
    reauth.note(request('single;1', 0), waits('single;1', 0), ccr, client.peer, true);
    expect(await reauth.reauthorize(['single;1'])).toEqual([{ sessionId: 'single;1', answer: 2002 }]);
    expect(valueOf<number>(client.sent[0].avps, 'Rating-Group')).toBeUndefined();
  });
});
