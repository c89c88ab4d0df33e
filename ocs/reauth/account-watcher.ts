/**
 * Watches charging accounts gain credit (`NOTIFY charging_credit` from the bucket trigger,
 * migration 20261203000000) and subscribers or accounts get barred (`NOTIFY charging_barred`:
 * suspended or closed, migration 20261204000000) on a connection of its own, and hands the open
 * sessions concerned to the front ends: after a credit, those of the account that wait for credit,
 * as the engine keeps them (ocs/engine/waiting.ts: no query); after a bar, those of the barred
 * subscribers or account, read from the database (all are told, and granted nothing more).
 *
 * Notifications that arrive together are handled together. While the connection is
 * down (PostgreSQL restarting) it reconnects every few seconds; changes in between are not seen,
 * and their sessions come back at their validity time as without re-authorisation. With `others`,
 * the same connection carries what OCS instances tell each other of waits and of credit their
 * engines free (other-instances.ts); what it sends itself comes back to it and is ignored.
 */
import pg from 'pg';
import type { Logger } from 'pino';
import type { ReauthOutcome, ReauthReason } from './open-sessions';
import type { OtherInstancesWaiting } from './other-instances';

export const CREDIT_CHANNEL = 'charging_credit';
export const BARRED_CHANNEL = 'charging_barred';
/** Between OCS instances: a session of the sender waits for credit on the account (other-instances.ts). */
export const WAITING_CHANNEL = 'charging_waiting';
/** The application_name of the LISTEN connection, as pg_stat_activity shows it, by default. */
export const ACCOUNT_WATCHER_APPLICATION = 'ocs-account-watcher';

export interface AccountWatcherOptions {
  /** For the LISTEN connection. */
  connectionString: string;
  /** For reading the sessions of barred accounts. */
  pool: pg.Pool;
  /** The sessions waiting for credit on these accounts (the engine's sessionsWaitingOn). */
  waitingOn: (accountIds: Iterable<string>) => string[];
  /** The open sessions concerned by a credit or a bar. */
  onSessions: (sessionIds: string[], reason: ReauthReason) => void;
  /** A session found closed among those waiting for credit (another instance ended or swept it): to be forgotten. */
  onClosed?: (sessionId: string) => void;
  /** The other OCS instances' waits, fed from `charging_waiting`; without, that channel is not listened to. */
  others?: OtherInstancesWaiting;
  /** How pg_stat_activity names the LISTEN connection; ACCOUNT_WATCHER_APPLICATION by default. */
  applicationName?: string;
  /** Wait before reconnecting a lost connection. */
  reconnectMs?: number;
  /**
   * How often the connection is asked a trivial query, and how long it has to answer before it is
   * taken as lost: a path that dies without a word (a NAT or firewall forgetting it) would otherwise
   * swallow every notification until the kernel gives up on it. 15 s by default.
   */
  heartbeatMs?: number;
  logger?: Logger;
}

