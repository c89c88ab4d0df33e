/**
 * The Diameter Gy front end of the online charging system: a TCP server (port 3868 by default)
 * whose peers exchange capabilities and then send CCRs, each turned into a ChargingRequest for
 * the engine and its ChargingAnswer into a CCA. Requests are handled concurrently: answers go out
 * as the engine finishes them, possibly out of order, each with its request's hop-by-hop and
 * end-to-end ids. A retransmission (T bit) is passed to the engine unchanged: the engine
 * recognises the session and request number and answers as the first time, debiting nothing.
 * A malformed message gets its Diameter error; an unreadable stream closes only that connection.
 */
import net from 'node:net';
import type { Logger } from 'pino';
import { systemClock, type Clock } from '../../domain/clock';
import { EngineOverloaded, RefundUnknown, type ChargingEngine } from '../engine/types';
import { avp, AvpError, findAvp, type Avp, type DiameterMessage } from '../../network/diameter/codec';
import { APPLICATION, avpNamed, COMMAND, DIAMETER_RESULT, DISCONNECT_CAUSE } from '../../network/diameter/dictionary';
import { ccaAvps, parseCcr, quoteCcaAvps, type FailureHandling, type ParsedCcr } from './gy-mapping';
import { answerTo, errorAnswer } from '../../network/diameter/message';
import { DiameterPeer, type IncomingMessage } from '../../network/diameter/peer';
import { GyReauthorizer } from './reauth';
import type { ReauthOutcome, ReauthReason } from '../reauth/open-sessions';

/** The AVPs of a CCR that an error answer repeats. */
const ECHOED = ['Auth-Application-Id', 'CC-Request-Type', 'CC-Request-Number'];

/** The AVPs of a CCR that an error answer repeats, as far as the request had them. */
function echoed(request: DiameterMessage): Avp[] {
  return ECHOED.map((n) => findAvp(request.avps, n)).filter((a) => a !== undefined);
}

/**
 * What any answer takes from its request (message.ts: Session-Id, Proxy-Info) and the echoed AVPs,
 * and the client a Re-Auth-Request for the session goes to (Origin-Host, Origin-Realm); all IETF ones.
 */
const ANSWER_AVPS = new Set(['Session-Id', 'Proxy-Info', 'Origin-Host', 'Origin-Realm', ...ECHOED].map((n) => avpNamed(n).code));

/**
 * What answering a request needs of it: its header and the AVPs an answer repeats. Kept while the
 * engine works instead of the whole request, whose two dozen AVP objects would otherwise stay
 * alive across the batch and be copied by the garbage collector.
 */
function answerable(request: DiameterMessage): DiameterMessage {
  const { flags, commandCode, applicationId, hopByHop, endToEnd } = request;
  return { flags, commandCode, applicationId, hopByHop, endToEnd, avps: request.avps.filter((a) => !a.vendorId && ANSWER_AVPS.has(a.code)) };
}

/** The Diameter port of RFC 6733 §2.1. */
export const DIAMETER_PORT = 3868;

export interface GyServerOptions {
  engine: ChargingEngine;
  /** TCP port; 3868 by default, 0 for any free port. */
  port?: number;
  /** Address to listen on; all interfaces by default. */
  host?: string;
  /** Our DiameterIdentity (Origin-Host) and realm. */
  originHost: string;
  originRealm: string;
  /** Host-IP-Address in CEA; by default the local address of each connection. */
  hostIpAddresses?: string[];
  /** Vendor-Id in CEA (0: none). */
  vendorId?: number;
  productName?: string;
  /** Tw, the watchdog interval (RFC 3539 recommends 30 s). */
  watchdogMs?: number;
  /** Larger messages are taken as garbage and close the connection. */
  maxMessageLength?: number;
  /** Answers a peer has not taken yet, in bytes, beyond which its requests are not read until it does; 4 MiB by default. */
  maxUnsentBytes?: number;
  /** How long a Re-Auth-Request waits for its answer; 5 s by default. */
  reauthTimeoutMs?: number;
  /** How long closing waits for the CCRs being charged to be answered before it disconnects; 5 s by default. */
  drainMs?: number;
  /**
   * What clients do with their sessions when no OCS answers (Credit-Control-Failure-Handling),
   * told in each session's first answer with CC-Session-Failover FAILOVER_SUPPORTED: a session's
   * state is in PostgreSQL, so any OCS instance carries it on. Absent: the clients' own settings.
   */
  failureHandling?: FailureHandling;
  /** For CCRs without Event-Timestamp. */
  clock?: Clock;
  logger?: Logger;
}

