/**
 * `npm start`: the whole system on one machine with nothing installed beforehand. Starts the
 * embedded PostgreSQL and the Temporal dev server (unless DATABASE_URL / TEMPORAL_ADDRESS point
 * elsewhere), migrates and seeds, then runs the worker and the API. Ctrl-C stops everything.
 */
import fs from 'node:fs';
import path from 'node:path';
import { startApi } from '../api/main';
import { signToken } from '../api/auth';
import { createKnex } from '../db/knex';
import { refreshReportViews } from '../db/reports';
import { generatedCustomers } from '../db/seeds/history';
import { generateHistoryWithMoney } from './history-money';
import { migrateAndSeed } from '../db/setup';
import { seedVouchers } from '../db/seeds/vouchers';
import { startWorker } from '../worker/main';
import { startNetworkSimulator } from '../network/simulator';
import { startOcs } from '../ocs/main';
import { startEmbeddedPostgres } from './embedded-postgres';
import { startNotificationSinks } from './sinks';
import { dataDir } from './paths';
import { loadOrCreateSecrets } from './secrets';
import { startTemporalDevServer } from './temporal-server';

type Stop = () => Promise<void>;

function fileLogger(name: string): (msg: string) => void {
  const dir = path.join(dataDir, 'logs');
  fs.mkdirSync(dir, { recursive: true });
  const stream = fs.createWriteStream(path.join(dir, `${name}.log`), { flags: 'a' });
  return (msg) => stream.write(msg.endsWith('\n') ? msg : `${msg}\n`);
}

