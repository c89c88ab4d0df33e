/**
 * The Nchf notifications' connections: one that went dead (a half-open path that answers nothing,
 * not even a PING) is dropped after a notification it left unanswered, so the next one opens a new
 * connection; one that is only slow to answer is kept.
 */
import http2 from 'node:http2';
import net from 'node:net';
import { RESULT, type ChargingAnswer, type ChargingRequest } from '../engine/types';
import { NchfReauthorizer } from './notify';

const request = (sessionId: string): ChargingRequest => ({ sessionId, requestNumber: 0, type: 'initial', subscriber: { msisdn: '+34600000001' }, eventTime: new Date(), units: [{ ratingGroup: 100, requested: {} }] });
const answer = (sessionId: string): ChargingAnswer => ({ sessionId, requestNumber: 0, resultCode: RESULT.SUCCESS, units: [{ ratingGroup: 100, resultCode: RESULT.SUCCESS, granted: { quantity: '60' } }] });

/** Starts `server` on a free port of 127.0.0.1; resolves with its notifyUri base. */
async function listen(server: net.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
}

describe('Nchf notifications', () => {
  it('opens a new connection after one that answers neither the notification nor a PING', async () => {
    // Accepts connections and never says a word: what a dead path looks like from this side.
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => sockets.push(socket));
    const base = await listen(silent);
    const reauth = new NchfReauthorizer(200);
    try {
      for (const id of ['dead;1', 'dead;2']) reauth.note(request(id), `${base}/notify/${id}`, answer(id));
      expect(await reauth.reauthorize(['dead;1'], 'barred')).toEqual([{ sessionId: 'dead;1', error: 'no answer within 200 ms' }]);
      // The PING goes unanswered too: the connection is dropped.
      await new Promise((r) => setTimeout(r, 400));
      expect(await reauth.reauthorize(['dead;2'], 'barred')).toEqual([{ sessionId: 'dead;2', error: 'no answer within 200 ms' }]);
      expect(sockets).toHaveLength(2);
    } finally {
      reauth.close();
      sockets.forEach((s) => s.destroy());
      silent.close();
    }
  });

  it('keeps a connection that is only slow to answer', async () => {
    let connections = 0;
    let answered = 0;
    const slow = http2.createServer();
    slow.on('connection', () => connections++);
    slow.on('stream', (stream) => {
      // The first notification is answered late, the second at once.
      const late = answered++ === 0;
      // (The late one's stream the notifier has cancelled by then.)
      setTimeout(() => !stream.destroyed && stream.respond({ ':status': 204 }, { endStream: true }), late ? 500 : 0);
    });
    slow.on('sessionError', () => undefined);
    const base = await listen(slow);
    const reauth = new NchfReauthorizer(200);
    try {
      for (const id of ['slow;1', 'slow;2']) reauth.note(request(id), `${base}/notify/${id}`, answer(id));
      expect(await reauth.reauthorize(['slow;1'], 'barred')).toEqual([{ sessionId: 'slow;1', error: 'no answer within 200 ms' }]);
      await new Promise((r) => setTimeout(r, 400));
      expect(await reauth.reauthorize(['slow;2'], 'barred')).toEqual([{ sessionId: 'slow;2', answer: 204 }]);
      expect(connections).toBe(1);
    } finally {
      reauth.close();
      slow.close();
    }
  });
});
