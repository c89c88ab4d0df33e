/**
 * One Diameter peer connection and its state machine (RFC 6733 §5), for both ends:
 * the initiator sends CER and waits for CEA; the responder waits for CER, checks for a common
 * application (else DIAMETER_NO_COMMON_APPLICATION, 5010) and answers CEA. While open it answers
 * DWR, sends its own DWR after Tw without traffic and closes a peer that stays silent for
 * another Tw (RFC 3539 §3.4), answers a second CER with a CEA, answers DPR (once the requests it
 * is serving are answered) and closes, and passes application messages on. Many requests may be
 * in flight; answers are matched to requests by hop-by-hop identifier. A peer that does not read
 * its answers is not read from until it does (the answers waiting to be written are bounded).
 */
import { EventEmitter } from 'node:events';
import type net from 'node:net';
import type { Logger } from 'pino';
import { avp, AvpError, checkAvps, decodeAvps, decodeHeader, DiameterFramingError, encodeMessage, exampleAvp, HEADER_LENGTH, membersOf, findAvps, valueOf, type Avp, type DiameterMessage } from './codec';
import { APPLICATION, COMMAND, DIAMETER_RESULT, DISCONNECT_CAUSE } from './dictionary';
import { DiameterFramer } from './framer';
import { answerTo, errorAnswer, IdentifierSource } from './message';

/** Who this node is, as told in CER/CEA. */
export interface LocalIdentity {
  originHost: string;
  originRealm: string;
  hostIpAddresses: string[];
  vendorId: number;
  productName: string;
  firmwareRevision?: number;
  originStateId: number;
  /** Auth-Application-Ids this node serves (4: credit control). */
  authApplicationIds: number[];
}

/** The other end, as it told us in CER or CEA. */
export interface RemoteIdentity {
  originHost: string;
  originRealm: string;
  productName?: string;
  applicationIds: number[];
}

/** A received message; `avpError` is set when its AVPs could not be split (invalid AVP length), and `avps` are then those before the bad one. */
export interface IncomingMessage {
  message: DiameterMessage;
  avpError?: AvpError;
}

export type PeerState = 'waitCEA' | 'waitCER' | 'open' | 'closing' | 'closed';

export interface PeerOptions {
  identity: LocalIdentity;
  /** Tw: idle time before we send DWR, and the time we wait for any sign of life after it. */
  watchdogMs: number;
  maxMessageLength?: number;
  /** Bytes written and not yet taken by the peer beyond which it is not read from until they are; 4 MiB by default. */
  maxUnsentBytes?: number;
  /** An application request on an open connection; the handler sends the answer when it has it. */
  onRequest?: (incoming: IncomingMessage, peer: DiameterPeer) => void;
  logger?: Logger;
}

/** The connection was closed, or the peer refused our capabilities. */
export class DiameterPeerError extends Error {
  override name = 'DiameterPeerError';
}

interface Pending {
  resolve: (answer: DiameterMessage) => void;
  reject: (err: Error) => void;
  /** When it gives up: at `deadline` (a Date.now()) it fails with `error()`. */
  timeout?: { deadline: number; error: () => Error };
}

/** How a request gives up on its answer. */
export interface RequestTimeout {
  ms: number;
  /** The error it then fails with. */
  error: () => Error;
}

/** One peer connection (see the file comment). Emits 'open' and 'close' (with the reason). */
export class DiameterPeer extends EventEmitter {
  state: PeerState;
  remote?: RemoteIdentity;
  /** Why the connection closed, once it has. */
  closeReason?: string;
  /** Watchdog exchanges seen: DWRs the peer sent us, DWAs it returned to ours. */
  readonly watchdogs = { requestsReceived: 0, answersReceived: 0 };
  readonly ids = new IdentifierSource();
  private readonly framer: DiameterFramer;
  private readonly pending = new Map<number, Pending>();
  /** Application requests handed to onRequest and not yet answered, counted by hop-by-hop id. */
  private readonly serving = new Map<number, number>();
  /** A DPR received while requests were being served: its DPA waits for their answers (at most Tw). */
  private deferredDpr?: { dpr: DiameterMessage; timer: NodeJS.Timeout };
  /** Reading is paused until the peer takes the answers waiting for it. */
  private readPaused = false;
  private lastReceived = Date.now();
  private watchdogOutstanding = false;
  private corked = false;
  private watchdogTimer?: NodeJS.Timeout;
  /** Fails requests past their deadline: one timer for all of them, not one per request. */
  private deadlineTimer?: NodeJS.Timeout;
  private deadlineEvery = Infinity;
  private readonly opened: Promise<void>;
  private readonly closedPromise: Promise<void>;

