/**
 * The order benchmark: N prepaid mobile orders (default 300, `BENCH_ORDERS`) POSTed at once
 * through the TMF622 API and fulfilled by the real worker, against a floor measured in the same
 * run on the same Temporal server: N bare workflows with as many no-op activities as one prepaid
 * order runs, on a worker with the same options. Starts everything it needs in a temporary folder
 * (embedded PostgreSQL, the Temporal dev server, migrations and seeds, notification sinks, the
 * network simulator, the API in this process, each worker in its own process as in production),
 * prints orders/s and p50/p95/p99 from submission to completion for both and their ratio, then
 * checks the outcome: every order completed, each with its own number, SIM and captured charge.
 */
import { Client, Connection } from '@temporalio/client';
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Knex } from 'knex';
import { signToken } from '../api/auth';
import { startApi } from '../api/main';
import { createKnex } from '../db/knex';
import { migrateAndSeed } from '../db/setup';
import { startNetworkSimulator } from '../network/simulator';
import { startEmbeddedPostgres } from '../runtime/embedded-postgres';
import { startNotificationSinks } from '../runtime/sinks';
import { startTemporalDevServer } from '../runtime/temporal-server';
import { createActiveCustomer, type TestCustomer } from '../test/helpers/customers';
import { freePort } from '../test/helpers/ports';
import { byCommandLine, cpuSpent, readCpu, type ProcessGroup } from './cpu';
import { batchFigures, table, type BatchFigures, type Timed } from './stats';
import { FLOOR_TASK_QUEUE } from './worker-process';

const ORDERS_PATH = '/tmf-api/productOrderingManagement/v4/productOrder';
/** Prepaid 10 GB (seed catalog). */
const PREPAID_10GB = '0ffe0000-0000-4000-8000-000000000001';
/** Fraction of the floor's throughput the orders should reach. */
const TARGET_RATIO = 0.6;

type Stop = () => Promise<void>;

/** What the bench started, and how to stop it (last started, first stopped). */
interface Rig {
  workDir: string;
  knex: Knex;
  client: Client;
  apiBase: string;
  agentToken: string;
  publicUrl: string;
  /** The processes whose CPU time each phase reports. */
  processes: ProcessGroup[];
  stops: Stop[];
}

