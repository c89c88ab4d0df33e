/**
 * A client of the network simulator (or of any element speaking network/mml.ts): one TCP
 * connection, opened on first use, many commands in flight on it, each reply matched to its
 * command by CTAG. A dropped connection fails the commands in flight (they may or may not have
 * taken effect: commands are idempotent, so the caller may send them again) and the next send
 * connects again.
 */
import net from 'node:net';
import { formatCommand, MmlFramer, parseReply, RETRYABLE_RETCODES, type MmlCommand, type MmlReply } from './mml';

/** A command sent and its reply. */
export interface NetworkExchange {
  ctag: number;
  /** The text sent (with its CTAG, without the line break). */
  commandText: string;
  replyText: string;
  reply: MmlReply;
}

/** Base of the client's errors; `commandText` is what was (or would have been) sent. */
export class NetworkError extends Error {
  constructor(
    message: string,
    readonly commandText: string,
  ) {
    super(message);
  }
}

/** No reply within the time allowed; the command may or may not have taken effect. */
export class NetworkTimeoutError extends NetworkError {
  override name = 'NetworkTimeoutError';
  constructor(
    commandText: string,
    readonly timeoutMs: number,
  ) {
    super(`no reply within ${timeoutMs} ms to ${commandText}`, commandText);
  }
}

/** The connection could not be made or was lost before the reply came. */
export class NetworkConnectionError extends NetworkError {
  override name = 'NetworkConnectionError';
}

/** The element answered with a non-zero RETCODE. */
export class NetworkCommandError extends NetworkError {
  override name = 'NetworkCommandError';
  readonly retcode: number;
  /** Another attempt of the same command may succeed (element failure), as opposed to a refusal. */
  readonly retryable: boolean;
  constructor(readonly exchange: NetworkExchange) {
    super(`${exchange.commandText} answered ${exchange.replyText}`, exchange.commandText);
    this.retcode = exchange.reply.retcode;
    this.retryable = RETRYABLE_RETCODES.has(this.retcode);
  }
}

export interface NetworkClientOptions {
  host: string;
  port: number;
  /** How long a connection attempt may take (default 5 s). */
  connectTimeoutMs?: number;
  /** Default time to wait for a reply (default 10 s). */
  timeoutMs?: number;
}

/** What the provisioning activities need of a client (tests may pass a fake). */
export interface NetworkSender {
  send(command: MmlCommand, opts?: { timeoutMs?: number }): Promise<NetworkExchange>;
}

interface Pending {
  commandText: string;
  resolve(exchange: NetworkExchange): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

const MAX_CTAG = 999_999_999;

/** Parses `tcp://host:port`. */
export function parseNetworkUrl(url: string): { host: string; port: number } {
  const u = new URL(url);
  if (u.protocol !== 'tcp:' || !u.hostname || !u.port) throw new Error(`network URL must be tcp://host:port, not ${url}`);
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port) };
}

export class NetworkClient implements NetworkSender {
  private socket?: net.Socket;
  private connecting?: Promise<net.Socket>;
  private readonly pending = new Map<number, Pending>();
  private lastCtag = 0;
  private closed = false;

  constructor(private readonly opts: NetworkClientOptions) {}

  /** A client of `tcp://host:port`. */
  static fromUrl(url: string, opts: Omit<NetworkClientOptions, 'host' | 'port'> = {}): NetworkClient {
    return new NetworkClient({ ...parseNetworkUrl(url), ...opts });
  }

