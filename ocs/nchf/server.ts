/**
 * Nchf_ConvergedCharging (3GPP TS 32.291) over HTTP/2 cleartext (h2c with prior knowledge, as
 * between network functions inside an operator's network; TLS belongs to the service mesh or a
 * terminating proxy in front). Create answers 201 with Location (200 for a one-time event),
 * update 200, release 204; errors are RFC 7807 ProblemDetails. A session that gave a `notifyUri`
 * is notified when it waits for credit and its account gains some (REAUTHORIZATION), or when its
 * subscriber or account is barred (ABORT_CHARGING) (notify.ts).
 */
import http2 from 'node:http2';
import type { Logger } from 'pino';
import type { ChargingEngine, ChargingRequest } from '../engine/types';
import { EngineOverloaded, RESULT, sessionIdTooLong } from '../engine/types';
import { createRefOf } from './create-ref';
import { toChargingDataResponse, toChargingRequest } from './mapping';
import { problem, type Problem } from './problem';
import { NchfReauthorizer } from './notify';
import type { ReauthOutcome, ReauthReason } from '../reauth/open-sessions';
import { chargingDataRequestSchema } from './schemas';

/** The API root; resources are below it. */
export const NCHF_BASE = '/nchf-convergedcharging/v3';
// TS 32.291 writes the collection `chargingdata` in its URIs and `chargingData` in its text: both are taken.
const ROUTE = /^\/nchf-convergedcharging\/v3\/charging(?:data|Data)(?:\/([^/]+)\/(update|release))?$/;
const MAX_BODY = 256 * 1024;
/** How long a request's body may take to arrive: a stream that never ends is cut then, and its buffer freed. */
const BODY_TIMEOUT_MS = 10_000;
/** The deepest JSON a request may nest (the ChargingDataRequest's own is a few levels). */
const MAX_JSON_DEPTH = 64;

/** Whether JSON nests deeper than `max` (walked without recursion, so that no depth can exhaust the stack). */
function nestsDeeperThan(json: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[json, 0]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (depth >= max) return true;
    for (const v of Array.isArray(value) ? value : Object.values(value)) if (v !== null && typeof v === 'object') stack.push([v, depth + 1]);
  }
  return false;
}

/** The ChargingDataRequest's mandatory IEs (TS 32.291 §6.1.6.2.1), and on a Create its subscriber's. */
const MANDATORY_IES = new Set(['nfConsumerIdentification', 'invocationTimeStamp', 'invocationSequenceNumber']);
const MANDATORY_ON_CREATE = new Set([...MANDATORY_IES, 'subscriberIdentifier']);

/**
 * The TS 29.500 cause of a request the schema refused: a mandatory IE absent, else one present but
 * wrong, else only optional IEs wrong (a wrong member of an optional IE makes that IE incorrect).
 */
function schemaErrorCause(json: unknown, issues: ReadonlyArray<{ path: PropertyKey[] }>, mandatoryIes: Set<string>): string {
  const body = json !== null && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>) : undefined;
  if (!body) return 'MANDATORY_IE_MISSING'; // not an object: every mandatory IE is missing
  const mandatory = issues.map((i) => String(i.path[0])).filter((ie) => mandatoryIes.has(ie));
  if (mandatory.some((ie) => body[ie] === undefined)) return 'MANDATORY_IE_MISSING';
  return mandatory.length > 0 ? 'MANDATORY_IE_INCORRECT' : 'OPTIONAL_IE_INCORRECT';
}

export interface NchfServer {
  port: number;
  /** Forgets a session closed without a termination (the sweeper closing an abandoned one). */
  sessionClosed(sessionId: string): void;
  /** The open sessions it keeps for re-authorisation, and how many wait for credit. */
  sessionCounts(): { open: number; waiting: number };
  /** Whether a session waits for credit (its last answer gave final units or QUOTA_LIMIT_REACHED) and gave a notifyUri. */
  waitingForCredit(): boolean;
  /** Notifies each of these sessions that waits for credit (their account gained some: REAUTHORIZATION), or each when barred (ABORT_CHARGING). */
  reauthorize(sessionIds: Iterable<string>, reason?: ReauthReason): Promise<ReauthOutcome[]>;
  stop(): Promise<void>;
}