function fileLog(dir: string, name: string): (msg: string) => void {
  const stream = fs.createWriteStream(path.join(dir, `${name}.log`), { flags: 'a' });
  return (msg) => stream.write(msg.endsWith('\n') ? msg : `${msg}\n`);
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Forks bench/worker-process.ts and resolves once the worker polls its task queue. */
async function forkWorker(mode: 'orders' | 'floor', env: NodeJS.ProcessEnv, logDir: string): Promise<{ pid: number; stop: Stop }> {
  const out = fs.openSync(path.join(logDir, `worker-${mode}.log`), 'a');
  // BENCH_CPU_PROFILE=<dir>: each worker writes a V8 CPU profile there when it stops.
  const profile = process.env.BENCH_CPU_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(process.env.BENCH_CPU_PROFILE)] : [];
  const child: ChildProcess = fork(require.resolve('./worker-process'), [mode], { env, execArgv: ['--import', 'tsx', ...profile], stdio: ['ignore', out, out, 'ipc'] });
  await new Promise<void>((resolve, reject) => {
    child.once('message', (m) => (m === 'ready' ? resolve() : reject(new Error(`worker ${mode}: ${String(m)}`))));
    child.once('exit', (code) => reject(new Error(`worker ${mode} exited (${code}) during start; see ${logDir}/worker-${mode}.log`)));
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.send('stop');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
    fs.closeSync(out);
  };
  return { pid: child.pid!, stop };
}

async function startRig(log: (msg: string) => void): Promise<Rig> {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bss-bench-'));
  fs.chmodSync(workDir, 0o755); // PostgreSQL runs as its own OS user and must reach its data folder
  const logDir = path.join(workDir, 'logs');
  fs.mkdirSync(logDir);
  const stops: Stop[] = [];
  const rig: Partial<Rig> = { workDir, stops };
  try {
    const [pgPort, temporalPort, apiPort, networkPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
    log(`starting PostgreSQL and the Temporal dev server in ${workDir}…`);
    const [pg, temporal] = await Promise.all([
      startEmbeddedPostgres({ dataDir: path.join(workDir, 'postgres'), port: pgPort, password: randomBytes(12).toString('hex'), database: 'bss_bench', log: fileLog(logDir, 'postgres') }),
      // A SQLite file, as `npm start` runs it.
      startTemporalDevServer({ port: temporalPort, ...(process.env.BENCH_TEMPORAL_DB === 'memory' ? {} : { dbFile: path.join(workDir, 'temporal.db') }), log: fileLog(logDir, 'temporal') }),
    ]);
    stops.push(async () => fs.rmSync(workDir, { recursive: true, force: true }), pg.stop, temporal.stop);

    const publicUrl = `http://localhost:${apiPort}`;
    const knex = createKnex(pg.url);
    stops.push(() => knex.destroy());
    rig.knex = knex;
    rig.publicUrl = publicUrl;
    log('migrating and seeding…');
    await migrateAndSeed(knex, publicUrl);

    const sinkKnex = createKnex(pg.url, { max: 2 });
    const sinks = await startNotificationSinks({ knex: sinkKnex, smtpPort: 0, smppPort: 0 });
    stops.push(async () => {
      await sinks.stop();
      await sinkKnex.destroy();
    });
    const network = await startNetworkSimulator({ port: networkPort });
    stops.push(network.stop);

    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: pg.url,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: 'bss',
      JWT_SECRET: randomBytes(32).toString('base64url'),
      PII_KEY: randomBytes(32).toString('base64'),
      PORT: String(apiPort),
      PUBLIC_URL: publicUrl,
      // Request and activity logs at info would measure the terminal, not the system.
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      SMTP_URL: `smtp://127.0.0.1:${sinks.smtpPort}?pool=true`, // pooled, as npm start has it
      SMPP_URL: `smpp://127.0.0.1:${sinks.smppPort}`,
      NETWORK_URL: network.url,
      DEV_OUTBOX: 'true',
    };
    const api = await startApi(env);
    stops.push(api.stop);
    rig.apiBase = `http://127.0.0.1:${api.port}`;
    rig.agentToken = await signToken(env.JWT_SECRET!, { subject: 'bench-agent', roles: ['agent'] }, '2h');

    log('starting the workers (each bundles its workflows)…');
    const [ordersWorker, floorWorker] = await Promise.all([forkWorker('orders', env, logDir), forkWorker('floor', env, logDir)]);
    stops.push(ordersWorker.stop, floorWorker.stop);
    rig.processes = [
      byCommandLine('Temporal server', `start-dev --ip 127.0.0.1 --port ${temporalPort} `),
      byCommandLine('PostgreSQL', `-D ${path.join(workDir, 'postgres')}`, true),
      { name: 'order worker', pids: () => [ordersWorker.pid] },
      { name: 'floor worker', pids: () => [floorWorker.pid] },
      { name: 'bench (API, sinks, network simulator, client)', pids: () => [process.pid] },
    ];

    const connection = await Connection.connect({ address: temporal.address });
    stops.push(() => connection.close());
    rig.client = new Client({ connection, namespace: 'default' });
    return rig as Rig;
  } catch (err) {
    await stopRig(rig as Rig, true);
    throw err;
  }
}

async function stopRig(rig: Pick<Rig, 'stops' | 'workDir'>, keepFiles: boolean): Promise<void> {
  const stops = [...rig.stops].reverse();
  // The first stop registered removes the folder: keep it (with the logs) when something went wrong.
  if (keepFiles) stops.pop();
  for (const stop of stops) await stop().catch((err) => console.error('while stopping:', err));
  if (keepFiles) console.error(`files and logs kept in ${rig.workDir}`);
}

/** Runs `fn` over `items` with at most `width` at a time. */
async function inBatches<T, R>(items: T[], width: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await fn(items[i]);
      }
    }),
  );
  return results;
}

