/**
 * `npm run ocs`: the online charging system. One charging engine on PostgreSQL, its expiry
 * sweeper, and the protocol front ends over it: Nchf (HTTP/2, OCS_NCHF_PORT) and Diameter Gy
 * (OCS_GY_PORT), which re-authorise sessions waiting for credit when their account gains some,
 * and every session of a subscriber or account that is barred;
 * Prometheus metrics on OCS_METRICS_PORT. Configuration in ocs/config.ts.
 */
import pg from 'pg';
import pino from 'pino';
import { systemClock, type Clock } from '../domain/clock';
import { loadOcsConfig } from './config';
import { createChargingEngine, startSweeper } from './engine';
import { startGyServer } from './diameter/server';
import { ocsHealth } from './health';
import { createOcsMetrics, startMetricsServer } from './metrics';
import { startNchfServer } from './nchf';
import { reauthorizeAll, reauthorizeOnChange, stillOpen, type AccountWatcher, type Reauthorizing } from './reauth/account-watcher';
import { OtherInstancesWaiting } from './reauth/other-instances';

export interface RunningOcs {
  nchfPort: number;
  gyPort: number;
  metricsPort: number;
  /** Resolves once every account change committed before the call has been handled (re-authorisations sent). */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts the OCS as configured by the environment; resolves once every listener is up. */
export async function startOcs(env: NodeJS.ProcessEnv = process.env, clock: Clock = systemClock): Promise<RunningOcs> {
  const config = loadOcsConfig(env);
  const logger = pino({ level: config.logLevel, base: { service: 'ocs' } });
  // The engine's statements are prepared once per connection; generic plans spare planning each
  // request. Idle connections are kept (idleTimeoutMillis 0): a new one costs a SCRAM handshake and
  // new prepared statements (5–9 ms here), which the first answers after a quiet spell would wait for.
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: config.poolSize, idleTimeoutMillis: 0, options: '-c plan_cache_mode=force_generic_plan' });
  pool.on('error', (err) => logger.error({ err }, 'idle database connection failed'));
  const metrics = createOcsMetrics();
  // The front ends that re-authorise sessions (set once they are up): the engine tells them of credit
  // its own writes free (a shared account's other line hangs up), the sweeper of sessions it closes.
  let frontEnds: Reauthorizing[] = [];
  // Other OCS instances on the database learn of credit this one's writes free on accounts their
  // sessions wait on, and it of theirs, over its LISTEN connection (set once it is up).
  let accounts: AccountWatcher | undefined;
  const others = new OtherInstancesWaiting({ ttlMs: config.engine.validityTime * 1000, now: () => clock.now().getTime(), notify: (channel, ids) => accounts?.notify(channel, ids) });
  // Of the sessions a credit concerns, those another instance ended or swept meanwhile are forgotten, not asked.
  const reauthorizeWaiting = (ids: string[]) =>
    void stillOpen(pool, ids, (id) => sessionClosed(id))
      .then((open) => reauthorizeAll(frontEnds, open, 'credit'))
      .catch((err) => logger.error({ err }, 'reading the sessions waiting for credit failed'));
  const online = createChargingEngine({ pool, clock, config: config.engine, observer: metrics.observer, onCreditFreed: reauthorizeWaiting, others });
  const engine = metrics.meter(online);
  const sessionClosed = (sessionId: string) => {
    online.sessionClosed(sessionId);
    for (const f of frontEnds) f.sessionClosed(sessionId);
  };
  const stops: Array<() => Promise<void>> = [() => pool.end()];
  let stopping = false;
  try {
    // Its health says `stopping` from the first step of a stop, while it drains (health.ts).
    const metricsServer = await startMetricsServer(metrics.registry, config.metrics.port, config.metrics.host, () => ocsHealth(pool, () => stopping));
    stops.push(metricsServer.stop);
    const sweeper = startSweeper({ pool, clock, intervalMs: config.sweepIntervalMs, retentionMs: config.sessionRetention * 1000, onClosed: sessionClosed, onError: (err) => logger.error({ err }, 'reservation sweep failed') });
    stops.push(sweeper.stop);
    const nchf = await startNchfServer({ engine, port: config.nchf.port, host: config.nchf.host, publicBase: config.nchf.publicUrl, logger, onError: (err) => logger.error({ err }, 'Nchf request failed') });
    stops.push(nchf.stop);
    logger.info({ port: nchf.port }, 'Nchf_ConvergedCharging listening (HTTP/2 cleartext)');

    const gy = await startGyServer({ engine, clock, logger, port: config.gy.port, host: config.gy.host, originHost: config.gy.originHost, originRealm: config.gy.originRealm, failureHandling: config.gy.failureHandling });
    stops.push(() => gy.close());
    logger.info({ port: gy.port }, 'Diameter Gy listening');

    // A credit to an account re-authorises its sessions that wait for credit (final units, 4012),
    // whether another writer made it (NOTIFY) or the engine freed it; a barred subscriber's or
    // account's sessions are all asked, and granted nothing more.
    frontEnds = [metrics.meterReauthorizing('gy', gy), metrics.meterReauthorizing('nchf', nchf)];
    const watcher = reauthorizeOnChange(frontEnds, { connectionString: config.databaseUrl, pool, waitingOn: (ids) => online.sessionsWaitingOn(ids), onClosed: sessionClosed, others, logger });
    accounts = watcher;
    stops.push(watcher.stop);
    await watcher.ready;

    return {
      nchfPort: nchf.port,
      gyPort: gy.port,
      metricsPort: metricsServer.port,
      settled: () => watcher.settled(),
      async stop() {
        stopping = true;
        for (const stop of stops.reverse()) await stop().catch((err) => logger.error({ err }, 'while stopping'));
      },
    };
  } catch (err) {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    throw err;
  }
}

if (require.main === module) {
  startOcs()
    .then((ocs) => {
      const shutdown = () => void ocs.stop().then(() => process.exit(0));
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
      process.send?.({ ready: true, nchfPort: ocs.nchfPort, gyPort: ocs.gyPort, metricsPort: ocs.metricsPort });
    })
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
}
