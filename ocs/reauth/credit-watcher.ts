/**
 * Watches charging accounts gain credit (`NOTIFY charging_credit` from the bucket trigger,
 * migration 20261203000000) on a connection of its own, and hands the open sessions of those
 * accounts to the front ends, which re-authorise the ones that wait for credit (awaiting-credit.ts).
 *
 * Notifications that arrive together are read with one query. While the connection is down
 * (PostgreSQL restarting) it reconnects every few seconds; credits in between are not seen, and
 * their sessions come back at their validity time as without re-authorisation.
 */
import pg from 'pg';
import type { Logger } from 'pino';
import type { ReauthOutcome } from './awaiting-credit';

export const CREDIT_CHANNEL = 'charging_credit';
/** The application_name of the LISTEN connection, as pg_stat_activity shows it, by default. */
export const CREDIT_WATCHER_APPLICATION = 'ocs-credit-watcher';

export interface CreditWatcherOptions {
  /** For the LISTEN connection. */
  connectionString: string;
  /** For reading the sessions of the accounts. */
  pool: pg.Pool;
  /** Whether any front end has a session waiting: when none has, nothing is read. */
  anyWaiting: () => boolean;
  /** The open sessions of accounts that gained credit. */
  onSessions: (sessionIds: string[]) => void;
  /** How pg_stat_activity names the LISTEN connection; CREDIT_WATCHER_APPLICATION by default. */
  applicationName?: string;
  /** Wait before reconnecting a lost connection. */
  reconnectMs?: number;
  logger?: Logger;
}

export interface CreditWatcher {
  /** Resolves once the first LISTEN is in place. */
  ready: Promise<void>;
  /** Resolves once every credit committed before the call has been handled (its sessions handed on); waits for a lost connection to be back. */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The payload of the marker `settled` sends itself: notifications arrive in commit order, so once it is handled so are the credits before it. */
const SETTLED = 'settled:';

export function watchCredits(options: CreditWatcherOptions): CreditWatcher {
  const reconnectMs = options.reconnectMs ?? 5000;
  const accounts = new Set<string>();
  let client: pg.Client | undefined;
  let stopped = false;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let reading: Promise<void> = Promise.resolve();
  const settling = new Map<string, () => void>();
  let markers = 0;
  // Resolved while a LISTEN is in place; a new one pending while reconnecting.
  let listened = false;
  let onListening!: () => void;
  let listening = new Promise<void>((resolve) => (onListening = resolve));

  const read = async (): Promise<void> => {
    const ids = [...accounts];
    accounts.clear();
    if (ids.length === 0 || !options.anyWaiting()) return;
    const { rows } = await options.pool.query<{ id: string }>(`SELECT id FROM charging_session WHERE charging_account_id = ANY($1::uuid[]) AND state = 'open'`, [ids]);
    if (rows.length) options.onSessions(rows.map((r) => r.id));
  };

  const onNotification = (message: pg.Notification) => {
    if (message.channel !== CREDIT_CHANNEL || !message.payload) return;
    const marker = settling.get(message.payload);
    if (marker) {
      settling.delete(message.payload);
      reading = reading.then(marker);
      return;
    }
    if (!UUID.test(message.payload)) return;
    const first = accounts.size === 0;
    accounts.add(message.payload);
    // The notifications of one moment (a bulk top-up) are read together, one read at a time.
    if (first) reading = reading.then(() => new Promise<void>((resolve) => setImmediate(resolve))).then(read).catch((err) => options.logger?.error({ err }, 'reading the sessions of credited accounts failed'));
  };

  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: options.connectionString, application_name: options.applicationName ?? CREDIT_WATCHER_APPLICATION });
    const lost = (err?: Error) => {
      if (client !== c) return;
      client = undefined;
      if (listened) {
        listened = false;
        listening = new Promise<void>((resolve) => (onListening = resolve));
      }
      c.removeAllListeners('notification');
      void c.end().catch(() => undefined);
      if (stopped) return;
      options.logger?.warn({ err }, 'credit notifications: connection lost, reconnecting');
      reconnectTimer = setTimeout(() => void connect().catch(() => undefined), reconnectMs);
    };
    c.on('notification', onNotification);
    c.on('error', lost);
    c.on('end', () => lost());
    client = c;
    try {
      await c.connect();
      await c.query(`LISTEN ${CREDIT_CHANNEL}`);
      listened = true;
      onListening();
    } catch (err) {
      lost(err as Error);
      throw err;
    }
  };

  const ready = connect();
  ready.catch(() => undefined);
  return {
    ready,
    async settled() {
      await listening;
      const marker = `${SETTLED}${process.pid}:${++markers}`;
      const handled = new Promise<void>((resolve) => settling.set(marker, resolve));
      await options.pool.query('SELECT pg_notify($1, $2)', [CREDIT_CHANNEL, marker]);
      await handled;
    },
    async stop() {
      stopped = true;
      clearTimeout(reconnectTimer);
      const c = client;
      client = undefined;
      await c?.end().catch(() => undefined);
      await reading;
    },
  };
}

/** A front end that re-authorises the sessions it holds waiting for credit (Gy, Nchf). */
export interface Reauthorizing {
  waitingForCredit(): boolean;
  reauthorize(sessionIds: Iterable<string>): Promise<ReauthOutcome[]>;
}

/** Watches credits for `frontEnds`: each is handed the open sessions of every account credited while one of them has a session waiting. */
export function reauthorizeOnCredit(frontEnds: Reauthorizing[], options: Omit<CreditWatcherOptions, 'anyWaiting' | 'onSessions'>): CreditWatcher {
  return watchCredits({
    ...options,
    anyWaiting: () => frontEnds.some((f) => f.waitingForCredit()),
    onSessions: (ids) => {
      for (const f of frontEnds) void f.reauthorize(ids);
    },
  });
}