/** A running Gy server. */
export interface GyServer {
  /** The port it listens on (useful with port 0). */
  port: number;
  /** Open peer connections. */
  peers(): DiameterPeer[];
  /** Forgets a session closed without a termination (the sweeper closing an abandoned one). */
  sessionClosed(sessionId: string): void;
  /** The open sessions it keeps for re-authorisation, and how many wait for credit. */
  sessionCounts(): { open: number; waiting: number };
  /** Whether a session waits for credit (its last CCA gave final units or 4012). */
  waitingForCredit(): boolean;
  /** Sends a RAR for each of these sessions it answered that waits for credit (their account gained some), or for each when barred. */
  reauthorize(sessionIds: Iterable<string>, reason?: ReauthReason): Promise<ReauthOutcome[]>;
  /**
   * Stops listening, answers the CCRs being charged (new ones get 3004 DIAMETER_TOO_BUSY: the
   * client sends them to another OCS), then disconnects every peer (DPR, REBOOTING).
   */
  close(): Promise<void>;
}

/** Starts a Gy server and resolves once it listens. */
export async function startGyServer(options: GyServerOptions): Promise<GyServer> {
  const clock = options.clock ?? systemClock;
  const origin = { originHost: options.originHost, originRealm: options.originRealm };
  const answering = options.failureHandling === undefined ? origin : { ...origin, failureHandling: options.failureHandling };
  const peers = new Set<DiameterPeer>();
  const originStateId = Math.floor(Date.now() / 1000);
  const reauth = new GyReauthorizer(origin, () => peers, options.reauthTimeoutMs, options.logger);
  // The CCRs being charged, so that closing answers them before it disconnects: a restart loses no
  // answer the engine committed (the client would otherwise time out and send it again elsewhere).
  let charging = 0;
  let closing = false;
  let drained: (() => void) | undefined;

  /**
   * The realm this OCS serves (DiameterIdentity compares without case). Destination-Host is not
   * checked: every instance of the realm carries any session (its state is in PostgreSQL), as
   * CC-Session-Failover tells the clients, so a request addressed to another instance that fails
   * over here is served.
   */
  const realm = options.originRealm.toLowerCase();

  const onRequest = (incoming: IncomingMessage, peer: DiameterPeer) => {
    // (A request with the E bit the peer answers 3008 itself.)
    const { message } = incoming;
    if (message.commandCode !== COMMAND.CREDIT_CONTROL) {
      peer.send(errorAnswer(message, origin, DIAMETER_RESULT.COMMAND_UNSUPPORTED));
      return;
    }
    if (message.applicationId !== APPLICATION.CREDIT_CONTROL) {
      peer.send(errorAnswer(message, origin, DIAMETER_RESULT.APPLICATION_UNSUPPORTED));
      return;
    }
    answerCcr(incoming, peer);
  };

  const answerCcr = ({ message, avpError }: IncomingMessage, peer: DiameterPeer): void => {
    let parsed: ParsedCcr;
    try {
      if (avpError) throw avpError;
      parsed = parseCcr(message.avps, clock.now());
    } catch (err) {
      if (!(err instanceof AvpError)) {
        // A request we failed to read for a reason of our own: refuse it, never take the process down.
        options.logger?.error({ err }, 'gy: reading a CCR failed');
        peer.send(errorAnswer(message, origin, DIAMETER_RESULT.UNABLE_TO_COMPLY, undefined, echoed(message)));
        return;
      }
      options.logger?.info({ resultCode: err.resultCode, reason: err.message }, 'gy: CCR refused');
      peer.send(errorAnswer(message, origin, err.resultCode, err.failedAvp, echoed(message)));
      return;
    }
    if (parsed.destinationRealm.toLowerCase() !== realm) {
      // RFC 6733 §6.1: not for a realm served here, and this node relays nothing.
      peer.send(errorAnswer(message, origin, DIAMETER_RESULT.REALM_NOT_SERVED, undefined, echoed(message)));
      return;
    }
    if (closing) {
      peer.send(errorAnswer(message, origin, DIAMETER_RESULT.TOO_BUSY, undefined, echoed(message)));
      return;
    }
    void charge(parsed, answerable(message), peer);
  };

  /** Charges a CCR read and answers it; `request` is what answering needs of it (answerable). */
  const charge = async (parsed: ParsedCcr, request: DiameterMessage, peer: DiameterPeer): Promise<void> => {
    charging++;
    try {
      if (parsed.action === 'refund') {
        peer.send(answerTo(request, ccaAvps(parsed, await options.engine.refund(parsed.refund!), answering)));
        return;
      }
      if (parsed.action !== 'debit') {
        // A balance check or price enquiry: answered from the account as it is, nothing changes.
        peer.send(answerTo(request, quoteCcaAvps(parsed, await options.engine.quote(parsed.request), origin)));
        return;
      }
      const answer = await options.engine.charge(parsed.request);
      peer.send(answerTo(request, ccaAvps(parsed, answer, answering)));
      reauth.note(parsed.request, answer, request, peer, parsed.singleService === true);
    } catch (err) {
      if (err instanceof RefundUnknown) {
        // The Refund-Information names no event charged to this subscriber in that rating group.
        peer.send(errorAnswer(request, origin, DIAMETER_RESULT.INVALID_AVP_VALUE, avp('Refund-Information', Buffer.from(err.refundInformation, 'utf8')), echoed(request)));
        return;
      }
      if (err instanceof EngineOverloaded) {
        // A transient protocol error: the client may send the request to another OCS.
        peer.send(errorAnswer(request, origin, DIAMETER_RESULT.TOO_BUSY, undefined, echoed(request)));
        return;
      }
      options.logger?.error({ err, sessionId: parsed.request.sessionId }, 'gy: the charging engine failed');
      // Transient (E bit), not 5012: the database may be down, or the write may have committed
      // though its answer was lost. The client sends the request again (T flag), here or to another
      // OCS, and gets the stored answer or a fresh one; a permanent 5012 would end the session
      // with its usage uncharged.
      peer.send(errorAnswer(request, origin, DIAMETER_RESULT.TOO_BUSY, undefined, echoed(request)));
    } finally {
      if (--charging === 0) drained?.();
    }
  };

  // Every connection, to end at close those a peer left half-open (it never closed its side).
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    const local = (socket.localAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
    const peer = new DiameterPeer(socket, 'responder', {
      identity: {
        ...origin,
        hostIpAddresses: options.hostIpAddresses ?? [local],
        vendorId: options.vendorId ?? 0,
        productName: options.productName ?? 'telco-bss OCS',
        originStateId,
        authApplicationIds: [APPLICATION.CREDIT_CONTROL],
      },
      watchdogMs: options.watchdogMs ?? 30_000,
      ...(options.maxMessageLength ? { maxMessageLength: options.maxMessageLength } : {}),
      ...(options.maxUnsentBytes ? { maxUnsentBytes: options.maxUnsentBytes } : {}),
      onRequest: (incoming, p) => {
        try {
          onRequest(incoming, p);
        } catch (err) {
          options.logger?.error({ err }, 'gy: request handling failed');
          p.close('request handling failed');
        }
      },
      ...(options.logger ? { logger: options.logger } : {}),
    });
    peers.add(peer);
    peer.once('close', (reason: string) => {
      peers.delete(peer);
      options.logger?.debug({ peer: peer.remote?.originHost, reason }, 'gy: peer closed');
    });
  });
  server.on('error', (err) => options.logger?.error({ err }, 'gy: server error'));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? DIAMETER_PORT, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  return {
    port: (server.address() as net.AddressInfo).port,
    peers: () => [...peers],
    waitingForCredit: () => reauth.sessions.anyWaiting,
    sessionCounts: () => reauth.sessions.counts(),
    sessionClosed: (sessionId) => reauth.sessions.forget(sessionId),
    reauthorize: (sessionIds, reason) => reauth.reauthorize(sessionIds, reason),
    close: async () => {
      closing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      if (charging > 0) {
        // Bounded: an engine that does not answer does not hold the stop.
        let timer: NodeJS.Timeout | undefined;
        await new Promise<void>((resolve) => {
          drained = resolve;
          timer = setTimeout(resolve, options.drainMs ?? 5000);
        });
        clearTimeout(timer);
      }
      await Promise.all([...peers].map((p) => p.disconnect(DISCONNECT_CAUSE.REBOOTING, 2000)));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