  constructor(
    readonly socket: net.Socket,
    readonly role: 'initiator' | 'responder',
    private readonly options: PeerOptions,
  ) {
    super();
    this.state = role === 'initiator' ? 'waitCEA' : 'waitCER';
    this.framer = new DiameterFramer(options.maxMessageLength);
    this.opened = new Promise((resolve, reject) => {
      this.once('open', resolve);
      this.once('close', (reason: string) => reject(new DiameterPeerError(`connection closed before it opened: ${reason}`)));
    });
    this.opened.catch(() => undefined);
    this.closedPromise = new Promise((resolve) => this.once('close', () => resolve()));
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.close(`socket error: ${err.message}`));
    socket.on('close', () => this.close('closed by the peer'));
    this.scheduleWatchdog(options.watchdogMs);
    if (role === 'initiator') this.sendCapabilitiesExchange();
  }

  /** Resolves once capabilities are exchanged; rejects if the connection closes first. */
  whenOpen(): Promise<void> {
    return this.opened;
  }

  /** Resolves once the connection is closed. */
  whenClosed(): Promise<void> {
    return this.closedPromise;
  }

  /** Writes a message (no-op once closed). */
  send(message: DiameterMessage): void {
    if (this.state !== 'closed' && !this.socket.destroyed) this.write(message);
    // After the answer is written: a DPR waiting for it is answered behind it.
    if (this.serving.size > 0 && !message.flags.request) this.answered(message.hopByHop);
  }

  private write(message: DiameterMessage): void {
    // Messages written in the same tick leave in one writev: under pipelined load this saves a
    // system call per answer, which is most of the cost of a small message.
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    this.socket.write(encodeMessage(message));
    // A peer that sends requests and does not read their answers would have them pile up here
    // without end: stop reading its requests until it has taken them. Only once a write has asked
    // for a 'drain' (the stream's high-water mark passed), which is what resumes reading.
    if (!this.readPaused && this.socket.writableNeedDrain && this.socket.writableLength > (this.options.maxUnsentBytes ?? 4 * 1024 * 1024)) {
      this.readPaused = true;
      this.socket.pause();
      this.socket.once('drain', () => {
        this.readPaused = false;
        this.socket.resume();
      });
    }
  }

  /** Notes the answer to a request being served; the last one lets a deferred DPR be answered. */
  private answered(hopByHop: number): void {
    const count = this.serving.get(hopByHop);
    if (count === undefined) return;
    if (count > 1) this.serving.set(hopByHop, count - 1);
    else this.serving.delete(hopByHop);
    if (this.serving.size === 0 && this.deferredDpr) this.answerDpr(this.deferredDpr.dpr);
  }

  /** DPA, then the connection ends once it is flushed (the sender of DPR closes the transport). */
  private answerDpr(dpr: DiameterMessage): void {
    clearTimeout(this.deferredDpr?.timer);
    this.deferredDpr = undefined;
    this.send(answerTo(dpr, [avp('Result-Code', DIAMETER_RESULT.SUCCESS), ...this.originAvps()]));
    this.close('disconnected by the peer (DPR)', { flush: true });
  }

  /**
   * Sends a request and resolves with its answer; hop-by-hop and end-to-end ids are filled in when
   * 0. With a timeout, a request unanswered by then fails with its error (within a tenth of the
   * time more) and a late answer is ignored.
   */
  request(message: DiameterMessage, timeout?: RequestTimeout): Promise<DiameterMessage> {
    if (this.state === 'closed') return Promise.reject(new DiameterPeerError(`connection closed: ${this.closeReason}`));
    const hopByHop = message.hopByHop || this.ids.nextHopByHop();
    const endToEnd = message.endToEnd || this.ids.nextEndToEnd();
    if (timeout) this.watchDeadlines(timeout.ms);
    return new Promise((resolve, reject) => {
      this.pending.set(hopByHop, { resolve, reject, ...(timeout ? { timeout: { deadline: Date.now() + timeout.ms, error: timeout.error } } : {}) });
      this.send({ ...message, hopByHop, endToEnd });
    });
  }

  /** Starts the deadline check, every tenth of the shortest timeout asked for, while requests wait. */
  private watchDeadlines(timeoutMs: number): void {
    const every = Math.max(5, Math.ceil(timeoutMs / 10));
    if (this.deadlineTimer && every >= this.deadlineEvery) return;
    clearInterval(this.deadlineTimer);
    this.deadlineEvery = every;
    this.deadlineTimer = setInterval(() => {
      const now = Date.now();
      for (const [hopByHop, p] of this.pending) {
        if (!p.timeout || p.timeout.deadline > now) continue;
        this.pending.delete(hopByHop);
        p.reject(p.timeout.error());
      }
      if (this.pending.size === 0) this.stopDeadlines();
    }, every);
    this.deadlineTimer.unref();
  }

  private stopDeadlines(): void {
    clearInterval(this.deadlineTimer);
    this.deadlineTimer = undefined;
    this.deadlineEvery = Infinity;
  }

  /** Requests in flight (sent, not yet answered). */
  get inFlight(): number {
    return this.pending.size;
  }

  /** Clean disconnect: DPR, wait for DPA (at most `timeoutMs`, Tw by default), close. */
  async disconnect(cause: number = DISCONNECT_CAUSE.REBOOTING, timeoutMs = this.options.watchdogMs): Promise<void> {
    if (this.state !== 'open') {
      this.close('disconnected before open');
      return;
    }
    this.state = 'closing';
    const dpr = this.baseRequest(COMMAND.DISCONNECT_PEER, [avp('Disconnect-Cause', cause)]);
    const timer = setTimeout(() => this.close('no DPA'), timeoutMs);
    try {
      await this.request(dpr);
    } catch {
      // closed already: nothing more to do
    } finally {
      clearTimeout(timer);
      this.close('disconnected (DPR/DPA)');
    }
  }

  /** Closes the transport (at once, or after what was written is flushed) and fails the requests in flight. */
  close(reason: string, options: { flush?: boolean } = {}): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.closeReason = reason;
    clearTimeout(this.watchdogTimer);
    clearTimeout(this.deferredDpr?.timer);
    this.stopDeadlines();
    if (options.flush) {
      this.socket.end();
      // A peer that never closes its side would hold the connection (and its descriptor) for ever.
      setTimeout(() => this.socket.destroy(), this.options.watchdogMs).unref();
    } else this.socket.destroy();
    const err = new DiameterPeerError(`connection closed: ${reason}`);
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    this.emit('close', reason);
  }

  /** A request of the base protocol with our Origin-Host and Origin-Realm first. */
  baseRequest(commandCode: number, avps: Avp[]): DiameterMessage {
    const { originHost, originRealm } = this.options.identity;
    return {
      flags: { request: true, proxiable: false, error: false, retransmit: false },
      commandCode,
      applicationId: APPLICATION.COMMON,
      hopByHop: 0,
      endToEnd: 0,
      avps: [avp('Origin-Host', originHost), avp('Origin-Realm', originRealm), ...avps],
    };
  }

  private onData(chunk: Buffer): void {
    let messages: Buffer[];
    try {
      messages = this.framer.push(chunk);
    } catch (err) {
      // No way to find the next message boundary: RFC 6733 leaves closing as the only option.
      this.options.logger?.warn({ err: (err as Error).message }, 'diameter: unreadable stream, closing');
      this.close(`framing error: ${(err as Error).message}`);
      return;
    }
    // A whole message is a sign of life; bytes that never make one are not (nor, before the
    // capabilities exchange, anything but a CER: see dispatch).
    if (messages.length === 0) return;
    this.lastReceived = Date.now();
    this.watchdogOutstanding = false;
    for (const raw of messages) {
      if (this.state === 'closed') return;
      try {
        this.dispatch(raw);
      } catch (err) {
        this.options.logger?.error({ err }, 'diameter: message handling failed, closing');
        this.close(`handling failed: ${(err as Error).message}`);
      }
    }
  }

  private dispatch(raw: Buffer): void {
    let incoming: IncomingMessage;
    try {
      const { flags, commandCode, applicationId, hopByHop, endToEnd } = decodeHeader(raw).message;
      // Built field by field (not spread): every message then has the same shape, which keeps the
      // property reads of its handlers monomorphic.
      try {
        incoming = { message: { flags, commandCode, applicationId, hopByHop, endToEnd, avps: decodeAvps(raw, HEADER_LENGTH) } };
      } catch (err) {
        if (!(err instanceof AvpError)) throw err;
        // What was read before the bad AVP lets the answer carry the request's Session-Id and the like.
        incoming = { message: { flags, commandCode, applicationId, hopByHop, endToEnd, avps: err.readBefore ?? [] }, avpError: err };
      }
    } catch (err) {
      if (!(err instanceof DiameterFramingError)) throw err;
      this.close(`framing error: ${err.message}`);
      return;
    }
    const { message } = incoming;
    if (this.state === 'waitCER' && !message.flags.request) {
      this.close(`answer ${message.commandCode} before CER`);
      return;
    }
    if (!message.flags.request) {
      this.onAnswer(message);
      return;
    }
    if (this.state === 'waitCER') {
      if (message.commandCode === COMMAND.CAPABILITIES_EXCHANGE) this.onCapabilitiesRequest(incoming);
      // RFC 6733 §5.6: on a new connection only CER is a valid event; anything else drops it.
      else this.close(`command ${message.commandCode} before CER`);
      return;
    }
    if (this.state === 'waitCEA') {
      this.close(`request ${message.commandCode} before CEA`);
      return;
    }
    if (message.flags.error) {
      // The E bit belongs to answers only (RFC 6733 §3).
      this.send(errorAnswer(message, this.options.identity, DIAMETER_RESULT.INVALID_HDR_BITS));
      return;
    }
    switch (message.commandCode) {
      case COMMAND.DEVICE_WATCHDOG:
        this.watchdogs.requestsReceived++;
        this.send(answerTo(message, [avp('Result-Code', DIAMETER_RESULT.SUCCESS), ...this.originAvps(), avp('Origin-State-Id', this.options.identity.originStateId)]));
        return;
      case COMMAND.DISCONNECT_PEER:
        if (this.serving.size === 0) this.answerDpr(message);
        else if (!this.deferredDpr) {
          // The answers to the requests being served go out first: a DPA before them would end the
          // connection and lose them. A DPR sent again meanwhile is the same request: one DPA answers it.
          const timer = setTimeout(() => this.answerDpr(message), this.options.watchdogMs);
          timer.unref();
          this.deferredDpr = { dpr: message, timer };
        }
        return;
      case COMMAND.CAPABILITIES_EXCHANGE:
        // RFC 6733 §5.6, I-Open/R-Open on Rcv-CER: Snd-CEA, and the connection stays open as it was.
        this.send(answerTo(message, [avp('Result-Code', DIAMETER_RESULT.SUCCESS), ...this.capabilityAvps()]));
        return;
    }
    if (this.state !== 'open' || this.deferredDpr) {
      // Disconnecting (our DPR, or the peer's waiting for its DPA): a transient refusal sends the
      // request to another peer rather than leaving it unanswered.
      this.send(errorAnswer(message, this.options.identity, DIAMETER_RESULT.TOO_BUSY));
      return;
    }
    if (!this.options.onRequest) {
      this.send(errorAnswer(message, this.options.identity, DIAMETER_RESULT.COMMAND_UNSUPPORTED));
      return;
    }
    this.serving.set(message.hopByHop, (this.serving.get(message.hopByHop) ?? 0) + 1);
    this.options.onRequest(incoming, this);
  }

  private onAnswer(message: DiameterMessage): void {
    if (message.commandCode === COMMAND.DEVICE_WATCHDOG) this.watchdogs.answersReceived++;
    const pending = this.pending.get(message.hopByHop);
    if (pending) {
      this.pending.delete(message.hopByHop);
      pending.resolve(message);
      return;
    }
    if (this.state === 'waitCEA' && message.commandCode === COMMAND.CAPABILITIES_EXCHANGE) {
      this.onCapabilitiesAnswer(message);
      return;
    }
    // DWA to our own watchdog, or a late answer: liveness is already noted, nothing else to do.
  }

  private originAvps(): Avp[] {
    return [avp('Origin-Host', this.options.identity.originHost), avp('Origin-Realm', this.options.identity.originRealm)];
  }

  private capabilityAvps(): Avp[] {
    const id = this.options.identity;
    return [
      ...this.originAvps(),
      ...id.hostIpAddresses.map((ip) => avp('Host-IP-Address', ip)),
      avp('Vendor-Id', id.vendorId),
      avp('Product-Name', id.productName),
      avp('Origin-State-Id', id.originStateId),
      ...id.authApplicationIds.map((app) => avp('Auth-Application-Id', app)),
      ...(id.firmwareRevision !== undefined ? [avp('Firmware-Revision', id.firmwareRevision)] : []),
    ];
  }

  private sendCapabilitiesExchange(): void {
    const cer = this.baseRequest(COMMAND.CAPABILITIES_EXCHANGE, this.capabilityAvps().slice(2));
    this.send({ ...cer, hopByHop: this.ids.nextHopByHop(), endToEnd: this.ids.nextEndToEnd() });
  }

  private onCapabilitiesRequest(incoming: IncomingMessage): void {
    const { message } = incoming;
    const refuse = (resultCode: number, failedAvp?: Avp) => {
      this.send(answerTo(message, [avp('Result-Code', resultCode), ...this.capabilityAvps(), ...(failedAvp ? [avp('Failed-AVP', [failedAvp])] : [])], { error: resultCode >= 3000 && resultCode < 4000 }));
      this.close(`capabilities refused (${resultCode})`, { flush: true });
    };
    try {
      if (incoming.avpError) throw incoming.avpError;
      checkAvps(message.avps);
      for (const name of ['Origin-Host', 'Origin-Realm', 'Host-IP-Address', 'Vendor-Id', 'Product-Name']) {
        if (!findAvps(message.avps, name).length) throw new AvpError(DIAMETER_RESULT.MISSING_AVP, exampleAvp(name), `CER without ${name}`);
      }
    } catch (err) {
      if (!(err instanceof AvpError)) throw err;
      refuse(err.resultCode, err.failedAvp);
      return;
    }
    const remote = this.remoteIdentity(message.avps);
    const ours = this.options.identity.authApplicationIds;
    const common = remote.applicationIds.some((app) => app === APPLICATION.RELAY || ours.includes(app));
    if (!common) {
      refuse(DIAMETER_RESULT.NO_COMMON_APPLICATION);
      return;
    }
    this.remote = remote;
    this.send(answerTo(message, [avp('Result-Code', DIAMETER_RESULT.SUCCESS), ...this.capabilityAvps()]));
    this.state = 'open';
    this.emit('open');
  }

  private onCapabilitiesAnswer(message: DiameterMessage): void {
    const resultCode = valueOf<number>(message.avps, 'Result-Code');
    if (resultCode !== DIAMETER_RESULT.SUCCESS) {
      this.close(`capabilities refused by the peer (${resultCode})`);
      return;
    }
    this.remote = this.remoteIdentity(message.avps);
    this.state = 'open';
    this.emit('open');
  }

  private remoteIdentity(avps: Avp[]): RemoteIdentity {
    const vendorSpecific = findAvps(avps, 'Vendor-Specific-Application-Id').flatMap((a) => membersOf(a));
    const apps = [...avps, ...vendorSpecific].filter((a) => (a.code === 258 || a.code === 259) && a.vendorId === undefined && a.data.length === 4).map((a) => a.data.readUInt32BE(0));
    return {
      originHost: valueOf<string>(avps, 'Origin-Host') ?? '',
      originRealm: valueOf<string>(avps, 'Origin-Realm') ?? '',
      ...(findAvps(avps, 'Product-Name').length ? { productName: valueOf<string>(avps, 'Product-Name') } : {}),
      applicationIds: apps,
    };
  }

  private scheduleWatchdog(delayMs: number): void {
    this.watchdogTimer = setTimeout(() => this.onWatchdogTimer(), Math.max(1, delayMs));
    this.watchdogTimer.unref();
  }

  private onWatchdogTimer(): void {
    if (this.state === 'closed') return;
    const idle = Date.now() - this.lastReceived;
    const tw = this.options.watchdogMs;
    if (idle < tw) {
      this.scheduleWatchdog(tw - idle);
      return;
    }
    if (this.watchdogOutstanding || this.state !== 'open') {
      this.close(this.state === 'open' ? 'watchdog: no answer to DWR' : `no capabilities exchange within ${tw} ms`);
      return;
    }
    this.watchdogOutstanding = true;
    const dwr = this.baseRequest(COMMAND.DEVICE_WATCHDOG, [avp('Origin-State-Id', this.options.identity.originStateId)]);
    this.send({ ...dwr, hopByHop: this.ids.nextHopByHop(), endToEnd: this.ids.nextEndToEnd() });
    // Measure the next Tw from the DWR: silence until then closes the connection.
    this.lastReceived = Date.now();
    this.scheduleWatchdog(tw);
  }
}