async function postOrder(rig: Rig, customer: TestCustomer): Promise<string> {
  const res = await fetch(`${rig.apiBase}${ORDERS_PATH}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${rig.agentToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      externalId: `bench-${randomUUID()}`,
      channel: [{ id: 'callCentre', name: 'Call centre' }],
      relatedParty: [{ id: customer.customerId, role: 'customer', '@referredType': 'Customer' }],
      billingAccount: { id: customer.billingAccountId },
      productOrderItem: [
        {
          id: '1',
          action: 'add',
          quantity: 1,
          productOffering: { id: PREPAID_10GB },
          product: { productCharacteristic: [{ name: 'msisdn', value: 'any' }] },
        },
      ],
    }),
  });
  const body = (await res.json()) as { id?: string };
  if (res.status !== 201 || !body.id) throw new Error(`order POST answered ${res.status}: ${JSON.stringify(body)}`);
  return body.id;
}

/** One order from POST to the end of its workflow (which records `completed` before it ends). */
async function timedOrder(rig: Rig, customer: TestCustomer): Promise<Timed & { orderId: string }> {
  const submittedAt = performance.now();
  const orderId = await postOrder(rig, customer);
  await rig.client.workflow.getHandle(`order-${orderId}`).result();
  return { orderId, submittedAt, doneAt: performance.now() };
}

async function timedFloor(rig: Rig, activities: number, runId: string, i: number): Promise<Timed> {
  const submittedAt = performance.now();
  const handle = await rig.client.workflow.start('floorWorkflow', { taskQueue: FLOOR_TASK_QUEUE, workflowId: `floor-${runId}-${i}`, args: [{ count: activities }] });
  await handle.result();
  return { submittedAt, doneAt: performance.now() };
}

/** Activities a workflow run scheduled, from its history. */
async function activitiesScheduled(client: Client, workflowId: string): Promise<number> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes).length;
}

interface Check {
  what: string;
  expected: number;
  actual: number;
}

/** What the orders left behind: one completed order, number, SIM and captured charge each. */
async function checkOutcome(knex: Knex, orderIds: string[], customers: TestCustomer[]): Promise<Check[]> {
  const n = orderIds.length;
  const customerIds = customers.map((c) => c.customerId);
  const count = async (q: Knex.QueryBuilder, expr = 'count(*)') => Number((await q.select(knex.raw(`${expr} AS n`)).first()).n);
  return [
    { what: 'orders completed', expected: n, actual: await count(knex('product_order').whereIn('id', orderIds).where({ state: 'completed' })) },
    { what: 'orders failed, rejected or cancelled (all orders)', expected: 0, actual: await count(knex('product_order').whereIn('state', ['failed', 'rejected', 'cancelled'])) },
    { what: 'distinct numbers in use', expected: n, actual: await count(knex('inventory_msisdn').whereIn('customer_id', customerIds).where({ status: 'inUse' }), 'count(DISTINCT msisdn)') },
    { what: 'customers with exactly one number', expected: n, actual: await count(knex.from(knex('inventory_msisdn').whereIn('customer_id', customerIds).where({ status: 'inUse' }).groupBy('customer_id').havingRaw('count(*) = 1').select('customer_id').as('c'))) },
    { what: 'distinct SIM cards in use', expected: n, actual: await count(knex('inventory_sim').whereIn('customer_id', customerIds).where({ status: 'inUse' }), 'count(DISTINCT iccid)') },
    { what: 'customers with exactly one SIM', expected: n, actual: await count(knex.from(knex('inventory_sim').whereIn('customer_id', customerIds).where({ status: 'inUse' }).groupBy('customer_id').havingRaw('count(*) = 1').select('customer_id').as('c'))) },
    { what: 'orders with one captured charge', expected: n, actual: await count(knex.from(knex('payment_charge').whereIn('order_id', orderIds).where({ status: 'captured' }).groupBy('order_id').havingRaw('count(*) = 1').select('order_id').as('c'))) },
  ];
}

function figuresRow(name: string, f: BatchFigures): string[] {
  return [name, String(f.count), f.perSecond.toFixed(1), String(Math.round(f.p50)), String(Math.round(f.p95)), String(Math.round(f.p99)), seconds(f.wallMs)];
}

/** `npm run bench -- orders`: resolves true when the outcome checks passed. */
export async function ordersBench(): Promise<boolean> {
  const n = Number(process.env.BENCH_ORDERS ?? 300);
  const log = (msg: string) => console.log(`[orders] ${msg}`);
  const began = performance.now();
  const rig = await startRig(log);
  let failed = true;
  try {
    const { knex, client } = rig;
    const stock = {
      numbers: Number((await knex('inventory_msisdn').where({ status: 'available' }).count({ n: '*' }).first())!.n),
      sims: Number((await knex('inventory_sim').where({ status: 'available' }).count({ n: '*' }).first())!.n),
    };
    if (stock.numbers < n + 1 || stock.sims < n + 1) throw new Error(`stock too small for ${n} orders: ${stock.numbers} numbers, ${stock.sims} SIM cards`);
    log(`creating ${n + 1} active prepaid customers with cards…`);
    const customers = await inBatches(Array.from({ length: n + 1 }, (_, i) => i), 8, () => createActiveCustomer(knex, { paymentType: 'prepaid', publicUrl: rig.publicUrl }));
    const [warmCustomer, ...benchCustomers] = customers;

    // One order first: warms the API, worker and caches, and its history says how many activities one order runs.
    const warm = await timedOrder(rig, warmCustomer);
    const activities = await activitiesScheduled(client, `order-${warm.orderId}`);
    const warmState = (await knex('product_order').where({ id: warm.orderId }).first())?.state;
    if (warmState !== 'completed') throw new Error(`the warm-up order ended ${warmState}`);
    log(`one prepaid order runs ${activities} activities (counted from the warm-up order's history; ${Math.round(warm.doneAt - warm.submittedAt)} ms alone)`);

    const runId = randomUUID().slice(0, 8);
    await timedFloor(rig, activities, runId, -1);
    log(`floor: ${n} bare workflows × ${activities} no-op activities, started at once…`);
    const cpuAtFloor = readCpu(rig.processes);
    const floorRuns = await Promise.all(Array.from({ length: n }, (_, i) => timedFloor(rig, activities, runId, i)));
    const floorActivities = await activitiesScheduled(client, `floor-${runId}-0`);
    const floor = batchFigures(floorRuns);
    const cpuAtOrders = readCpu(rig.processes);
    const floorCpu = cpuSpent(cpuAtFloor, cpuAtOrders);
    log(`floor done: ${floor.perSecond.toFixed(1)}/s in ${seconds(floor.wallMs)}`);

    log(`orders: ${n} prepaid mobile orders POSTed at once…`);
    const orderRuns = await Promise.all(benchCustomers.map((c) => timedOrder(rig, c)));
    const orders = batchFigures(orderRuns);
    const ordersCpu = cpuSpent(cpuAtOrders, readCpu(rig.processes));

    const ratio = orders.perSecond / floor.perSecond;
    console.log(`\nOrder throughput on ${os.cpus().length} cores (${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}), ${n} at once, latency from submission to completed in ms:\n`);
    console.log(
      table([
        ['', 'runs', 'per s', 'p50', 'p95', 'p99', 'wall'],
        figuresRow('prepaid orders', orders),
        figuresRow(`floor (${floorActivities} no-op activities)`, floor),
      ]),
    );
    console.log(`\nratio orders/s ÷ floor/s: ${ratio.toFixed(2)} (target ≥ ${TARGET_RATIO}${ratio >= TARGET_RATIO ? ', met' : ', NOT met'})`);

    const ms = (cpu: Map<string, number>, name: string) => String(Math.round(((cpu.get(name) ?? 0) * 1000) / n));
    const total = (cpu: Map<string, number>) => [...cpu.values()].reduce((a, b) => a + b, 0);
    console.log(`\nCPU time per run in ms, by process (from /proc; PostgreSQL counts its live backends):\n`);
    console.log(
      table([
        ['', 'prepaid orders', 'floor'],
        ...rig.processes.map((p) => [p.name, ms(ordersCpu, p.name), ms(floorCpu, p.name)]),
        ['total', String(Math.round((total(ordersCpu) * 1000) / n)), String(Math.round((total(floorCpu) * 1000) / n))],
      ]),
    );

    const checks = await checkOutcome(knex, orderRuns.map((r) => r.orderId), benchCustomers);
    console.log('\ncorrectness:');
    for (const c of checks) console.log(`  ${c.actual === c.expected ? 'ok  ' : 'FAIL'} ${c.what}: ${c.actual} (expected ${c.expected})`);
    if (floorActivities !== activities) console.log(`  FAIL floor ran ${floorActivities} activities, an order ${activities}`);
    failed = checks.some((c) => c.actual !== c.expected) || floorActivities !== activities;
    log(`done in ${seconds(performance.now() - began)}`);
    return !failed;
  } finally {
    await stopRig(rig, failed);
  }
}