  /**
   * Sends a command and resolves with the reply when its RETCODE is 0. Rejects with
   * NetworkCommandError (non-zero RETCODE), NetworkTimeoutError or NetworkConnectionError.
   */
  async send(command: MmlCommand, opts: { timeoutMs?: number } = {}): Promise<NetworkExchange> {
    const timeoutMs = opts.timeoutMs ?? this.opts.timeoutMs ?? 10_000;
    const ctag = this.nextCtag();
    const commandText = formatCommand(command, ctag);
    if (this.closed) throw new NetworkConnectionError(`client closed; not sent: ${commandText}`, commandText);
    const deadline = Date.now() + timeoutMs;
    let socket: net.Socket;
    try {
      socket = await this.connect(timeoutMs);
    } catch (err) {
      throw new NetworkConnectionError(`${(err as Error).message}; not sent: ${commandText}`, commandText);
    }
    return new Promise<NetworkExchange>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(ctag);
        this.unrefIfIdle();
        reject(new NetworkTimeoutError(commandText, timeoutMs));
      }, Math.max(0, deadline - Date.now()));
      this.pending.set(ctag, { commandText, resolve, reject, timer });
      socket.ref();
      socket.write(`${commandText}\n`);
    });
  }

  /** Closes the connection; commands in flight fail with NetworkConnectionError. */
  async close(): Promise<void> {
    this.closed = true;
    const socket = this.socket;
    this.failAll('client closed');
    if (socket && !socket.destroyed) {
      await new Promise<void>((resolve) => {
        socket.once('close', () => resolve());
        socket.destroy();
      });
    }
  }

  private nextCtag(): number {
    this.lastCtag = this.lastCtag >= MAX_CTAG ? 1 : this.lastCtag + 1;
    return this.lastCtag;
  }

  private connect(timeoutMs: number): Promise<net.Socket> {
    if (this.socket && !this.socket.destroyed) return Promise.resolve(this.socket);
    if (this.connecting) return this.connecting;
    const connectTimeout = Math.min(timeoutMs, this.opts.connectTimeoutMs ?? 5000);
    this.connecting = new Promise<net.Socket>((resolve, reject) => {
      const socket = net.connect({ host: this.opts.host, port: this.opts.port });
      socket.setEncoding('utf8');
      socket.setNoDelay(true);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`no connection to ${this.opts.host}:${this.opts.port} within ${connectTimeout} ms`));
      }, connectTimeout);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('error', onConnectError);
        this.attach(socket);
        resolve(socket);
      });
      const onConnectError = (err: Error) => {
        clearTimeout(timer);
        reject(new Error(`cannot connect to ${this.opts.host}:${this.opts.port}: ${err.message}`));
      };
      socket.once('error', onConnectError);
    }).finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private attach(socket: net.Socket): void {
    this.socket = socket;
    const framer = new MmlFramer();
    socket.on('data', (chunk: string) => {
      let statements: string[];
      try {
        statements = framer.push(chunk);
      } catch {
        socket.destroy(new Error('reply stream out of step (statement too long)'));
        return;
      }
      for (const text of statements) this.onReply(text);
    });
    socket.on('error', () => undefined); // 'close' follows and fails what is in flight
    socket.on('close', () => {
      if (this.socket === socket) this.socket = undefined;
      this.failAll(`connection to ${this.opts.host}:${this.opts.port} lost before the reply`);
    });
    this.unrefIfIdle();
  }

  private onReply(text: string): void {
    let reply: MmlReply;
    try {
      reply = parseReply(text);
    } catch {
      return; // not a reply we can read; the command it answers will time out
    }
    const pending = reply.ctag === undefined ? undefined : this.pending.get(reply.ctag);
    if (!pending) return; // a late reply to a command that already timed out
    this.pending.delete(reply.ctag!);
    clearTimeout(pending.timer);
    this.unrefIfIdle();
    const exchange: NetworkExchange = { ctag: reply.ctag!, commandText: pending.commandText, replyText: text, reply };
    if (reply.retcode === 0) pending.resolve(exchange);
    else pending.reject(new NetworkCommandError(exchange));
  }

  private failAll(reason: string): void {
    for (const [ctag, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(ctag);
      p.reject(new NetworkConnectionError(`${reason}: ${p.commandText}`, p.commandText));
    }
  }

  /** An idle connection does not keep the process alive. */
  private unrefIfIdle(): void {
    if (this.pending.size === 0) this.socket?.unref();
  }
}