export interface AccountWatcher {
  /** Resolves once the first LISTEN is in place. */
  ready: Promise<void>;
  /** Resolves once every change committed before the call has been handled (its sessions handed on); waits for a lost connection to be back. */
  settled(): Promise<void>;
  /** Sends one notification per payload over the LISTEN connection (dropped while it is down). */
  notify(channel: string, payloads: string[]): void;
  stop(): Promise<void>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The payload of the marker `settled` sends itself: notifications arrive in commit order, so once it is handled so are the changes before it. */
const SETTLED = 'settled:';

/** The open sessions of the barred accounts whose subscriber or account is no longer active. */
const BARRED_SESSIONS = `
  SELECT s.id FROM charging_session s
  JOIN charging_account a ON a.id = s.charging_account_id
  LEFT JOIN charging_subscriber sub ON sub.msisdn = s.msisdn
  WHERE s.charging_account_id = ANY($1::uuid[]) AND s.state = 'open' AND (a.status <> 'active' OR sub.status IS DISTINCT FROM 'active')`;

const OPEN_SESSIONS = `SELECT id FROM charging_session WHERE id = ANY($1::text[]) AND state = 'open'`;

/**
 * Of the sessions waiting for credit, those still open: another OCS instance may have ended or
 * swept them since this one answered them, and nothing told this one. The others go to `closed`.
 */
export async function stillOpen(pool: pg.Pool, sessionIds: string[], closed?: (sessionId: string) => void): Promise<string[]> {
  if (sessionIds.length === 0) return sessionIds;
  const open = new Set((await pool.query<{ id: string }>(OPEN_SESSIONS, [sessionIds])).rows.map((r) => r.id));
  if (open.size === sessionIds.length) return sessionIds;
  for (const id of sessionIds) if (!open.has(id)) closed?.(id);
  return sessionIds.filter((id) => open.has(id));
}

const REASON_OF_CHANNEL: Record<string, ReauthReason> = { [CREDIT_CHANNEL]: 'credit', [BARRED_CHANNEL]: 'barred' };

export function watchAccounts(options: AccountWatcherOptions): AccountWatcher {
  const reconnectMs = options.reconnectMs ?? 5000;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  let heartbeat: NodeJS.Timeout | undefined;
  const accounts: Record<ReauthReason, Set<string>> = { credit: new Set(), barred: new Set() };
  let client: pg.Client | undefined;
  /** The LISTEN connection's backend: what it sends itself comes back from it. */
  let ownPid: number | undefined;
  let stopped = false;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let reading: Promise<void> = Promise.resolve();
  const settling = new Map<string, () => void>();
  let markers = 0;
  // Resolved while a LISTEN is in place; a new one pending while reconnecting.
  let listened = false;
  let onListening!: () => void;
  let listening = new Promise<void>((resolve) => (onListening = resolve));

  const read = async (reason: ReauthReason): Promise<void> => {
    const ids = [...accounts[reason]];
    accounts[reason].clear();
    if (ids.length === 0) return;
    const sessionIds = reason === 'credit' ? await stillOpen(options.pool, options.waitingOn(ids), options.onClosed) : (await options.pool.query<{ id: string }>(BARRED_SESSIONS, [ids])).rows.map((r) => r.id);
    if (sessionIds.length) options.onSessions(sessionIds, reason);
  };

  const onNotification = (message: pg.Notification) => {
    if (message.processId === ownPid || !message.payload) return;
    if (message.channel === WAITING_CHANNEL) {
      if (UUID.test(message.payload)) options.others?.heard(message.payload);
      return;
    }
    const reason = REASON_OF_CHANNEL[message.channel];
    if (!reason) return;
    const marker = settling.get(message.payload);
    if (marker) {
      settling.delete(message.payload);
      reading = reading.then(marker);
      return;
    }
    if (!UUID.test(message.payload)) return;
    const first = accounts[reason].size === 0;
    accounts[reason].add(message.payload);
    // The notifications of one moment (a bulk top-up) are read together, one read at a time.
    if (first) {
      reading = reading
        .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
        .then(() => read(reason))
        .catch((err) => options.logger?.error({ err, reason }, 'reading the sessions of changed accounts failed'));
    }
  };

  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: options.connectionString, application_name: options.applicationName ?? ACCOUNT_WATCHER_APPLICATION, keepAlive: true });
    const lost = (err?: Error) => {
      if (client !== c) return;
      client = undefined;
      clearInterval(heartbeat);
      if (listened) {
        listened = false;
        listening = new Promise<void>((resolve) => (onListening = resolve));
      }
      c.removeAllListeners('notification');
      void c.end().catch(() => undefined);
      if (stopped) return;
      options.logger?.warn({ err }, 'account notifications: connection lost, reconnecting');
      reconnectTimer = setTimeout(() => void connect().catch(() => undefined), reconnectMs);
    };
    c.on('notification', onNotification);
    c.on('error', lost);
    c.on('end', () => lost());
    client = c;
    try {
      await c.connect();
      ownPid = (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      await c.query(`LISTEN ${CREDIT_CHANNEL}; LISTEN ${BARRED_CHANNEL}${options.others ? `; LISTEN ${WAITING_CHANNEL}` : ''}`);
      listened = true;
      onListening();
      heartbeat = setInterval(() => {
        const silent = setTimeout(() => lost(new Error(`no answer to a heartbeat within ${heartbeatMs} ms`)), heartbeatMs);
        silent.unref();
        c.query('SELECT 1').then(
          () => clearTimeout(silent),
          () => clearTimeout(silent),
        );
      }, heartbeatMs);
      heartbeat.unref();
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
      // On the credit channel: both channels' notifications reach this connection in commit order.
      await options.pool.query('SELECT pg_notify($1, $2)', [CREDIT_CHANNEL, marker]);
      await handled;
    },
    notify(channel, payloads) {
      const c = listened ? client : undefined;
      if (!c) return; // the sessions concerned come back at their validity time
      c.query('SELECT pg_notify($1, p) FROM unnest($2::text[]) p', [channel, payloads]).catch((err) => options.logger?.warn({ err, channel }, 'notifying other OCS instances failed'));
    },
    async stop() {
      stopped = true;
      clearTimeout(reconnectTimer);
      clearInterval(heartbeat);
      const c = client;
      client = undefined;
      await c?.end().catch(() => undefined);
      await reading;
    },
  };
}

/** A front end that re-authorises the sessions it answered (Gy, Nchf). */
export interface Reauthorizing {
  reauthorize(sessionIds: Iterable<string>, reason?: ReauthReason): Promise<ReauthOutcome[]>;
  /** The open sessions it keeps, and how many of them wait for credit. */
  sessionCounts(): { open: number; waiting: number };
  /** Forgets a session closed without a termination (the sweeper closing an abandoned one). */
  sessionClosed(sessionId: string): void;
}

/** Hands `sessionIds` to every front end, which asks those it answered (and that wait, for a credit). */
export function reauthorizeAll(frontEnds: readonly Reauthorizing[], sessionIds: string[], reason: ReauthReason): void {
  for (const f of frontEnds) void f.reauthorize(sessionIds, reason);
}

/** Watches accounts for `frontEnds`: each is handed the sessions waiting on every account credited, and the open sessions of every one barred. */
export function reauthorizeOnChange(frontEnds: readonly Reauthorizing[], options: Omit<AccountWatcherOptions, 'onSessions'>): AccountWatcher {
  return watchAccounts({ ...options, onSessions: (ids, reason) => reauthorizeAll(frontEnds, ids, reason) });
}