type Reply = { status: number; body?: unknown; headers?: Record<string, string> };

const reject = (p: Problem): Reply => ({ status: p.status, body: p, headers: { 'content-type': 'application/problem+json' } });

/** What the engine's refusal of a whole request means in HTTP. */
function refusal(resultCode: number, ref: string): Reply | undefined {
  switch (resultCode) {
    case RESULT.UNKNOWN_SESSION_ID:
      return reject(problem(404, 'Not Found', `no open charging data ${ref}`, 'CHARGING_DATA_REF_NOT_FOUND'));
    case RESULT.UNABLE_TO_COMPLY: {
      // TS 29.500 has no cause of its own for this: the mandatory IE that is wrong is named.
      const reason = 'neither the next nor the last one of this charging data';
      return reject({ ...problem(400, 'Bad Request', `invocationSequenceNumber is ${reason}`, 'MANDATORY_IE_INCORRECT'), invalidParams: [{ param: '/invocationSequenceNumber', reason }] });
    }
    case RESULT.USER_UNKNOWN:
      return reject(problem(404, 'Not Found', 'the subscriber is unknown or closed', 'USER_UNKNOWN'));
    case RESULT.END_USER_SERVICE_DENIED:
      return reject(problem(403, 'Forbidden', 'the subscriber or its account is suspended', 'END_USER_REQUEST_DENIED'));
    case RESULT.RATING_FAILED:
      // TS 32.291 table 6.1.7.3-1: CHARGING_FAILED is a 400.
      return reject(problem(400, 'Bad Request', 'the usage cannot be rated', 'CHARGING_FAILED'));
    default:
      return undefined;
  }
}

function refOf(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined; // a malformed escape (URIError)
  }
}

async function handle(engine: ChargingEngine, reauth: NchfReauthorizer, method: string, path: string, contentType: string | undefined, raw: string, location: (ref: string) => string): Promise<Reply> {
  const route = ROUTE.exec(path);
  if (!route) return reject(problem(404, 'Not Found', `no resource at ${path}`, 'RESOURCE_URI_STRUCTURE_NOT_FOUND'));
  if (method !== 'POST') return { ...reject(problem(405, 'Method Not Allowed', `${method} is not allowed here`)), headers: { 'content-type': 'application/problem+json', allow: 'POST' } };
  if (contentType !== undefined && !/^application\/json\s*(;|$)/i.test(contentType)) return reject(problem(415, 'Unsupported Media Type', 'send application/json', 'UNSUPPORTED_MEDIA_TYPE'));
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return reject(problem(400, 'Bad Request', 'the body is not JSON', 'INVALID_MSG_FORMAT'));
  }
  if (nestsDeeperThan(json, MAX_JSON_DEPTH)) return reject(problem(400, 'Bad Request', `the body nests deeper than ${MAX_JSON_DEPTH} levels`, 'INVALID_MSG_FORMAT'));
  const [, existingRef, action] = route;
  const parsed = chargingDataRequestSchema.safeParse(json);
  if (!parsed.success) {
    const invalidParams = parsed.error.issues.map((i) => ({ param: `/${i.path.join('/')}`, reason: i.message }));
    const cause = schemaErrorCause(json, parsed.error.issues, existingRef ? MANDATORY_IES : MANDATORY_ON_CREATE);
    return reject({ ...problem(400, 'Bad Request', 'the ChargingDataRequest is not valid', cause), invalidParams });
  }
  const body = parsed.data;
  if (!existingRef && body.subscriberIdentifier === undefined) {
    return reject({ ...problem(400, 'Bad Request', 'a Create names its subscriber', 'MANDATORY_IE_MISSING'), invalidParams: [{ param: '/subscriberIdentifier', reason: 'required on a Create' }] });
  }
  const event = !existingRef && body.oneTimeEvent === true;
  // A Create's ref comes from the request, so that the same Create sent again names the same session.
  const ref = existingRef ? refOf(existingRef) : createRefOf(json as Record<string, unknown>);
  // Refs are ours (UUIDs): one that is not text or longer than any session id names nothing.
  if (ref === undefined || sessionIdTooLong(ref)) return reject(problem(404, 'Not Found', `no open charging data ${existingRef}`, 'CHARGING_DATA_REF_NOT_FOUND'));
  const type: ChargingRequest['type'] = event ? 'event' : action === 'update' ? 'update' : action === 'release' ? 'termination' : 'initial';
  const request = toChargingRequest(body, ref, type);
  const answer = await engine.charge(request);
  const refused = refusal(answer.resultCode, ref);
  // A refused request changed nothing: the session stays as the re-authorisation knows it.
  if (refused) return refused;
  reauth.note(request, body.notifyUri, answer);
  const response = toChargingDataResponse(answer, new Date());
  if (type === 'termination') return { status: 204 };
  if (type === 'initial') return { status: 201, body: response, headers: { 'content-type': 'application/json', location: location(ref) } };
  return { status: 200, body: response, headers: { 'content-type': 'application/json' } };
}

