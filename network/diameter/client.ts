/**
 * A Diameter client: one TCP connection to a peer, capabilities exchanged on connect, any number
 * of requests in flight (each answer matched to its request by hop-by-hop id), watchdogs
 * answered and sent, DPR on close; requests from the server go to `onRequest`. Used by the tests,
 * the traffic generator and the benchmark.
 */
import net from 'node:net';
import type { Logger } from 'pino';
import { type Avp, type DiameterMessage } from './codec';
import { APPLICATION, COMMAND } from './dictionary';
import { DiameterPeer, DiameterPeerError, type PeerOptions, type RemoteIdentity, type RequestTimeout } from './peer';

export interface DiameterClientOptions {
  host: string;
  port: number;
  originHost: string;
  originRealm: string;
  /** Auth-Application-Ids offered in CER; credit control (4) by default. */
  authApplicationIds?: number[];
  hostIpAddress?: string;
  productName?: string;
  /** Tw; 30 s by default. */
  watchdogMs?: number;
  /** A request with no answer by then fails (the connection stays up). */
  requestTimeoutMs?: number;
  /** Requests from the server (e.g. a credit-control Re-Auth-Request); without, they are answered 3001. */
  onRequest?: PeerOptions['onRequest'];
  logger?: Logger;
}

/** Options of one request: header bits and ids for retransmissions. */
export interface RequestOptions {
  /** The T bit: a retransmission of a request sent before (same end-to-end id). */
  retransmit?: boolean;
  endToEnd?: number;
  hopByHop?: number;
}

/** No answer within the time allowed; the request may or may not have been processed. */
export class DiameterTimeoutError extends Error {
  override name = 'DiameterTimeoutError';
}

/** A connected Diameter client (see the file comment). */
export class DiameterClient {
  private constructor(
    readonly peer: DiameterPeer,
    private readonly options: DiameterClientOptions,
  ) {}

  /** Connects, exchanges capabilities and resolves once the connection is open. */
  static async connect(options: DiameterClientOptions): Promise<DiameterClient> {
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect({ host: options.host, port: options.port }, () => {
        s.off('error', reject);
        resolve(s);
      });
      s.once('error', reject);
    });
    const peer = new DiameterPeer(socket, 'initiator', {
      identity: {
        originHost: options.originHost,
        originRealm: options.originRealm,
        hostIpAddresses: [options.hostIpAddress ?? (socket.localAddress ?? '127.0.0.1').replace(/^::ffff:/, '')],
        vendorId: 0,
        productName: options.productName ?? 'telco-bss diameter client',
        originStateId: Math.floor(Date.now() / 1000),
        authApplicationIds: options.authApplicationIds ?? [APPLICATION.CREDIT_CONTROL],
      },
      watchdogMs: options.watchdogMs ?? 30_000,
      ...(options.onRequest ? { onRequest: options.onRequest } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
    });
    await peer.whenOpen();
    return new DiameterClient(peer, options);
  }

  /** What the server told about itself in CEA. */
  get remote(): RemoteIdentity {
    return this.peer.remote!;
  }

  /** Next end-to-end id, for a caller that wants to keep it for a retransmission. */
  nextEndToEnd(): number {
    return this.peer.ids.nextEndToEnd();
  }

  /** Sends a proxiable application request and resolves with its answer. */
  request(commandCode: number, applicationId: number, avps: Avp[], options: RequestOptions = {}): Promise<DiameterMessage> {
    const message: DiameterMessage = {
      flags: { request: true, proxiable: true, error: false, retransmit: options.retransmit ?? false },
      commandCode,
      applicationId,
      hopByHop: options.hopByHop ?? this.peer.ids.nextHopByHop(),
      endToEnd: options.endToEnd ?? 0,
      avps,
    };
    return this.peer.request(message, this.timeoutOf(commandCode));
  }

  /** The timeout of a command's requests, made once per command (a generator sends thousands a second). */
  private readonly timeouts = new Map<number, RequestTimeout>();

  private timeoutOf(commandCode: number): RequestTimeout | undefined {
    const ms = this.options.requestTimeoutMs;
    if (!ms) return undefined;
    let timeout = this.timeouts.get(commandCode);
    if (!timeout) {
      timeout = { ms, error: () => new DiameterTimeoutError(`no answer to command ${commandCode} within ${ms} ms`) };
      this.timeouts.set(commandCode, timeout);
    }
    return timeout;
  }

  /** Sends a CCR (credit-control application) and resolves with the CCA. */
  creditControl(avps: Avp[], options: RequestOptions = {}): Promise<DiameterMessage> {
    return this.request(COMMAND.CREDIT_CONTROL, APPLICATION.CREDIT_CONTROL, avps, options);
  }

  /** Requests sent and not yet answered. */
  get inFlight(): number {
    return this.peer.inFlight;
  }

  /** Disconnects cleanly (DPR/DPA) and closes. */
  async close(): Promise<void> {
    await this.peer.disconnect();
  }
}

export { DiameterPeerError };
