/**
 * SMS through SMPP 3.4 (npm `smpp`): one bound transceiver session, opened on first use and
 * kept; a session that closes, errs or stops answering is dropped and the next send binds a new
 * one. Long texts go out as concatenated parts (UDH) or, with `longMessages: 'payload'`, as one
 * submit_sm carrying the whole text in message_payload. The session keeps the process alive only
 * while a request is waiting for its answer.
 */
import * as smpp from 'smpp';
import { concatenationUdh, planSms } from './sms-encoding';

export interface SmsConfig {
  /** `smpp://host:port` (or `ssmpp://` for TLS). */
  smppUrl: string;
  systemId: string;
  password: string;
  /** Source address: an alphanumeric sender id (`BSS`) or a number. */
  sender: string;
  systemType?: string;
  /** Connect, bind and each request: how long to wait for the SMSC (default 10 s). */
  timeoutMs?: number;
  /** Interval of enquire_link keep-alives on an idle session (default 30 s; 0 = none). */
  enquireLinkMs?: number;
  /** Texts longer than one SMS: `split` into concatenated parts (default) or one `payload`. */
  longMessages?: 'split' | 'payload';
}

export interface SmsMessage {
  /** MSISDN in international form, with or without `+`. */
  to: string;
  text: string;
}

export interface SmsSender {
  /** Submits the text; resolves with the SMSC's message id (ids of parts joined by commas). */
  send(message: SmsMessage): Promise<{ messageId: string; parts: number }>;
  /** Unbinds and closes the session. */
  close(): Promise<void>;
}

/** An SMS that no retry can send (e.g. the number is not one). */
export class PermanentSmsError extends Error {
  readonly permanent = true;
  override name = 'PermanentSmsError';
}

// Answers that another attempt would get again: invalid source or destination address.
const PERMANENT_STATUSES = new Set([0x0a, 0x0b]);

/** An SMSC answer other than ESME_ROK. */
export class SmppStatusError extends Error {
  readonly permanent: boolean;
  constructor(
    readonly command: string,
    readonly status: number,
  ) {
    super(`${command} refused by the SMSC: command_status 0x${status.toString(16).padStart(8, '0')}${statusName(status)}`);
    this.name = 'SmppStatusError';
    this.permanent = command === 'submit_sm' && PERMANENT_STATUSES.has(status);
  }
}

function statusName(status: number): string {
  const name = Object.entries(smpp.errors ?? {}).find(([, v]) => v === status)?.[0];
  return name ? ` (${name})` : '';
}

// TON/NPI of addresses (SMPP 3.4 §5.2.5–6).
const TON_INTERNATIONAL = 0x01;
const TON_ALPHANUMERIC = 0x05;
const NPI_UNKNOWN = 0x00;
const NPI_E164 = 0x01;
const ESM_CLASS_UDHI = 0x40;

/** One connected, bound session and the requests waiting on it. */
class BoundSession {
  private readonly waiting = new Set<(err: Error) => void>();
  private keepAlive?: NodeJS.Timeout;
  closed = false;

  constructor(
    readonly session: smpp.Session,
    private readonly timeoutMs: number,
  ) {
    session.socket.unref();
    session.on('close', () => this.fail(new Error('SMPP session closed')));
    // Without a listener an 'error' event would crash the process; 'close' follows it.
    session.on('error', (err: Error) => this.fail(err));
    // Requests from the SMSC on a transceiver session.
    session.on('enquire_link', (pdu: smpp.PDU) => void session.send(pdu.response()));
    session.on('deliver_sm', (pdu: smpp.PDU) => void session.send(pdu.response()));
    session.on('unbind', (pdu: smpp.PDU) => {
      session.send(pdu.response());
      session.close();
    });
    session.on('unknown', (pdu: smpp.PDU) => void session.send(pdu.response()));
  }

  private fail(err: Error): void {
    this.closed = true;
    if (this.keepAlive) clearInterval(this.keepAlive);
    for (const reject of [...this.waiting]) reject(err);
    this.waiting.clear();
  }

  /** Sends a request PDU and resolves with its response (any command_status). */
  request(command: string, params: Record<string, unknown> = {}): Promise<smpp.PDU> {
    return new Promise<smpp.PDU>((resolve, reject) => {
      if (this.closed) return reject(new Error('SMPP session closed'));
      const done = (): void => {
        clearTimeout(timer);
        this.waiting.delete(onFail);
        if (this.waiting.size === 0 && !this.closed) this.session.socket.unref();
      };
      const onFail = (err: Error): void => {
        done();
        reject(err);
      };
      const timer = setTimeout(() => {
        onFail(new Error(`SMPP ${command}: no answer within ${this.timeoutMs} ms`));
        this.destroy(); // a session that stops answering is not trusted again
      }, this.timeoutMs);
      this.waiting.add(onFail);
      this.session.socket.ref();
      const sent = this.session.send(new smpp.PDU(command, params), (pdu) => {
        done();
        resolve(pdu);
      });
      if (!sent) {
        onFail(new Error(`SMPP ${command}: the connection is not writable`));
        this.destroy();
      }
    });
  }

  startKeepAlive(intervalMs: number): void {
    if (intervalMs <= 0) return;
    this.keepAlive = setInterval(() => {
      this.request('enquire_link').catch(() => this.destroy());
    }, intervalMs);
    this.keepAlive.unref();
  }

