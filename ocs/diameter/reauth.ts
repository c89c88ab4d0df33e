/**
 * Server-initiated re-authorisation on Gy (RFC 4006 §5.5): when the account of a session that
 * waits for credit gains some, the OCS sends the client a Re-Auth-Request for it; the client
 * answers (2002 LIMITED_SUCCESS: it will ask) and sends a CCR-U with what it used, which the
 * engine now grants. When a subscriber or account is barred (suspended, closed), every open session
 * of it gets one, and its CCR-U is granted nothing (4010). One rating group is named when one
 * waits; otherwise the RAR names none, which re-authorises them all.
 */
import type { Logger } from 'pino';
import { avp, valueOf, type DiameterMessage } from '../../network/diameter/codec';
import { APPLICATION, COMMAND, RE_AUTH_REQUEST_TYPE } from '../../network/diameter/dictionary';
import { DiameterPeerError, type DiameterPeer } from '../../network/diameter/peer';
import { OpenSessions, type ReauthOutcome, type ReauthReason } from '../reauth/open-sessions';
import type { ChargingAnswer, ChargingRequest } from '../engine/types';

/** A Diameter node: its Origin-Host and Origin-Realm. */
export interface GyClient {
  originHost: string;
  originRealm: string;
}

/**
 * Where a session's RAR goes: to its client (the Origin-Host of its CCRs), over the connection its
 * last CCR came by (the client's own, or a Diameter agent's); and whether it is single-service
 * credit control, whose RAR names no Rating-Group (it has none of its own).
 */
interface RarTarget {
  client: GyClient;
  via: string;
  singleService: boolean;
}

/** The RAR of RFC 4006 §3.3 for a session. */
export function reAuthRequest(sessionId: string, origin: GyClient, client: GyClient, ratingGroups: readonly number[]): DiameterMessage {
  return {
    flags: { request: true, proxiable: true, error: false, retransmit: false },
    commandCode: COMMAND.RE_AUTH,
    applicationId: APPLICATION.CREDIT_CONTROL,
    hopByHop: 0,
    endToEnd: 0,
    avps: [
      avp('Session-Id', sessionId),
      avp('Origin-Host', origin.originHost),
      avp('Origin-Realm', origin.originRealm),
      avp('Destination-Realm', client.originRealm),
      avp('Destination-Host', client.originHost),
      avp('Auth-Application-Id', APPLICATION.CREDIT_CONTROL),
      avp('Re-Auth-Request-Type', RE_AUTH_REQUEST_TYPE.AUTHORIZE_ONLY),
      ...(ratingGroups.length === 1 ? [avp('Rating-Group', ratingGroups[0])] : []),
    ],
  };
}

/** The open Gy sessions, where to reach their clients, and their re-authorisation. */
export class GyReauthorizer {
  /** The open sessions answered, and those that wait for credit. */
  readonly sessions = new OpenSessions<RarTarget>();

  constructor(
    private readonly origin: GyClient,
    /** The open peer connections, to find a session's client by its Origin-Host. */
    private readonly peers: () => Iterable<DiameterPeer>,
    private readonly timeoutMs = 5000,
    private readonly logger?: Logger,
  ) {}

  /** Notes a CCA sent over `peer` for `ccr` (what the server kept of it, Origin-Host and -Realm included): the session opened, waits for credit, or ended. */
  note(request: ChargingRequest, answer: ChargingAnswer, ccr: DiameterMessage, peer: DiameterPeer, singleService = false): void {
    const via = peer.remote?.originHost;
    const kept = this.sessions.targetOf(request.sessionId);
    // The client is read only for a session not kept yet (its first answer): not on every request.
    // A CCR that came by another connection (another agent, the first one gone) moves the RAR there.
    let target: RarTarget | undefined;
    if (via !== undefined && kept === undefined) target = { client: { originHost: valueOf<string>(ccr.avps, 'Origin-Host')!, originRealm: valueOf<string>(ccr.avps, 'Origin-Realm')! }, via, singleService };
    else if (via !== undefined && kept !== undefined && kept.via !== via) target = { ...kept, via };
    this.sessions.note(request, answer, target);
  }

  /**
   * Sends a RAR for each of `sessionIds` to ask (those that wait for a credit, all when barred),
   * over the open connection its CCRs came by; resolves with each outcome once all are answered or
   * have timed out. A session whose client is not connected, or does not answer, is not asked
   * again for that reason: it comes back at its validity time.
   */
  async reauthorize(sessionIds: Iterable<string>, reason: ReauthReason = 'credit'): Promise<ReauthOutcome[]> {
    const taken = this.sessions.select(sessionIds, reason);
    if (taken.length === 0) return [];
    const byHost = new Map<string, DiameterPeer>();
    for (const peer of this.peers()) if (peer.state === 'open' && peer.remote) byHost.set(peer.remote.originHost, peer);
    return Promise.all(
      taken.map(async ([sessionId, { target, waiting }]): Promise<ReauthOutcome> => {
        const peer = byHost.get(target.via);
        if (!peer) return { sessionId, error: `${target.via} is not connected` };
        try {
          const answer = await peer.request(reAuthRequest(sessionId, this.origin, target.client, target.singleService ? [] : waiting), {
            ms: this.timeoutMs,
            error: () => new DiameterPeerError(`no RAA within ${this.timeoutMs} ms`),
          });
          const resultCode = valueOf<number>(answer.avps, 'Result-Code');
          this.logger?.info({ sessionId, reason, resultCode }, 'gy: asked a session to re-authorise');
          return { sessionId, ...(resultCode !== undefined ? { answer: resultCode } : {}) };
        } catch (err) {
          this.logger?.warn({ sessionId, err: (err as Error).message }, 'gy: re-authorisation failed');
          return { sessionId, error: (err as Error).message };
        }
      }),
    );
  }
}
