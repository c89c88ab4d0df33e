/**
 * Re-authorisation on Nchf (TS 32.291 Notify): when the account of a charging session that waits
 * for credit gains some, the CHF POSTs a ChargingNotifyRequest (REAUTHORIZATION, the rating groups
 * that wait) to the `notifyUri` the consumer gave; the consumer answers 204 and sends an update
 * with what it used, which the engine now grants. When a subscriber or account is barred, every
 * open session of it is told ABORT_CHARGING: the consumer releases it (reporting what it used, which
 * is charged) and ends the service. The notifications go over HTTP/2 (h2c with prior knowledge for
 * http URIs, TLS for https), one connection per consumer, closed when idle.
 */
import http2 from 'node:http2';
import type { Logger } from 'pino';
import { OpenSessions, type ReauthOutcome, type ReauthReason } from '../reauth/open-sessions';
import type { ChargingAnswer, ChargingRequest } from '../engine/types';

/** The ChargingNotifyRequest for a reason: after a credit, REAUTHORIZATION of the rating groups that wait; after a bar, ABORT_CHARGING. */
export const notifyRequest = (reason: ReauthReason, ratingGroups: readonly number[]) =>
  reason === 'barred' ? { notificationType: 'ABORT_CHARGING' } : { notificationType: 'REAUTHORIZATION', reauthorizationDetails: ratingGroups.map((ratingGroup) => ({ ratingGroup })) };

/** A connection to a consumer is closed after this long without a notification. */
const IDLE_MS = 30_000;

/** POSTs JSON over HTTP/2, one session per origin. */
class Http2Poster {
  private readonly sessions = new Map<string, http2.ClientHttp2Session>();

  private session(origin: string): http2.ClientHttp2Session {
    const open = this.sessions.get(origin);
    if (open && !open.closed && !open.destroyed) return open;
    const session = http2.connect(origin);
    session.on('error', () => undefined); // the request in flight fails with it
    session.on('close', () => this.sessions.get(origin) === session && this.sessions.delete(origin));
    session.setTimeout(IDLE_MS, () => session.close());
    session.unref();
    this.sessions.set(origin, session);
    return session;
  }

  /** Resolves with the response status; rejects when there is none within `timeoutMs`. */
  post(uri: string, body: unknown, timeoutMs: number): Promise<number> {
    const url = new URL(uri);
    return new Promise((resolve, reject) => {
      const session = this.session(url.origin);
      const stream = session.request({ ':method': 'POST', ':path': `${url.pathname}${url.search}`, 'content-type': 'application/json' });
      stream.setTimeout(timeoutMs, () => {
        stream.close(http2.constants.NGHTTP2_CANCEL);
        reject(new Error(`no answer within ${timeoutMs} ms`));
        this.checkAlive(session, timeoutMs);
      });
      stream.on('response', (headers) => {
        resolve(Number(headers[':status']));
        stream.close();
      });
      stream.on('error', reject);
      stream.end(JSON.stringify(body));
    });
  }

  /**
   * After a request went unanswered: a connection that does not answer a PING either is dead (a
   * half-open path) and is dropped, so the next notification opens a new one; one that answers is
   * kept (the consumer was only slow).
   */
  private checkAlive(session: http2.ClientHttp2Session, timeoutMs: number): void {
    if (session.closed || session.destroyed) return;
    const dead = setTimeout(() => session.destroy(), timeoutMs);
    dead.unref();
    // Not sent (too many PINGs unanswered already) is no sign of life either.
    session.ping((err) => !err && clearTimeout(dead));
  }

  close(): void {
    for (const session of this.sessions.values()) session.close();
    this.sessions.clear();
  }
}

/** The open Nchf sessions that gave a notifyUri, and their notifications. */
export class NchfReauthorizer {
  /** The open sessions answered that gave a notifyUri, and those that wait for credit. */
  readonly sessions = new OpenSessions<string>();
  private readonly poster = new Http2Poster();

  constructor(
    private readonly timeoutMs = 5000,
    private readonly logger?: Logger,
  ) {}

  /** Notes an answer to a request that gave `notifyUri` (or not: the session's earlier one counts; a session that never gave one is not kept). */
  note(request: ChargingRequest, notifyUri: string | undefined, answer: ChargingAnswer): void {
    this.sessions.note(request, answer, notifyUri);
  }

  /** Notifies each of `sessionIds` to ask (those that wait, REAUTHORIZATION, for a credit; all, ABORT_CHARGING, when barred); resolves with each outcome. */
  async reauthorize(sessionIds: Iterable<string>, reason: ReauthReason = 'credit'): Promise<ReauthOutcome[]> {
    return Promise.all(
      this.sessions.select(sessionIds, reason).map(async ([sessionId, { target, waiting }]): Promise<ReauthOutcome> => {
        try {
          const status = await this.poster.post(target, notifyRequest(reason, waiting), this.timeoutMs);
          this.logger?.info({ sessionId, reason, status }, 'nchf: notified a session (re-authorise or abort)');
          return { sessionId, answer: status };
        } catch (err) {
          this.logger?.warn({ sessionId, err: (err as Error).message }, 'nchf: re-authorisation notify failed');
          return { sessionId, error: (err as Error).message };
        }
      }),
    );
  }

  close(): void {
    this.poster.close();
  }
}
