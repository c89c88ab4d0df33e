/**
 * The network simulator: a TCP server speaking the command language of network/mml.ts and standing
 * in for four network elements: HLR/HSS (subscribers), PCRF (data policies), the access nodes/OLTs
 * (ports) and the content platform (entitlements).
 *
 * Every command is idempotent: a create that finds the same object with the same data succeeds
 * ("already exists, unchanged"), with different data it is refused (CONFLICT); removing what is
 * absent succeeds. Faults are injected through the protocol (`SET FAULT: ELEMENT=HLR, MODE=FAIL;`)
 * so that tests and operators use the same means. Per element it counts the commands that took
 * effect, so a test can check that nothing took effect twice. With a state file, the network's
 * state and counters survive a restart (written atomically after every change); faults do not.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {
  elementOfObject,
  formatReply,
  MmlFrameError,
  MmlFramer,
  MmlSyntaxError,
  NETWORK_ELEMENTS,
  parseCommand,
  RETCODE,
  salvageCtag,
  type MmlReply,
  type MmlTaggedCommand,
  type NetworkElementName,
} from './mml';

/** A subscriber in the HLR/HSS, keyed by IMSI. */
export interface Subscriber {
  imsi: string;
  msisdn: string;
  iccid: string;
  profile: 'PREPAID' | 'POSTPAID';
  voice: boolean;
  sms: boolean;
  data: boolean;
  /** OUTGOING while suspended (outgoing calls, SMS and data barred). */
  barring: 'NONE' | 'OUTGOING';
}

/** A subscriber's data policy in the PCRF, keyed by IMSI. */
export interface DataPolicy {
  imsi: string;
  downlinkMbps: number;
  uplinkMbps: number;
}

/** An active port of an access node (OLT), keyed by node and port. */
export interface AccessPort {
  node: string;
  port: string;
  downlinkMbps: number;
  uplinkMbps: number;
  /** The service the port was activated for, when the command named one. */
  service?: string;
  adminState: 'UP' | 'DOWN';
}

/** A product a subscriber may use on the content platform. */
export interface Entitlement {
  subscriber: string;
  product: string;
}

/** Per element: commands received, and commands that changed the element's state. */
export interface NetworkStats {
  received: Record<NetworkElementName, number>;
  applied: Record<NetworkElementName, number>;
}

/** What the simulated network holds (the state file's content). */
export interface NetworkState {
  subscribers: Record<string, Subscriber>;
  dataPolicies: Record<string, DataPolicy>;
  ports: Record<string, AccessPort>;
  entitlements: Record<string, Entitlement>;
  stats: NetworkStats;
}

/** FAIL: element-failure reply; TIMEOUT: no reply, not done; SLOW: done and answered after a delay; DROPREPLY: done, no reply. */
export type FaultMode = 'FAIL' | 'TIMEOUT' | 'SLOW' | 'DROPREPLY';

/** An injected fault: for `count` commands (all when undefined) of an element. */
export interface Fault {
  mode: FaultMode;
  count?: number;
  delayMs?: number;
}

/** A running simulator, with inspection helpers for tests. */
export interface NetworkSimulator {
  host: string;
  port: number;
  /** `tcp://host:port` */
  url: string;
  /** Closes the server and every connection; pending slow replies are dropped. */
  stop(): Promise<void>;
  /** A copy of the whole state. */
  state(): NetworkState;
  stats(): NetworkStats;
  subscriber(imsi: string): Subscriber | undefined;
  dataPolicy(imsi: string): DataPolicy | undefined;
  accessPort(node: string, port: string): AccessPort | undefined;
  entitlements(subscriber: string): string[];
  /** The same as `SET FAULT` / `CLEAR FAULT` over the protocol. */
  setFault(element: NetworkElementName, fault: Fault): void;
  clearFaults(element?: NetworkElementName): void;
  /** Open client connections. */
  connections(): number;
}

const zeroCounts = () => Object.fromEntries(NETWORK_ELEMENTS.map((e) => [e, 0])) as Record<NetworkElementName, number>;

