/** Starts the Temporal dev server (`temporal server start-dev`) with our search attributes. */
import { spawn, type ChildProcess } from 'node:child_process';
import { Connection } from '@temporalio/client';
import { resolveTemporalCli } from './tools';

/** Search attributes the workflows set, so operators can find a run in the Web UI. */
export const SEARCH_ATTRIBUTES = ['CustomerId', 'OrderId', 'OrderState', 'Msisdn', 'BillingAccountId'] as const;

export interface TemporalServerHandle {
  address: string;
  uiUrl?: string;
  stop(): Promise<void>;
}

export interface TemporalServerOptions {
  port: number;
  /** Web UI port; omitted → headless. */
  uiPort?: number;
  /** SQLite file for persistence; omitted → in memory. */
  dbFile?: string;
  log?: (msg: string) => void;
}

/** Spawns the dev server and resolves once its frontend answers. */
export async function startTemporalDevServer(opts: TemporalServerOptions): Promise<TemporalServerHandle> {
  const cli = resolveTemporalCli(opts.log);
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(opts.port), '--log-level', 'warn'];
  if (opts.dbFile) args.push('--db-filename', opts.dbFile);
  if (opts.uiPort) args.push('--ui-port', String(opts.uiPort));
  else args.push('--headless');
  for (const name of SEARCH_ATTRIBUTES) args.push('--search-attribute', `${name}=Keyword`);
  const child = spawn(cli, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString());
    if (output.length > 50) output.shift();
    opts.log?.(chunk.toString().trimEnd());
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const address = `127.0.0.1:${opts.port}`;
  await waitForFrontend(address, child, output);
  return {
    address,
    uiUrl: opts.uiPort ? `http://localhost:${opts.uiPort}` : undefined,
    stop: () => stopChild(child),
  };
}

async function waitForFrontend(address: string, child: ChildProcess, output: string[]): Promise<void> {
  const deadline = Date.now() + 60_000;
  let exited = false;
  child.once('exit', () => (exited = true));
  for (;;) {
    if (exited) throw new Error(`temporal dev server exited during start:\n${output.join('')}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.workflowService.getSystemInfo({});
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`temporal dev server did not answer on ${address}: ${(err as Error).message}`, { cause: err });
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/** SIGTERM, then SIGKILL after 10 s; resolves when the process has gone. */
export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
