/**
 * `npm start` end to end: the launcher brings up embedded PostgreSQL, the Temporal dev server with
 * its Web UI, the worker and the API; Ctrl-C stops it all; a second start finds the same data.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NetworkClient } from '../network/client';
import { freePort } from './helpers/ports';

const ROOT = path.resolve(__dirname, '..');

interface Running {
  child: ChildProcess;
  token: string;
  output: () => string;
}

function launch(env: NodeJS.ProcessEnv): Promise<Running> {
  // Its own process group, so that Ctrl-C can be sent the way a terminal sends it: to every process.
  const child = spawn('npm', ['start'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  child.stdout!.on('data', (c) => (out += c));
  child.stderr!.on('data', (c) => (out += c));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start did not come up in 120 s:\n${out}`)), 120_000);
    child.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${out}`)));
    const poll = setInterval(() => {
      const match = out.match(/admin token[^\n]*\n\s+(\S+)/);
      if (match && out.includes('Ctrl-C stops everything')) {
        clearInterval(poll);
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve({ child, token: match[1], output: () => out });
      }
    }, 100);
  });
}

/**
 * Ctrl-C: SIGINT to the whole process group. npm re-raises the signal on itself once the
 * launcher has exited, so a clean stop is exit code 0 or death by that same SIGINT.
 */
function interrupt(child: ChildProcess): Promise<string> {
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve(code === 0 || signal === 'SIGINT' ? 'stopped' : `exit ${code} ${signal}`));
    process.kill(-child.pid!, 'SIGINT');
  });
}

const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Every server the launcher started has gone: PostgreSQL removed its pid file, nothing is left in the group. */
async function expectAllStopped(dataDir: string, group: number): Promise<void> {
  expect(fs.existsSync(path.join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);
  const deadline = Date.now() + 10_000;
  while (isRunning(-group) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  expect(isRunning(-group)).toBe(false);
}

describe('npm start (embedded default)', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bss-start-'));
  fs.chmodSync(dataDir, 0o755);
  let env: NodeJS.ProcessEnv;
  let api: string;
  let ui: string;
  let networkPort: number;

  beforeAll(async () => {
    const [port, pgPort, temporalPort, uiPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
    networkPort = await freePort();
    env = { ...process.env, BSS_DATA_DIR: dataDir, PORT: String(port), EMBEDDED_PG_PORT: String(pgPort), EMBEDDED_TEMPORAL_PORT: String(temporalPort), EMBEDDED_TEMPORAL_UI_PORT: String(uiPort), NETWORK_SIM_PORT: String(networkPort), HISTORY_CUSTOMERS: '30' };
    env.OCS_NCHF_PORT = String(await freePort());
    env.OCS_GY_PORT = String(await freePort());
    env.OCS_METRICS_PORT = String(await freePort());
    // The test run's own servers must not be used: the launcher starts its own.
    for (const name of ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'JWT_SECRET', 'PII_KEY', 'PUBLIC_URL', 'NETWORK_URL']) delete env[name];
    api = `http://localhost:${port}`;
    ui = `http://localhost:${uiPort}`;
  });

  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('runs everything, stops cleanly on Ctrl-C, and keeps the data across restarts', async () => {
    const first = await launch(env);
    let offeringId: string;
    try {
      const auth = { Authorization: `Bearer ${first.token}` };
      const health = await fetch(`${api}/health`);
      expect(health.status).toBe(200);
      expect((await fetch(ui)).status).toBe(200);
      expect(await (await fetch(`http://localhost:${env.OCS_METRICS_PORT}/metrics`)).text()).toContain('ocs_charge_requests_total');

      const offerings = await fetch(`${api}/tmf-api/productCatalogManagement/v4/productOffering?lifecycleStatus=Launched`, { headers: auth });
      expect(offerings.status).toBe(200);
      expect(((await offerings.json()) as unknown[]).length).toBeGreaterThanOrEqual(7);

      const created = await fetch(`${api}/tmf-api/productCatalogManagement/v4/productOffering`, {
        method: 'POST',
        headers: { ...auth, 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: 'Survives a restart' }),
      });
      expect(created.status).toBe(201);
      offeringId = ((await created.json()) as { id: string }).id;

      // A new database gets a generated history in the background, and the reports show it.
      const deadline = Date.now() + 90_000;
      while (!first.output().includes('history ready')) {
        if (Date.now() > deadline) throw new Error(`no generated history:\n${first.output()}`);
        await new Promise((r) => setTimeout(r, 250));
      }
      const report = await fetch(`${api}/api/reports/customers`, { headers: auth });
      expect(report.status).toBe(200);
      const rows = ((await report.json()) as { rows: Array<{ new: number }> }).rows;
      expect(rows.reduce((n, r) => n + r.new, 0)).toBeGreaterThan(0);

      // The network simulator is up, and keeps what it is told in .data/network.json.
      expect(first.output()).toContain(`Network        tcp://127.0.0.1:${networkPort}`);
      const network = new NetworkClient({ host: '127.0.0.1', port: networkPort });
      try {
        await network.send({ verb: 'GRANT', object: 'ENTITLEMENT', params: { SUBSCRIBER: 'e2e', PRODUCT: 'VIDEO-PREMIUM' } });
      } finally {
        await network.close();
      }
    } finally {
      expect(await interrupt(first.child)).toBe('stopped');
    }
    expect(first.output()).toContain('stopping');
    await expectAllStopped(dataDir, first.child.pid!);

    const second = await launch(env);
    try {
      // Same generated secret: the first token still works, and the offering is still there.
      const again = await fetch(`${api}/tmf-api/productCatalogManagement/v4/productOffering/${offeringId}`, {
        headers: { Authorization: `Bearer ${first.token}` },
      });
      expect(again.status).toBe(200);
      expect(await again.json()).toMatchObject({ id: offeringId, name: 'Survives a restart' });
      expect(second.output()).toContain('database schema up to date');
      expect(second.output()).not.toContain('writing a year of history');
      const network = new NetworkClient({ host: '127.0.0.1', port: networkPort });
      try {
        const shown = await network.send({ verb: 'DISPLAY', object: 'ENTITLEMENT', params: { SUBSCRIBER: 'e2e' } });
        expect(shown.reply.attrs.PRODUCTS).toBe('VIDEO-PREMIUM');
      } finally {
        await network.close();
      }
    } finally {
      expect(await interrupt(second.child)).toBe('stopped');
    }
    await expectAllStopped(dataDir, second.child.pid!);
  }, 240_000);
});
