/**
 * Re-authorisation on Nchf (TS 32.291 Notify): when the account of a charging session that waits
 * for credit gains some, the CHF POSTs a ChargingNotifyRequest (REAUTHORIZATION, the rating groups
 * that wait) to the `notifyUri` the consumer gave; the consumer answers 204 and sends an update
 * with what it used, which the engine now grants. The notifications go over HTTP/2 (h2c with prior
 * knowledge for http URIs, TLS for https), one connection per consumer, closed when idle.
 */
import http2 from 'node:http2';
import type { Logger } from 'pino';
import { AwaitingCredit, MAX_AWAITING_CREDIT, type ReauthOutcome } from '../reauth/awaiting-credit';
import type { ChargingAnswer, ChargingRequest } from '../engine/types';

/** The ChargingNotifyRequest of a re-authorisation. */
export const reauthorizationRequest = (ratingGroups: readonly number[]) => ({ notificationType: 'REAUTHORIZATION', reauthorizationDetails: ratingGroups.map((ratingGroup) => ({ ratingGroup })) });

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
      const stream = this.session(url.origin).request({ ':method': 'POST', ':path': `${url.pathname}${url.search}`, 'content-type': 'application/json' });
      stream.setTimeout(timeoutMs, () => {
        stream.close(http2.constants.NGHTTP2_CANCEL);
        reject(new Error(`no answer within ${timeoutMs} ms`));
      });
      stream.on('response', (headers) => {
        resolve(Number(headers[':status']));
        stream.close();
      });
      stream.on('error', reject);
      stream.end(JSON.stringify(body));
    });
  }

  close(): void {
    for (const session of this.sessions.values()) session.close();
    this.sessions.clear();
  }
}

/** The Nchf sessions waiting for credit, where to notify them, and the notifications. */
export class NchfReauthorizer {
  /** The notifyUri of each open session that gave one (bounded as the waiting sessions are). */
  private readonly notifyUris = new Map<string, string>();
  private readonly awaiting = new AwaitingCredit<string>();
  private readonly poster = new Http2Poster();

  constructor(
    private readonly timeoutMs = 5000,
    private readonly logger?: Logger,
  ) {}

  /** Notes an answer to a request that gave `notifyUri` (or not: the session's earlier one counts). */
  note(request: ChargingRequest, notifyUri: string | undefined, answer: ChargingAnswer): void {
    const ref = request.sessionId;
    if (request.type === 'termination' || request.type === 'event') {
      this.notifyUris.delete(ref);
      this.awaiting.forget(ref);
      return;
    }
    if (notifyUri !== undefined && this.notifyUris.get(ref) !== notifyUri) {
      this.notifyUris.delete(ref);
      this.notifyUris.set(ref, notifyUri);
      if (this.notifyUris.size > MAX_AWAITING_CREDIT) this.notifyUris.delete(this.notifyUris.keys().next().value!);
    }
    const uri = notifyUri ?? this.notifyUris.get(ref);
    if (uri !== undefined) this.awaiting.note(request, answer, uri);
  }

  /** Whether any session waits. */
  get waiting(): boolean {
    return this.awaiting.size > 0;
  }

  /** Notifies each of `sessionIds` that waits for credit; resolves with each outcome. A session is notified once: it waits again if the answer to its update says so. */
  async reauthorize(sessionIds: Iterable<string>): Promise<ReauthOutcome[]> {
    return Promise.all(
      this.awaiting.take(sessionIds).map(async ([sessionId, { target, ratingGroups }]): Promise<ReauthOutcome> => {
        try {
          const status = await this.poster.post(target, reauthorizationRequest(ratingGroups), this.timeoutMs);
          this.logger?.info({ sessionId, status }, 'nchf: notified a session of a credit (re-authorisation)');
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
