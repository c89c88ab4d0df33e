/**
 * What the OCS tells Prometheus (`GET /metrics` on OCS_METRICS_PORT, plain HTTP/1.1): every
 * credit-control request by type and result code with the time the engine took to answer it,
 * the size of each batch and how long its read and its write took, how many requests were planned
 * on the state kept in memory and how many on a read, the batches read again after a conflict, the
 * sessions kept for re-authorisation and those waiting for credit, the re-authorisations, and the
 * process metrics. Enough to see from outside whether charging keeps up: answer
 * times against the Tcc of the network, batch sizes against the load.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { EngineOverloaded, type ChargingEngine, type EngineObserver } from './engine';
import type { OcsHealth } from './health';
import type { Reauthorizing } from './reauth/account-watcher';

export interface OcsMetrics {
  registry: Registry;
  /** The engine with each request timed and counted. */
  meter(engine: ChargingEngine): ChargingEngine;
  /** What the engine reports of its batches. */
  observer: EngineObserver;
  /** A front end with each re-authorisation after a credit counted by the client's answer. */
  meterReauthorizing(protocol: 'gy' | 'nchf', frontEnd: Reauthorizing): Reauthorizing;
}

// Finer around 10 ms, the answer time a network's Tcc budget and the p99 target are measured against.
const SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.0075, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** `make` called once per key (label values come from a fixed set: request types, result codes). */
function memo<K, V>(make: (key: K) => V): (key: K) => V {
  const made = new Map<K, V>();
  return (key) => {
    let value = made.get(key);
    if (value === undefined) made.set(key, (value = make(key)));
    return value;
  };
}

export function createOcsMetrics(): OcsMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const duration = new Histogram({
    name: 'ocs_charge_duration_seconds',
    help: 'Time from a credit-control request reaching the charging engine to its answer, by request type',
    labelNames: ['type'],
    buckets: SECONDS,
    registers: [registry],
  });
  const requests = new Counter({
    name: 'ocs_charge_requests_total',
    help: 'Credit-control requests answered, by request type (quote: a balance check or price enquiry; refund: an event given back) and result code (overloaded: refused at once, too many waiting; error: the engine failed)',
    labelNames: ['type', 'result_code'],
    registers: [registry],
  });
  const batchSize = new Histogram({
    name: 'ocs_batch_requests',
    help: 'Requests charged together in one batch (one read and one write)',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
    registers: [registry],
  });
  const statement = new Histogram({
    name: 'ocs_batch_statement_duration_seconds',
    help: 'Time of the batch read (none when the state of all its requests was cached) and of the batch write (with its commit)',
    labelNames: ['statement'],
    buckets: SECONDS,
    registers: [registry],
  });
  const state = new Counter({
    name: 'ocs_state_requests_total',
    help: 'Requests planned on the state the engine keeps in memory (memory) or on state read for them (read)',
    labelNames: ['source'],
    registers: [registry],
  });
  const conflicts = new Counter({
    name: 'ocs_batch_conflicts_total',
    help: 'Batch writes refused by their guard (a concurrent writer changed what they read): read and planned again',
    registers: [registry],
  });

  // The front ends' session counts, read at each scrape (meterReauthorizing adds them).
  const sessionCounts = new Map<string, () => { open: number; waiting: number }>();
  new Gauge({
    name: 'ocs_sessions',
    help: 'Open charging sessions a front end keeps for re-authorisation (open), and those of them waiting for credit: final units or refused for credit (waiting)',
    labelNames: ['protocol', 'state'],
    registers: [registry],
    collect() {
      for (const [protocol, counts] of sessionCounts) {
        const { open, waiting } = counts();
        this.set({ protocol, state: 'open' }, open);
        this.set({ protocol, state: 'waiting' }, waiting);
      }
    },
  });
  const reauthorizations = new Counter({
    name: 'ocs_reauthorizations_total',
    help: "Sessions asked to re-authorise (Gy RAR, Nchf REAUTHORIZATION) after their account gained credit (reason credit), or told of a bar of their subscriber or account (barred: Gy RAR, Nchf ABORT_CHARGING), by protocol, reason and the client's answer (its Result-Code or HTTP status; none: not connected or no answer)",
    labelNames: ['protocol', 'reason', 'answer'],
    registers: [registry],
  });

  // Each label set's series, looked up once: given a label object, prom-client hashes it (sorts,
  // maps and joins its keys) on every call, twice per request.
  const durationOf = memo((type: string) => duration.labels({ type }));
  const requestsOf = memo((type: string) => memo((resultCode: string | number) => requests.labels({ type, result_code: String(resultCode) })));

  /** Counts and times a call of the rarer kinds (quotes, refunds) by its answer's result code; charges are counted inline, without a closure per request. */
  const counted = async <T extends { resultCode: number }>(type: string, call: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      const answer = await call();
      requestsOf(type)(answer.resultCode).inc();
      return answer;
    } catch (err) {
      requestsOf(type)('error').inc();
      throw err;
    } finally {
      durationOf(type).observe((performance.now() - started) / 1000);
    }
  };

  return {
    registry,
    meter: (engine) => ({
      quote: (request) => counted('quote', () => engine.quote(request)),
      refund: (request) => counted('refund', () => engine.refund(request)),
      async charge(request) {
        const started = performance.now();
        try {
          const answer = await engine.charge(request);
          requestsOf(request.type)(answer.resultCode).inc();
          return answer;
        } catch (err) {
          requestsOf(request.type)(err instanceof EngineOverloaded ? 'overloaded' : 'error').inc();
          throw err;
        } finally {
          durationOf(request.type).observe((performance.now() - started) / 1000);
        }
      },
    }),
    observer: {
      batch(size, readSeconds, writeSeconds, readRequests) {
        batchSize.observe(size);
        state.inc({ source: 'read' }, readRequests);
        state.inc({ source: 'memory' }, size - readRequests);
        if (readSeconds !== null) statement.observe({ statement: 'read' }, readSeconds);
        if (writeSeconds !== null) statement.observe({ statement: 'write' }, writeSeconds);
      },
      conflict: () => conflicts.inc(),
    },
    meterReauthorizing: (protocol, frontEnd) => {
      sessionCounts.set(protocol, () => frontEnd.sessionCounts());
      return {
        sessionCounts: () => frontEnd.sessionCounts(),
        sessionClosed: (sessionId) => frontEnd.sessionClosed(sessionId),
        async reauthorize(sessionIds, reason) {
          const outcomes = await frontEnd.reauthorize(sessionIds, reason);
          for (const o of outcomes) reauthorizations.inc({ protocol, reason: reason ?? 'credit', answer: o.answer === undefined ? 'none' : String(o.answer) });
          return outcomes;
        },
      };
    },
  };
}

/** Serves `GET /metrics` and, given `health`, `GET /health` (health.ts); anything else is 404. Resolves with the port once listening. */
export async function startMetricsServer(registry: Registry, port: number, host: string, health?: () => Promise<OcsHealth>): Promise<{ port: number; stop: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/health' && health) {
      health().then(
        (h) => res.writeHead(h.status === 'up' ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(h)),
        (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${err.message}\n`),
      );
      return;
    }
    if (req.method !== 'GET' || req.url !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    registry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body),
      (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${err.message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