  destroy(): void {
    if (!this.closed) this.fail(new Error('SMPP session dropped'));
    this.session.destroy();
  }

  /** Unbinds politely, then closes (destroys if the SMSC does not answer). */
  async unbind(): Promise<void> {
    if (this.closed) return;
    try {
      await this.request('unbind');
    } catch {
      // closing anyway
    }
    await new Promise<void>((resolve) => {
      if (this.session.socket.destroyed) return resolve();
      const timer = setTimeout(() => {
        this.session.destroy();
      }, this.timeoutMs);
      this.session.close(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.fail(new Error('SMPP session closed'));
  }
}

function connectSession(url: string, timeoutMs: number): Promise<smpp.Session> {
  return new Promise<smpp.Session>((resolve, reject) => {
    const session = smpp.connect({ url });
    const timer = setTimeout(() => {
      cleanup();
      session.destroy();
      reject(new Error(`SMPP connect to ${url}: no connection within ${timeoutMs} ms`));
    }, timeoutMs);
    const onError = (err: Error) => {
      cleanup();
      session.destroy();
      reject(new Error(`SMPP connect to ${url}: ${err.message}`));
    };
    const onConnect = () => {
      cleanup();
      resolve(session);
    };
    const cleanup = () => {
      clearTimeout(timer);
      session.off('error', onError);
      session.off('connect', onConnect);
      session.off('secureConnect', onConnect);
    };
    session.on('error', onError);
    session.once(url.startsWith('ssmpp:') ? 'secureConnect' : 'connect', onConnect);
  });
}

/** The SMPP SMS sender; nothing connects until the first send. */
export function createSmppSmsSender(config: SmsConfig): SmsSender {
  const timeoutMs = config.timeoutMs ?? 10_000;
  const enquireLinkMs = config.enquireLinkMs ?? 30_000;
  let current: Promise<BoundSession> | undefined;
  let closing = false;
  let reference = Math.floor(Math.random() * 256);

  async function bind(): Promise<BoundSession> {
    const bound = new BoundSession(await connectSession(config.smppUrl, timeoutMs), timeoutMs);
    const resp = await bound.request('bind_transceiver', {
      system_id: config.systemId,
      password: config.password,
      system_type: config.systemType ?? '',
      interface_version: 0x34,
    });
    if (resp.command_status !== smpp.ESME_ROK) {
      bound.destroy();
      throw new SmppStatusError('bind_transceiver', resp.command_status);
    }
    bound.startKeepAlive(enquireLinkMs);
    return bound;
  }

  /** The bound session, binding one when there is none (or the last one died). */
  async function session(): Promise<BoundSession> {
    if (current) {
      const bound = await current.catch(() => undefined);
      if (bound && !bound.closed) return bound;
    }
    const attempt = bind();
    current = attempt;
    attempt.catch(() => {
      if (current === attempt) current = undefined;
    });
    return attempt;
  }

  const isAlphanumeric = /[^0-9+]/.test(config.sender);
  const source = {
    source_addr_ton: isAlphanumeric ? TON_ALPHANUMERIC : TON_INTERNATIONAL,
    source_addr_npi: isAlphanumeric ? NPI_UNKNOWN : NPI_E164,
    source_addr: isAlphanumeric ? config.sender : config.sender.replace(/^\+/, ''),
  };

  async function submit(bound: BoundSession, params: Record<string, unknown>): Promise<string> {
    const resp = await bound.request('submit_sm', params);
    if (resp.command_status !== smpp.ESME_ROK) {
      // The SMSC no longer sees us bound: bind again on the next try.
      if (resp.command_status === smpp.ESME_RINVBNDSTS) bound.destroy();
      throw new SmppStatusError('submit_sm', resp.command_status);
    }
    return String(resp.message_id ?? '');
  }

  return {
    async send({ to, text }) {
      if (closing) throw new Error('SMS sender is closed');
      const destination = to.replace(/[\s()-]/g, '').replace(/^\+/, '');
      if (!/^\d{3,15}$/.test(destination)) throw new PermanentSmsError(`not an MSISDN: ${to}`);
      const plan = planSms(text);
      const bound = await session();
      const base = {
        ...source,
        dest_addr_ton: TON_INTERNATIONAL,
        dest_addr_npi: NPI_E164,
        destination_addr: destination,
        registered_delivery: 0,
        data_coding: plan.dataCoding,
      };
      if (plan.parts.length === 1 || config.longMessages === 'payload') {
        const message = plan.parts.length === 1 ? { short_message: text } : { short_message: '', message_payload: text };
        return { messageId: await submit(bound, { ...base, esm_class: 0, ...message }), parts: 1 };
      }
      reference = (reference + 1) & 0xff;
      const ids: string[] = [];
      for (const [i, part] of plan.parts.entries()) {
        const udh = concatenationUdh(reference, plan.parts.length, i + 1);
        ids.push(await submit(bound, { ...base, esm_class: ESM_CLASS_UDHI, short_message: { udh, message: part } }));
      }
      return { messageId: ids.join(','), parts: ids.length };
    },

    async close() {
      closing = true;
      const bound = await current?.catch(() => undefined);
      current = undefined;
      await bound?.unbind();
    },
  };
}