/** Starts the Nchf server on `port` (0: any free port) and resolves once it listens. */
export async function startNchfServer(opts: {
  engine: ChargingEngine;
  port: number;
  host?: string;
  publicBase?: string;
  notifyTimeoutMs?: number;
  /** How long a request's body may take (10 s). */
  bodyTimeoutMs?: number;
  logger?: Logger;
  onError?: (err: unknown) => void;
}): Promise<NchfServer> {
  const reauth = new NchfReauthorizer(opts.notifyTimeoutMs, opts.logger);
  const server = http2.createServer({ settings: { maxConcurrentStreams: 1000 } });
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (s) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
  });
  /** Where the consumer reached us, for the Location of what it creates (unless a public URL is set). */
  const reachedAt = (headers: http2.IncomingHttpHeaders) =>
    `${String(headers[':scheme'] ?? 'http')}://${String(headers[':authority'] ?? headers.host ?? `127.0.0.1:${(server.address() as { port: number }).port}`)}`;
  server.on('stream', (stream, headers) => {
    const method = String(headers[':method']);
    const path = String(headers[':path']).split('?')[0];
    const contentType = headers['content-type'];
    const chunks: Buffer[] = [];
    let size = 0;
    const cut = setTimeout(() => {
      chunks.length = 0;
      stream.close(http2.constants.NGHTTP2_CANCEL);
    }, opts.bodyTimeoutMs ?? BODY_TIMEOUT_MS);
    stream.on('close', () => clearTimeout(cut));
    stream.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    stream.on('error', () => undefined);
    stream.on('end', () => {
      clearTimeout(cut);
      const respond = (r: Reply) => {
        if (stream.destroyed || stream.closed) return;
        stream.respond({ ':status': r.status, ...r.headers });
        stream.end(r.body === undefined ? undefined : JSON.stringify(r.body));
      };
      if (size > MAX_BODY) return respond(reject(problem(413, 'Payload Too Large', `bodies are limited to ${MAX_BODY} bytes`)));
      handle(opts.engine, reauth, method, path, contentType, Buffer.concat(chunks).toString('utf8'), (ref) => `${opts.publicBase ?? reachedAt(headers)}${NCHF_BASE}/chargingdata/${ref}`)
        .then(respond)
        .catch((err) => {
          if (err instanceof EngineOverloaded) {
            // TS 29.500 overload: the consumer may retry after a second, or at another OCS.
            const overloaded = reject(problem(429, 'Too Many Requests', 'the charging function is overloaded', 'NF_CONGESTION_RISK'));
            return respond({ ...overloaded, headers: { ...overloaded.headers, 'retry-after': '1' } });
          }
          opts.onError?.(err);
          respond(reject(problem(500, 'Internal Server Error', 'the charging request could not be processed', 'SYSTEM_FAILURE')));
        });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '0.0.0.0', () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  return {
    port,
    waitingForCredit: () => reauth.sessions.anyWaiting,
    sessionCounts: () => reauth.sessions.counts(),
    sessionClosed: (sessionId) => reauth.sessions.forget(sessionId),
    reauthorize: (sessionIds, reason) => reauth.reauthorize(sessionIds, reason),
    async stop() {
      reauth.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sessions) s.close();
      // Clients get a moment to read their last answers; then what is still open is cut.
      const cut = setTimeout(() => sessions.forEach((s) => s.destroy()), 2000);
      await closed;
      clearTimeout(cut);
    },
  };
}