function emptyState(): NetworkState {
  return { subscribers: {}, dataPolicies: {}, ports: {}, entitlements: {}, stats: { received: zeroCounts(), applied: zeroCounts() } };
}

function loadState(file: string): NetworkState {
  if (!fs.existsSync(file)) return emptyState();
  let parsed: Partial<NetworkState>;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<NetworkState>;
  } catch (err) {
    throw new Error(`network state file ${file} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  const empty = emptyState();
  return {
    subscribers: parsed.subscribers ?? {},
    dataPolicies: parsed.dataPolicies ?? {},
    ports: parsed.ports ?? {},
    entitlements: parsed.entitlements ?? {},
    stats: {
      received: { ...empty.stats.received, ...parsed.stats?.received },
      applied: { ...empty.stats.applied, ...parsed.stats?.applied },
    },
  };
}

/** Write to a temporary file, then rename over the old one: a reader never sees half a file. */
function saveState(file: string, state: NetworkState): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, JSON.stringify(state, null, 1));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

// ---- parameter checking ----------------------------------------------------------------------

type Check = (value: string) => boolean;
const re = (pattern: RegExp): Check => (v) => pattern.test(v);
const V = {
  imsi: re(/^\d{6,15}$/),
  msisdn: re(/^\+\d{6,15}$/),
  iccid: re(/^\d{18,22}$/),
  profile: re(/^(PREPAID|POSTPAID)$/),
  yesNo: re(/^(YES|NO)$/),
  mbps: re(/^[1-9]\d{0,5}$/),
  node: re(/^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/),
  port: re(/^\d{1,3}(\/\d{1,3}){1,3}$/),
  id: re(/^[A-Za-z0-9][A-Za-z0-9._:@+-]{0,63}$/),
  product: re(/^[A-Z0-9][A-Z0-9_-]{0,63}$/),
  element: re(/^(HLR|PCRF|OLT|CONTENT|ALL)$/),
  mode: re(/^(FAIL|TIMEOUT|SLOW|DROPREPLY)$/),
  count: re(/^[1-9]\d{0,5}$/),
  delay: (v: string) => /^\d{1,6}$/.test(v) && Number(v) <= 600_000,
};

const HINTS = new Map<Check, string>([
  [V.imsi, '6 to 15 digits'],
  [V.msisdn, '+ and 6 to 15 digits'],
  [V.iccid, '18 to 22 digits'],
  [V.profile, 'PREPAID or POSTPAID'],
  [V.yesNo, 'YES or NO'],
  [V.mbps, 'a whole number of Mbit/s from 1'],
  [V.node, 'a node name'],
  [V.port, 'frame/slot/port, e.g. 1/1/7'],
  [V.id, 'an identifier of up to 64 characters'],
  [V.product, 'a product code in capitals'],
  [V.element, 'HLR, PCRF, OLT, CONTENT or ALL'],
  [V.mode, 'FAIL, TIMEOUT, SLOW or DROPREPLY'],
  [V.count, 'a whole number from 1'],
  [V.delay, 'milliseconds, 0 to 600000'],
]);

interface ParamSpec {
  required: Record<string, Check>;
  optional?: Record<string, Check>;
}

class Refusal extends Error {
  constructor(
    readonly retcode: number,
    message: string,
  ) {
    super(message);
  }
}

function checkParams(cmd: MmlTaggedCommand, spec: ParamSpec): Record<string, string> {
  const known = { ...spec.required, ...spec.optional };
  for (const key of Object.keys(cmd.params)) {
    if (!known[key]) throw new Refusal(RETCODE.INVALID_PARAMETER, `Unknown parameter ${key} for ${cmd.verb} ${cmd.object}; allowed: ${Object.keys(known).join(', ')}`);
  }
  for (const key of Object.keys(spec.required)) {
    if (cmd.params[key] === undefined) throw new Refusal(RETCODE.INVALID_PARAMETER, `Missing parameter ${key} for ${cmd.verb} ${cmd.object}`);
  }
  for (const [key, value] of Object.entries(cmd.params)) {
    const check = known[key];
    if (!check(value)) throw new Refusal(RETCODE.INVALID_PARAMETER, `Invalid value of ${key}: "${value}" (expected ${HINTS.get(check) ?? 'another value'})`);
  }
  return cmd.params;
}

// ---- the elements ----------------------------------------------------------------------------

interface Outcome {
  retcode: number;
  desc: string;
  attrs?: Record<string, string>;
  /** The element's state changed. */
  applied?: boolean;
}

const ok = (desc: string, applied = false, attrs?: Record<string, string>): Outcome => ({ retcode: RETCODE.SUCCESS, desc, applied, ...(attrs ? { attrs } : {}) });
const portKey = (node: string, port: string) => `${node} ${port}`;
const entitlementKey = (subscriber: string, product: string) => `${subscriber} ${product}`;
const yes = (v: string | undefined) => v !== 'NO';
const yn = (b: boolean) => (b ? 'YES' : 'NO');

function subscriberAttrs(s: Subscriber): Record<string, string> {
  return { IMSI: s.imsi, MSISDN: s.msisdn, ICCID: s.iccid, PROFILE: s.profile, VOICE: yn(s.voice), SMS: yn(s.sms), DATA: yn(s.data), BARRING: s.barring };
}

function portAttrs(p: AccessPort): Record<string, string> {
  return { NODE: p.node, PORT: p.port, DOWNLINK: String(p.downlinkMbps), UPLINK: String(p.uplinkMbps), ...(p.service ? { SERVICE: p.service } : {}), STATE: p.adminState };
}

/** What differs between two records, as parameter names. */
function differences(a: Record<string, unknown>, b: Record<string, unknown>, names: Record<string, string>): string[] {
  return Object.entries(names).filter(([field]) => a[field] !== b[field]).map(([, name]) => name);
}

type Handler = (cmd: MmlTaggedCommand, state: NetworkState) => Outcome;

const SUBSCRIBER_FIELDS = { msisdn: 'MSISDN', iccid: 'ICCID', profile: 'PROFILE', voice: 'VOICE', sms: 'SMS', data: 'DATA' };
const PORT_FIELDS = { downlinkMbps: 'DOWNLINK', uplinkMbps: 'UPLINK', service: 'SERVICE' };

const HANDLERS: Record<string, Handler> = {
  'CREATE SUBSCRIBER': (cmd, st) => {
    const p = checkParams(cmd, { required: { MSISDN: V.msisdn, IMSI: V.imsi, ICCID: V.iccid, PROFILE: V.profile }, optional: { VOICE: V.yesNo, SMS: V.yesNo, DATA: V.yesNo } });
    const wanted: Subscriber = { imsi: p.IMSI, msisdn: p.MSISDN, iccid: p.ICCID, profile: p.PROFILE as Subscriber['profile'], voice: yes(p.VOICE), sms: yes(p.SMS), data: yes(p.DATA), barring: 'NONE' };
    const existing = st.subscribers[wanted.imsi];
    if (existing) {
      const diff = differences(existing as unknown as Record<string, unknown>, wanted as unknown as Record<string, unknown>, SUBSCRIBER_FIELDS);
      if (diff.length) throw new Refusal(RETCODE.CONFLICT, `Subscriber IMSI=${wanted.imsi} exists with different ${diff.join(', ')}`);
      return ok('Subscriber already exists, unchanged');
    }
    const clash = Object.values(st.subscribers).find((s) => s.msisdn === wanted.msisdn || s.iccid === wanted.iccid);
    if (clash) throw new Refusal(RETCODE.CONFLICT, `${clash.msisdn === wanted.msisdn ? `MSISDN=${wanted.msisdn}` : `ICCID=${wanted.iccid}`} belongs to subscriber IMSI=${clash.imsi}`);
    st.subscribers[wanted.imsi] = wanted;
    return ok('Subscriber created', true);
  },
  'DELETE SUBSCRIBER': (cmd, st) => {
    const p = checkParams(cmd, { required: { IMSI: V.imsi } });
    if (!st.subscribers[p.IMSI]) return ok('Subscriber does not exist, nothing to delete');
    delete st.subscribers[p.IMSI];
    return ok('Subscriber deleted', true);
  },
  'SUSPEND SUBSCRIBER': (cmd, st) => setBarring(cmd, st, 'OUTGOING'),
  'RESUME SUBSCRIBER': (cmd, st) => setBarring(cmd, st, 'NONE'),
  'DISPLAY SUBSCRIBER': (cmd, st) => {
    const p = checkParams(cmd, { required: {}, optional: { IMSI: V.imsi, MSISDN: V.msisdn } });
    if ((p.IMSI === undefined) === (p.MSISDN === undefined)) throw new Refusal(RETCODE.INVALID_PARAMETER, 'DISPLAY SUBSCRIBER needs exactly one of IMSI, MSISDN');
    const found = p.IMSI ? st.subscribers[p.IMSI] : Object.values(st.subscribers).find((s) => s.msisdn === p.MSISDN);
    if (!found) throw new Refusal(RETCODE.NOT_FOUND, `Subscriber ${p.IMSI ? `IMSI=${p.IMSI}` : `MSISDN=${p.MSISDN}`} does not exist`);
    return ok('Subscriber found', false, subscriberAttrs(found));
  },

  'SET DATAPOLICY': (cmd, st) => {
    const p = checkParams(cmd, { required: { IMSI: V.imsi, DOWNLINK: V.mbps, UPLINK: V.mbps } });
    const wanted: DataPolicy = { imsi: p.IMSI, downlinkMbps: Number(p.DOWNLINK), uplinkMbps: Number(p.UPLINK) };
    const existing = st.dataPolicies[p.IMSI];
    if (existing && existing.downlinkMbps === wanted.downlinkMbps && existing.uplinkMbps === wanted.uplinkMbps) return ok('Data policy already set, unchanged');
    st.dataPolicies[p.IMSI] = wanted;
    return ok(existing ? 'Data policy changed' : 'Data policy set', true);
  },
  'REMOVE DATAPOLICY': (cmd, st) => {
    const p = checkParams(cmd, { required: { IMSI: V.imsi } });
    if (!st.dataPolicies[p.IMSI]) return ok('Data policy does not exist, nothing to remove');
    delete st.dataPolicies[p.IMSI];
    return ok('Data policy removed', true);
  },
  'DISPLAY DATAPOLICY': (cmd, st) => {
    const p = checkParams(cmd, { required: { IMSI: V.imsi } });
    const found = st.dataPolicies[p.IMSI];
    if (!found) throw new Refusal(RETCODE.NOT_FOUND, `Data policy of IMSI=${p.IMSI} does not exist`);
    return ok('Data policy found', false, { IMSI: found.imsi, DOWNLINK: String(found.downlinkMbps), UPLINK: String(found.uplinkMbps) });
  },

  'ACTIVATE PORT': (cmd, st) => {
    const p = checkParams(cmd, { required: { NODE: V.node, PORT: V.port, DOWNLINK: V.mbps, UPLINK: V.mbps }, optional: { SERVICE: V.id } });
    const wanted: AccessPort = { node: p.NODE, port: p.PORT, downlinkMbps: Number(p.DOWNLINK), uplinkMbps: Number(p.UPLINK), ...(p.SERVICE ? { service: p.SERVICE } : {}), adminState: 'UP' };
    const existing = st.ports[portKey(p.NODE, p.PORT)];
    if (existing) {
      const diff = differences(existing as unknown as Record<string, unknown>, wanted as unknown as Record<string, unknown>, PORT_FIELDS);
      if (diff.length) throw new Refusal(RETCODE.CONFLICT, `Port ${p.NODE} ${p.PORT} is active with different ${diff.join(', ')}`);
      return ok('Port already active, unchanged');
    }
    st.ports[portKey(p.NODE, p.PORT)] = wanted;
    return ok('Port activated', true);
  },
  'DEACTIVATE PORT': (cmd, st) => {
    const p = checkParams(cmd, { required: { NODE: V.node, PORT: V.port }, optional: { SERVICE: V.id } });
    const existing = st.ports[portKey(p.NODE, p.PORT)];
    if (!existing) return ok('Port is not active, nothing to deactivate');
    // A port handed to another service since must not be cut by the old one's deactivation.
    if (p.SERVICE && existing.service !== p.SERVICE) throw new Refusal(RETCODE.CONFLICT, `Port ${p.NODE} ${p.PORT} serves ${existing.service ?? 'no named service'}, not ${p.SERVICE}`);
    delete st.ports[portKey(p.NODE, p.PORT)];
    return ok('Port deactivated', true);
  },
  'SUSPEND PORT': (cmd, st) => setPortState(cmd, st, 'DOWN'),
  'RESUME PORT': (cmd, st) => setPortState(cmd, st, 'UP'),
  'DISPLAY PORT': (cmd, st) => {
    const p = checkParams(cmd, { required: { NODE: V.node, PORT: V.port } });
    const found = st.ports[portKey(p.NODE, p.PORT)];
    if (!found) throw new Refusal(RETCODE.NOT_FOUND, `Port ${p.NODE} ${p.PORT} is not active`);
    return ok('Port found', false, portAttrs(found));
  },

  'GRANT ENTITLEMENT': (cmd, st) => {
    const p = checkParams(cmd, { required: { SUBSCRIBER: V.id, PRODUCT: V.product } });
    const key = entitlementKey(p.SUBSCRIBER, p.PRODUCT);
    if (st.entitlements[key]) return ok('Entitlement already granted, unchanged');
    st.entitlements[key] = { subscriber: p.SUBSCRIBER, product: p.PRODUCT };
    return ok('Entitlement granted', true);
  },
  'REVOKE ENTITLEMENT': (cmd, st) => {
    const p = checkParams(cmd, { required: { SUBSCRIBER: V.id, PRODUCT: V.product } });
    const key = entitlementKey(p.SUBSCRIBER, p.PRODUCT);
    if (!st.entitlements[key]) return ok('Entitlement not granted, nothing to revoke');
    delete st.entitlements[key];
    return ok('Entitlement revoked', true);
  },
  'DISPLAY ENTITLEMENT': (cmd, st) => {
    const p = checkParams(cmd, { required: { SUBSCRIBER: V.id } });
    const products = Object.values(st.entitlements).filter((e) => e.subscriber === p.SUBSCRIBER).map((e) => e.product).sort();
    return ok(`${products.length} entitlement(s)`, false, { SUBSCRIBER: p.SUBSCRIBER, PRODUCTS: products.join(',') });
  },
};

function setBarring(cmd: MmlTaggedCommand, st: NetworkState, barring: Subscriber['barring']): Outcome {
  const p = checkParams(cmd, { required: { IMSI: V.imsi } });
  const s = st.subscribers[p.IMSI];
  if (!s) throw new Refusal(RETCODE.NOT_FOUND, `Subscriber IMSI=${p.IMSI} does not exist`);
  const word = barring === 'NONE' ? 'resumed' : 'suspended';
  if (s.barring === barring) return ok(`Subscriber already ${word}, unchanged`);
  s.barring = barring;
  return ok(`Subscriber ${word}`, true);
}

function setPortState(cmd: MmlTaggedCommand, st: NetworkState, adminState: AccessPort['adminState']): Outcome {
  const p = checkParams(cmd, { required: { NODE: V.node, PORT: V.port } });
  const found = st.ports[portKey(p.NODE, p.PORT)];
  if (!found) throw new Refusal(RETCODE.NOT_FOUND, `Port ${p.NODE} ${p.PORT} is not active`);
  const word = adminState === 'UP' ? 'resumed' : 'suspended';
  if (found.adminState === adminState) return ok(`Port already ${word}, unchanged`);
  found.adminState = adminState;
  return ok(`Port ${word}`, true);
}

// ---- the server ------------------------------------------------------------------------------

function describeFault(f: Fault | undefined): string {
  if (!f) return 'NONE';
  return [f.mode, f.count !== undefined ? `COUNT=${f.count}` : '', f.mode === 'SLOW' ? `DELAY=${f.delayMs ?? 0}` : ''].filter(Boolean).join(' ');
}

/** Starts the simulator; `port` 0 picks a free one (the handle says which). */
export async function startNetworkSimulator(opts: { host?: string; port: number; stateFile?: string }): Promise<NetworkSimulator> {
  const host = opts.host ?? '127.0.0.1';
  const state = opts.stateFile ? loadState(opts.stateFile) : emptyState();
  const faults = new Map<NetworkElementName, Fault>();
  const sockets = new Set<net.Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;

  const persist = () => {
    if (opts.stateFile) saveState(opts.stateFile, state);
  };

  const setFault = (element: NetworkElementName, fault: Fault) => {
    faults.set(element, { ...fault });
  };
  const clearFaults = (element?: NetworkElementName) => {
    if (element) faults.delete(element);
    else faults.clear();
  };

  /** Simulator commands: faults and statistics. They never fail by injection. */
  function manage(cmd: MmlTaggedCommand): Outcome {
    const key = `${cmd.verb} ${cmd.object}`;
    if (key === 'SET FAULT') {
      const p = checkParams(cmd, { required: { ELEMENT: V.element, MODE: V.mode }, optional: { COUNT: V.count, DELAY: V.delay } });
      if (p.MODE === 'SLOW' && p.DELAY === undefined) throw new Refusal(RETCODE.INVALID_PARAMETER, 'MODE=SLOW needs DELAY (milliseconds)');
      if (p.MODE !== 'SLOW' && p.DELAY !== undefined) throw new Refusal(RETCODE.INVALID_PARAMETER, 'DELAY applies to MODE=SLOW only');
      const fault: Fault = { mode: p.MODE as FaultMode, ...(p.COUNT ? { count: Number(p.COUNT) } : {}), ...(p.DELAY ? { delayMs: Number(p.DELAY) } : {}) };
      const targets = p.ELEMENT === 'ALL' ? NETWORK_ELEMENTS : [p.ELEMENT as NetworkElementName];
      for (const e of targets) setFault(e, fault);
      return ok(`Fault set on ${targets.join(', ')}: ${describeFault(fault)}`);
    }
    if (key === 'CLEAR FAULT') {
      const p = checkParams(cmd, { required: { ELEMENT: V.element } });
      clearFaults(p.ELEMENT === 'ALL' ? undefined : (p.ELEMENT as NetworkElementName));
      return ok(`Fault cleared on ${p.ELEMENT}`);
    }
    if (key === 'DISPLAY FAULT') {
      checkParams(cmd, { required: {} });
      return ok('Faults', false, Object.fromEntries(NETWORK_ELEMENTS.map((e) => [e, describeFault(faults.get(e))])));
    }
    if (key === 'DISPLAY STATS') {
      checkParams(cmd, { required: {} });
      const attrs: Record<string, string> = {};
      for (const e of NETWORK_ELEMENTS) attrs[e] = String(state.stats.applied[e]);
      for (const e of NETWORK_ELEMENTS) attrs[`${e}_RECEIVED`] = String(state.stats.received[e]);
      return ok('Commands that took effect, per element', false, attrs);
    }
    throw new Refusal(RETCODE.INVALID_COMMAND, `Unknown command ${key}`);
  }

  function execute(element: NetworkElementName, cmd: MmlTaggedCommand): Outcome {
    const handler = HANDLERS[`${cmd.verb} ${cmd.object}`];
    if (!handler) throw new Refusal(RETCODE.INVALID_COMMAND, `Unknown command ${cmd.verb} ${cmd.object}`);
    // Every handler checks all it needs before it changes anything, so a refusal changes nothing.
    const outcome = handler(cmd, state);
    if (outcome.applied) state.stats.applied[element]++;
    return outcome;
  }

  const guarded = (run: () => Outcome): Outcome => {
    try {
      return run();
    } catch (err) {
      if (err instanceof Refusal) return { retcode: err.retcode, desc: err.message };
      return { retcode: RETCODE.INTERNAL_ERROR, desc: `Internal error: ${(err as Error).message}` };
    }
  };

  function send(socket: net.Socket, reply: MmlReply): void {
    if (!stopped && !socket.destroyed && socket.writable) socket.write(`${formatReply(reply)}\n`);
  }

  const replyOf = (ctag: number | undefined, o: Outcome): MmlReply => ({ ...(ctag !== undefined ? { ctag } : {}), retcode: o.retcode, desc: o.desc, attrs: o.attrs ?? {} });

  function handleStatement(socket: net.Socket, text: string): void {
    let cmd: MmlTaggedCommand;
    try {
      cmd = parseCommand(text);
    } catch (err) {
      const reason = err instanceof MmlSyntaxError ? `Syntax error: ${err.message}` : 'Syntax error';
      send(socket, replyOf(salvageCtag(text), { retcode: RETCODE.INVALID_COMMAND, desc: reason }));
      return;
    }
    const element = elementOfObject(cmd.object);
    if (!element) {
      send(socket, replyOf(cmd.ctag, guarded(() => manage(cmd))));
      return;
    }
    state.stats.received[element]++;
    const fault = faults.get(element);
    if (fault) {
      if (fault.count !== undefined && --fault.count <= 0) faults.delete(element);
    }
    const run = () => {
      const outcome = guarded(() => execute(element, cmd));
      if (!outcome.applied) return outcome;
      try {
        persist();
      } catch (err) {
        // The change is kept in memory; the next successful write carries it.
        outcome.desc += ` (state not saved: ${(err as Error).message})`;
      }
      return outcome;
    };
    switch (fault?.mode) {
      case 'FAIL':
        send(socket, replyOf(cmd.ctag, { retcode: RETCODE.ELEMENT_FAILURE, desc: `${element} failure: command not executed` }));
        return;
      case 'TIMEOUT':
        return; // the element is unreachable: no answer, nothing done
      case 'DROPREPLY':
        run(); // done, but the answer is lost on the way back
        return;
      case 'SLOW': {
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (stopped) return;
          send(socket, replyOf(cmd.ctag, run()));
        }, fault.delayMs ?? 0);
        timers.add(timer);
        return;
      }
      default:
        send(socket, replyOf(cmd.ctag, run()));
    }
  }

  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.setEncoding('utf8');
    socket.setNoDelay(true);
    const framer = new MmlFramer();
    socket.on('data', (chunk: string) => {
      let statements: string[];
      try {
        statements = framer.push(chunk);
      } catch (err) {
        // What was complete before the overflow is still answered.
        for (const statement of err instanceof MmlFrameError ? err.statements : []) handleStatement(socket, statement);
        send(socket, replyOf(undefined, { retcode: RETCODE.INVALID_COMMAND, desc: `${(err as Error).message}; closing the connection` }));
        socket.end();
        socket.destroySoon();
        return;
      }
      for (const statement of statements) handleStatement(socket, statement);
    });
    // A client that vanishes (reset, half-open) is simply forgotten.
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', () => undefined);
  const port = (server.address() as net.AddressInfo).port;

  const copy = <T>(v: T): T => structuredClone(v);
  return {
    host,
    port,
    url: `tcp://${host}:${port}`,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
      persist(); // the received counters since the last change
    },
    state: () => copy(state),
    stats: () => copy(state.stats),
    subscriber: (imsi) => copy(state.subscribers[imsi]),
    dataPolicy: (imsi) => copy(state.dataPolicies[imsi]),
    accessPort: (node, p) => copy(state.ports[portKey(node, p)]),
    entitlements: (subscriber) => Object.values(state.entitlements).filter((e) => e.subscriber === subscriber).map((e) => e.product).sort(),
    setFault,
    clearFaults,
    connections: () => sockets.size,
  };
}
