/**
 * The OCS in a process of its own, as `npm run ocs` runs it (`ocs/main.ts`, the same young
 * generation): for a test that kills it like a crashed host, and for the benchmark, which measures
 * its CPU apart from the load's. It tells its ports over IPC once it serves.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';

export interface OcsProcess {
  pid: number;
  nchfPort: number;
  gyPort: number;
  metricsPort: number;
  /** SIGTERM: it answers what it is charging, disconnects its peers and exits. */
  stop(): Promise<void>;
  /** Sends a signal (SIGKILL: a crash; SIGSTOP and SIGCONT: a host that hangs) and, for SIGKILL, waits for the exit. */
  signal(signal: 'SIGKILL' | 'SIGSTOP' | 'SIGCONT'): Promise<void>;
}

/**
 * An OCS for a test: the test run's database, every listener on a free local port, logs off, and
 * its sweeper idle: it works on the real clock over the whole shared database, where other test
 * files hold reservations charged at earlier (test) times.
 */
export const testOcsEnv = (): NodeJS.ProcessEnv => ({
  ...process.env,
  OCS_NCHF_PORT: '0',
  OCS_NCHF_HOST: '127.0.0.1',
  OCS_GY_PORT: '0',
  OCS_GY_HOST: '127.0.0.1',
  OCS_METRICS_PORT: '0',
  OCS_METRICS_HOST: '127.0.0.1',
  OCS_SWEEP_INTERVAL_MS: '3600000',
  LOG_LEVEL: 'silent',
});

/** Forks the OCS with `env` (its whole configuration) and resolves once it serves. */
export async function forkOcs(env: NodeJS.ProcessEnv, options: { logFile?: string; execArgv?: string[] } = {}): Promise<OcsProcess> {
  const out = options.logFile ? fs.openSync(options.logFile, 'a') : 'ignore';
  const child: ChildProcess = fork(require.resolve('../../ocs/main'), [], {
    env,
    execArgv: ['--import', 'tsx', '--max-semi-space-size=64', ...(options.execArgv ?? [])],
    stdio: ['ignore', out, options.logFile ? out : 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => typeof out === 'number' && fs.closeSync(out));
  const ports = await new Promise<{ nchfPort: number; gyPort: number; metricsPort: number }>((resolve, reject) => {
    child.once('message', (m: { nchfPort?: number; gyPort?: number; metricsPort?: number }) =>
      m.nchfPort && m.gyPort && m.metricsPort ? resolve({ nchfPort: m.nchfPort, gyPort: m.gyPort, metricsPort: m.metricsPort }) : reject(new Error(`ocs: ${JSON.stringify(m)}`)),
    );
    child.once('exit', (code) => reject(new Error(`the OCS exited (${code}) during start${options.logFile ? `; see ${options.logFile}` : ''}`)));
  });
  return {
    pid: child.pid!,
    ...ports,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
    async signal(signal) {
      child.kill(signal);
      if (signal === 'SIGKILL') await exited;
    },
  };
}
