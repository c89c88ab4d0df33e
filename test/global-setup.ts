/**
 * Starts the servers once per test run: embedded PostgreSQL (migrated and seeded) and the Temporal
 * dev server, on free ports, and bundles the workflows once. Test files find them through env vars.
 */
import { bundleWorkflowCode } from '@temporalio/worker';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createKnex } from '../db/knex';
import { migrateAndSeed } from '../db/setup';
import { startEmbeddedPostgres } from '../runtime/embedded-postgres';
import { startTemporalDevServer } from '../runtime/temporal-server';
import { startNotificationSinks } from '../runtime/sinks';
import { resolveTestServer } from '../runtime/tools';
import { freePort } from './helpers/ports';

type Stop = () => Promise<void>;
declare global {
  var __testServers: Stop[] | undefined;
}

export default async function globalSetup(): Promise<void> {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bss-test-'));
  fs.chmodSync(workDir, 0o755); // PostgreSQL runs as its own OS user and must reach its data folder
  const stops: Stop[] = [];
  globalThis.__testServers = stops;

  const [pgPort, temporalPort] = [await freePort(), await freePort()];
  const [pg, temporal] = await Promise.all([
    startEmbeddedPostgres({ dataDir: path.join(workDir, 'postgres'), port: pgPort, password: 'test', database: 'bss_test' }),
    startTemporalDevServer({ port: temporalPort }),
  ]);
  stops.push(temporal.stop, pg.stop, async () => fs.rmSync(workDir, { recursive: true, force: true }));

  // Conformance kits list whole collections and check every element, so they get a database of
  // their own, holding only the seeds and what the kits create.
  const ctkUrl = await pg.ensureDatabase('bss_ctk');
  for (const url of [pg.url, ctkUrl]) {
    const knex = createKnex(url);
    try {
      await migrateAndSeed(knex, 'http://bss.test');
    } finally {
      await knex.destroy();
    }
  }

  // Local SMTP and SMPP sinks: tests read what a customer would receive from dev_outbox.
  const sinkKnex = createKnex(pg.url, { max: 2 });
  const sinks = await startNotificationSinks({ knex: sinkKnex, smtpPort: 0, smppPort: 0 });
  stops.unshift(async () => {
    await sinks.stop();
    await sinkKnex.destroy();
  });

  const bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), logger: { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: console.warn, error: console.error } });
  const bundlePath = path.join(workDir, 'workflow-bundle.js');
  fs.writeFileSync(bundlePath, bundle.code);

  Object.assign(process.env, {
    DATABASE_URL: pg.url,
    CTK_DATABASE_URL: ctkUrl,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_NAMESPACE: 'default',
    JWT_SECRET: 'test-secret-test-secret-test-secret-0123',
    PII_KEY: Buffer.alloc(32, 42).toString('base64'),
    PUBLIC_URL: 'http://bss.test',
    LOG_LEVEL: 'silent',
    TEST_WORKFLOW_BUNDLE: bundlePath,
    TEMPORAL_TEST_SERVER: resolveTestServer(),
    SMTP_URL: `smtp://127.0.0.1:${sinks.smtpPort}`,
    SMPP_URL: `smpp://127.0.0.1:${sinks.smppPort}`,
  });
}