async function main(): Promise<void> {
  const started = Date.now();
  const stops: Stop[] = [];
  let stopping = false;
  const stopAll = async () => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping…');
    for (const stop of stops.reverse()) {
      await stop().catch((err) => console.error('while stopping:', err));
    }
    process.exit(0);
  };
  process.on('SIGINT', () => void stopAll());
  process.on('SIGTERM', () => void stopAll());

  const secrets = loadOrCreateSecrets(dataDir);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    JWT_SECRET: process.env.JWT_SECRET ?? secrets.jwtSecret,
    PII_KEY: process.env.PII_KEY ?? secrets.piiKey,
  };

  try {
    const embeddedDatabase = !env.DATABASE_URL;
    if (!env.DATABASE_URL) {
      console.log('starting embedded PostgreSQL (data in .data/postgres)…');
      const pg = await startEmbeddedPostgres({
        dataDir: path.join(dataDir, 'postgres'),
        port: Number(env.EMBEDDED_PG_PORT ?? 5433),
        password: secrets.postgresPassword,
        database: 'bss',
        log: fileLogger('postgres'),
      });
      stops.push(pg.stop);
      env.DATABASE_URL = pg.url;
    }
    let temporalUi = env.TEMPORAL_UI_URL;
    if (!env.TEMPORAL_ADDRESS) {
      console.log('starting the Temporal dev server (data in .data/temporal.db)…');
      const temporal = await startTemporalDevServer({
        port: Number(env.EMBEDDED_TEMPORAL_PORT ?? 7233),
        uiPort: Number(env.EMBEDDED_TEMPORAL_UI_PORT ?? 8233),
        dbFile: path.join(dataDir, 'temporal.db'),
        log: fileLogger('temporal'),
      });
      stops.push(temporal.stop);
      env.TEMPORAL_ADDRESS = temporal.address;
      temporalUi = temporal.uiUrl;
    }

    const knex = createKnex(env.DATABASE_URL);
    try {
      const applied = await migrateAndSeed(knex, env.PUBLIC_URL);
      // Demo vouchers with printed codes: the embedded default only, never a real database.
      if (embeddedDatabase) await seedVouchers(knex);
      console.log(applied.length ? `migrations applied: ${applied.length}` : 'database schema up to date');
    } finally {
      await knex.destroy();
    }

    if (!env.SMTP_URL && !env.SMPP_URL) {
      // Local sinks keep every e-mail and SMS the system sends: GET /api/dev/outbox shows them.
      const sinkKnex = createKnex(env.DATABASE_URL, { max: 2 });
      const sinks = await startNotificationSinks({
        knex: sinkKnex,
        smtpPort: Number(env.DEV_SMTP_PORT ?? 2525),
        smppPort: Number(env.DEV_SMPP_PORT ?? 2775),
      });
      stops.push(async () => {
        await sinks.stop();
        await sinkKnex.destroy();
      });
      // Pooled: the worker keeps its SMTP connections open between notifications instead of a new one per e-mail.
      Object.assign(env, { SMTP_URL: `smtp://127.0.0.1:${sinks.smtpPort}?pool=true`, SMPP_URL: `smpp://127.0.0.1:${sinks.smppPort}`, DEV_OUTBOX: 'true' });
    }

    let networkNote = 'external';
    if (!env.NETWORK_URL) {
      // The network simulator stands in for the HLR, PCRF, OLTs and content platform.
      const network = await startNetworkSimulator({ host: env.NETWORK_SIM_HOST, port: Number(env.NETWORK_SIM_PORT ?? 7700), stateFile: path.join(dataDir, 'network.json') });
      stops.push(network.stop);
      env.NETWORK_URL = network.url;
      networkNote = 'simulator: HLR, PCRF, OLT, content platform; state in .data/network.json';
    }

    console.log('starting the worker (bundling workflows)…');
    const worker = await startWorker(env);
    stops.push(worker.stop);
    const api = await startApi(env);
    stops.push(api.stop);
    const ocs = await startOcs(env);
    stops.push(ocs.stop);

    const token = await signToken(env.JWT_SECRET!, { subject: 'dev-admin', roles: ['admin'] }, '30d');
    const base = `http://localhost:${api.port}`;
    console.log(`
BSS/OSS is running (started in ${((Date.now() - started) / 1000).toFixed(1)} s)
  API            ${base}   (health: ${base}/health, OpenAPI: ${base}/openapi.json)
  Catalog        ${base}/tmf-api/productCatalogManagement/v4/productOffering
  Temporal UI    ${temporalUi ?? '(external Temporal: see its own UI)'}
  Temporal       ${env.TEMPORAL_ADDRESS}
  Outbox         ${env.DEV_OUTBOX === 'true' ? `${base}/api/dev/outbox (admin: every e-mail and SMS sent)` : `${env.SMTP_URL} / ${env.SMPP_URL}`}
  Network        ${env.NETWORK_URL} (${networkNote})
  OCS (Nchf)     http://localhost:${ocs.nchfPort}/nchf-convergedcharging/v3 (HTTP/2 cleartext)
  OCS (Gy)       diameter://localhost:${ocs.gyPort} (Diameter credit control)
  OCS metrics    http://localhost:${ocs.metricsPort}/metrics (Prometheus)
  Logs           .data/logs/
Development admin token (30 days):
  ${token}
  Reports        ${base}/reports#token=<the token>
Try: curl -H "Authorization: Bearer $TOKEN" ${base}/tmf-api/productCatalogManagement/v4/productOffering
Prepaid traffic on the OCS: npm run traffic -- --port ${ocs.gyPort} --subscribers-from ${base} --token $TOKEN
Ctrl-C stops everything.`);
    const historyKnex = createKnex(env.DATABASE_URL, { max: 2 });
    stops.push(() => historyKnex.destroy());
    void writeHistoryOnce(historyKnex, Number(env.HISTORY_CUSTOMERS ?? 3000), env.PUBLIC_URL ?? base, () => stopping, env.DATABASE_URL);
  } catch (err) {
    console.error('start failed:', err);
    await stopAll();
  }
}

/**
 * A new database gets a year of generated history (db/seeds/history.ts, with its money:
 * runtime/history-money) in the background, so that the reports show something;
 * HISTORY_CUSTOMERS=0 turns it off.
 */
async function writeHistoryOnce(knex: ReturnType<typeof createKnex>, customers: number, publicUrl: string, stopping: () => boolean, databaseUrl: string): Promise<void> {
  const missing = customers - (await generatedCustomers(knex));
  if (missing <= 0) return;
  console.log(`writing a year of history for the reports (${missing} customers) in the background…`);
  try {
    const summary = await generateHistoryWithMoney(databaseUrl, { customers: missing, months: 12, end: new Date(), publicUrl, seed: 20261126 + customers - missing });
    await refreshReportViews(knex);
    console.log(`history ready: ${summary.customers} customers (${summary.churned} left), ${summary.orders} orders, ${summary.queries} queries, ${summary.interactions} interactions`);
    console.log(`  money: ${summary.money.bills} bills (${summary.money.billed} EUR), ${summary.money.payments} payments, ${summary.money.topups} top-ups, ${summary.money.chargingRequests} charging requests`);
  } catch (err) {
    if (!stopping()) console.error('writing the history failed:', err);
  }
}

void main();
