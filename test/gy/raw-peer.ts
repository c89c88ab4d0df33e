/**
 * A raw Diameter connection for tests: writes any bytes or messages, reads whole messages in
 * arrival order, and tells when the other end closed. No state machine, so a test can break
 * every rule on purpose.
 */
import net from 'node:net';
import { avp, decodeMessage, encodeMessage, type Avp, type DiameterMessage } from '../../network/diameter/codec';
import { DiameterFramer } from '../../network/diameter/framer';
import { plainAvps } from './plain-avps';

/** See the file comment. */
export class RawPeer {
  private readonly received: DiameterMessage[] = [];
  private waiters: Array<(m: DiameterMessage) => void> = [];
  closed = false;
  private readonly closedPromise: Promise<void>;
  private nextId = 1;

  private constructor(readonly socket: net.Socket) {
    const framer = new DiameterFramer();
    socket.on('data', (chunk: Buffer) => {
      for (const raw of framer.push(chunk)) {
        const m = decodeMessage(raw);
        m.avps = plainAvps(m.avps);
        const waiter = this.waiters.shift();
        if (waiter) waiter(m);
        else this.received.push(m);
      }
    });
    socket.on('error', () => undefined);
    this.closedPromise = new Promise((resolve) => socket.on('close', () => {
      this.closed = true;
      resolve();
    }));
  }

  static open(port: number): Promise<RawPeer> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => resolve(new RawPeer(socket)));
      socket.once('error', reject);
    });
  }

  /** A request with fresh ids. */
  request(commandCode: number, applicationId: number, avps: Avp[], flags: Partial<DiameterMessage['flags']> = {}): DiameterMessage {
    const id = this.nextId++;
    return { flags: { request: true, proxiable: commandCode === 272, error: false, retransmit: false, ...flags }, commandCode, applicationId, hopByHop: id, endToEnd: 0x1000 + id, avps };
  }

  send(message: DiameterMessage): void {
    this.socket.write(encodeMessage(message));
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  next(): Promise<DiameterMessage> {
    const queued = this.received.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  async ask(message: DiameterMessage): Promise<DiameterMessage> {
    this.send(message);
    return this.next();
  }

  /** Sends a CER offering credit control (or the applications given) and returns the CEA. */
  async exchangeCapabilities(applicationIds: number[] = [4]): Promise<DiameterMessage> {
    return this.ask(this.request(257, 0, cerAvps(applicationIds)));
  }

  whenClosed(): Promise<void> {
    return this.closedPromise;
  }

  end(): void {
    this.socket.destroy();
  }
}

/** The AVPs of a CER from host raw.test. */
export function cerAvps(applicationIds: number[]): Avp[] {
  return [
    avp('Origin-Host', 'raw.test'),
    avp('Origin-Realm', 'test'),
    avp('Host-IP-Address', '127.0.0.1'),
    avp('Vendor-Id', 0),
    avp('Product-Name', 'raw'),
    ...applicationIds.map((id) => avp('Auth-Application-Id', id)),
  ];
}
