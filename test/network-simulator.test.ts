/**
 * The network simulator over TCP: the protocol, idempotent commands, refusals, each injected
 * fault, malformed input, many commands in flight on one connection, state kept across a restart,
 * and the client's typed errors and reconnection.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { NetworkClient, NetworkCommandError, NetworkConnectionError, NetworkTimeoutError } from '../network/client';
import { MmlFramer, type MmlCommand } from '../network/mml';
import { startNetworkSimulator, type NetworkSimulator } from '../network/simulator';
import { freePort } from './helpers/ports';

/** A raw connection: writes text, reads reply statements in arrival order. */
class RawLine {
  private readonly replies: string[] = [];
  private waiters: Array<(text: string) => void> = [];
  closed = false;
  private constructor(readonly socket: net.Socket) {
    const framer = new MmlFramer();
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      for (const text of framer.push(chunk)) {
        const waiter = this.waiters.shift();
        if (waiter) waiter(text);
        else this.replies.push(text);
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => (this.closed = true));
  }
  static open(port: number): Promise<RawLine> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => resolve(new RawLine(socket)));
      socket.once('error', reject);
    });
  }
  write(text: string): void {
    this.socket.write(text);
  }
  next(): Promise<string> {
    const queued = this.replies.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve) => this.waiters.push(resolve));
  }
  async ask(text: string): Promise<string> {
    this.write(text);
    return this.next();
  }
  closedPromise(): Promise<void> {
    return this.closed ? Promise.resolve() : new Promise((resolve) => this.socket.once('close', () => resolve()));
  }
  end(): void {
    this.socket.destroy();
  }
}

const c = (verb: string, object: string, params: Record<string, string> = {}): MmlCommand => ({ verb, object, params });
const subscriber = (n: number, extra: Record<string, string> = {}) =>
  c('CREATE', 'SUBSCRIBER', { MSISDN: `+3460000${String(n).padStart(4, '0')}`, IMSI: `21401000000${String(n).padStart(4, '0')}`, ICCID: `89340100000000${String(n).padStart(5, '0')}`, PROFILE: 'PREPAID', ...extra });
const imsi = (n: number) => `21401000000${String(n).padStart(4, '0')}`;

async function waitFor(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
  expect(check()).toBe(true);
}

async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a failure');
}

describe('network simulator', () => {
  let sim: NetworkSimulator;
  let client: NetworkClient;
  const lines: RawLine[] = [];
  const open = async () => {
    const line = await RawLine.open(sim.port);
    lines.push(line);
    return line;
  };

  beforeEach(async () => {
    sim = await startNetworkSimulator({ port: 0 });
    client = new NetworkClient({ host: '127.0.0.1', port: sim.port, timeoutMs: 5000 });
  });

  afterEach(async () => {
    for (const line of lines.splice(0)) line.end();
    await client.close();
    await sim.stop();
  });

  describe('protocol', () => {
    it('answers each command with RESP, its CTAG, RETCODE and DESC', async () => {
      const line = await open();
      expect(await line.ask('CREATE SUBSCRIBER: CTAG=17, MSISDN=+34600000001, IMSI=214010000000001, ICCID=8934010000000000001, PROFILE=PREPAID;\n')).toBe(
        'RESP: CTAG=17, RETCODE=0, DESC="Subscriber created";',
      );
      expect(await line.ask('DISPLAY SUBSCRIBER: CTAG=18, MSISDN=+34600000001;')).toBe(
        'RESP: CTAG=18, RETCODE=0, DESC="Subscriber found", IMSI=214010000000001, MSISDN=+34600000001, ICCID=8934010000000000001, PROFILE=PREPAID, VOICE=YES, SMS=YES, DATA=YES, BARRING=NONE;',
      );
      expect(await line.ask('SUSPEND SUBSCRIBER: CTAG=19, IMSI=214010000000001;')).toBe('RESP: CTAG=19, RETCODE=0, DESC="Subscriber suspended";');
      expect(sim.subscriber('214010000000001')?.barring).toBe('OUTGOING');
      expect(await line.ask('SUSPEND SUBSCRIBER: CTAG=20, IMSI=214010000000001;')).toBe('RESP: CTAG=20, RETCODE=0, DESC="Subscriber already suspended, unchanged";');
      expect(await line.ask('RESUME SUBSCRIBER: CTAG=21, IMSI=214010000000001;')).toBe('RESP: CTAG=21, RETCODE=0, DESC="Subscriber resumed";');
      expect(await line.ask('SUSPEND SUBSCRIBER: CTAG=22, IMSI=214010000000999;')).toBe('RESP: CTAG=22, RETCODE=1004, DESC="Subscriber IMSI=214010000000999 does not exist";');
    });

    it('keeps the four elements: data policies, ports and entitlements', async () => {
      await client.send(c('SET', 'DATAPOLICY', { IMSI: imsi(1), DOWNLINK: '100', UPLINK: '50' }));
      expect((await client.send(c('SET', 'DATAPOLICY', { IMSI: imsi(1), DOWNLINK: '200', UPLINK: '50' }))).reply.desc).toBe('Data policy changed');
      expect(sim.dataPolicy(imsi(1))).toEqual({ imsi: imsi(1), downlinkMbps: 200, uplinkMbps: 50 });
      await client.send(c('ACTIVATE', 'PORT', { NODE: 'OLT-MAD-01', PORT: '1/1/7', DOWNLINK: '600', UPLINK: '600', SERVICE: 'svc-1' }));
      expect((await client.send(c('DISPLAY', 'PORT', { NODE: 'OLT-MAD-01', PORT: '1/1/7' }))).replyText).toMatch(/DOWNLINK=600, UPLINK=600, SERVICE=svc-1, STATE=UP;$/);
      await client.send(c('SUSPEND', 'PORT', { NODE: 'OLT-MAD-01', PORT: '1/1/7' }));
      expect(sim.accessPort('OLT-MAD-01', '1/1/7')?.adminState).toBe('DOWN');
      await client.send(c('GRANT', 'ENTITLEMENT', { SUBSCRIBER: 'cust-1', PRODUCT: 'VIDEO-PREMIUM' }));
      await client.send(c('GRANT', 'ENTITLEMENT', { SUBSCRIBER: 'cust-1', PRODUCT: 'MUSIC' }));
      expect((await client.send(c('DISPLAY', 'ENTITLEMENT', { SUBSCRIBER: 'cust-1' }))).reply.attrs).toEqual({ SUBSCRIBER: 'cust-1', PRODUCTS: 'MUSIC,VIDEO-PREMIUM' });
      expect(sim.stats().applied).toEqual({ HLR: 0, PCRF: 2, OLT: 2, CONTENT: 2 });
    });

    it('refuses unknown commands and bad parameters, naming them, and changes nothing', async () => {
      const line = await open();
      expect(await line.ask('CREATE ROUTER: CTAG=1, NAME=x;')).toBe('RESP: CTAG=1, RETCODE=1001, DESC="Unknown command CREATE ROUTER";');
      expect(await line.ask('CREATE SUBSCRIBER: CTAG=2, MSISDN=600000001, IMSI=214010000000001, ICCID=8934010000000000001, PROFILE=PREPAID;')).toBe(
        'RESP: CTAG=2, RETCODE=1002, DESC="Invalid value of MSISDN: \\"600000001\\" (expected + and 6 to 15 digits)";',
      );
      expect(await line.ask('CREATE SUBSCRIBER: CTAG=3, IMSI=214010000000001;')).toBe('RESP: CTAG=3, RETCODE=1002, DESC="Missing parameter MSISDN for CREATE SUBSCRIBER";');
      expect(await line.ask('DELETE SUBSCRIBER: CTAG=4, IMSI=214010000000001, COLOUR=RED;')).toBe(
        'RESP: CTAG=4, RETCODE=1002, DESC="Unknown parameter COLOUR for DELETE SUBSCRIBER; allowed: IMSI";',
      );
      expect(sim.state().subscribers).toEqual({});
    });
  });

  describe('idempotence', () => {
    it('a repeated create succeeds unchanged and takes effect once', async () => {
      expect((await client.send(subscriber(1))).reply.desc).toBe('Subscriber created');
      expect((await client.send(subscriber(1))).reply.desc).toBe('Subscriber already exists, unchanged');
      expect((await client.send(c('ACTIVATE', 'PORT', { NODE: 'OLT-1', PORT: '1/1/1', DOWNLINK: '300', UPLINK: '300' }))).reply.desc).toBe('Port activated');
      expect((await client.send(c('ACTIVATE', 'PORT', { NODE: 'OLT-1', PORT: '1/1/1', DOWNLINK: '300', UPLINK: '300' }))).reply.desc).toBe('Port already active, unchanged');
      expect((await client.send(c('GRANT', 'ENTITLEMENT', { SUBSCRIBER: 's', PRODUCT: 'P' }))).reply.desc).toBe('Entitlement granted');
      expect((await client.send(c('GRANT', 'ENTITLEMENT', { SUBSCRIBER: 's', PRODUCT: 'P' }))).reply.desc).toBe('Entitlement already granted, unchanged');
      expect(sim.stats()).toEqual({ applied: { HLR: 1, PCRF: 0, OLT: 1, CONTENT: 1 }, received: { HLR: 2, PCRF: 0, OLT: 2, CONTENT: 2 } });
    });

    it('a create that finds different data is refused and changes nothing', async () => {
      await client.send(subscriber(1));
      const before = sim.state();
      const refused = await failure(client.send(subscriber(1, { PROFILE: 'POSTPAID', DATA: 'NO' })));
      expect(refused).toBeInstanceOf(NetworkCommandError);
      expect((refused as NetworkCommandError).retcode).toBe(1003);
      expect((refused as NetworkCommandError).retryable).toBe(false);
      expect((refused as NetworkCommandError).exchange.reply.desc).toBe('Subscriber IMSI=214010000000001 exists with different PROFILE, DATA');
      // Another IMSI with a number already in use.
      const taken = await failure(client.send(subscriber(2, { MSISDN: '+34600000001' })));
      expect((taken as NetworkCommandError).exchange.reply.desc).toBe('MSISDN=+34600000001 belongs to subscriber IMSI=214010000000001');
      await client.send(c('ACTIVATE', 'PORT', { NODE: 'OLT-1', PORT: '1/1/1', DOWNLINK: '300', UPLINK: '300', SERVICE: 'a' }));
      const port = await failure(client.send(c('ACTIVATE', 'PORT', { NODE: 'OLT-1', PORT: '1/1/1', DOWNLINK: '300', UPLINK: '300', SERVICE: 'b' })));
      expect((port as NetworkCommandError).exchange.reply.desc).toBe('Port OLT-1 1/1/1 is active with different SERVICE');
      const cut = await failure(client.send(c('DEACTIVATE', 'PORT', { NODE: 'OLT-1', PORT: '1/1/1', SERVICE: 'b' })));
      expect((cut as NetworkCommandError).retcode).toBe(1003);
      expect(sim.state().subscribers).toEqual(before.subscribers);
      expect(sim.accessPort('OLT-1', '1/1/1')?.service).toBe('a');
    });

    it('removing what is absent succeeds and counts nothing', async () => {
      expect((await client.send(c('DELETE', 'SUBSCRIBER', { IMSI: imsi(5) }))).reply.desc).toBe('Subscriber does not exist, nothing to delete');
      expect((await client.send(c('REMOVE', 'DATAPOLICY', { IMSI: imsi(5) }))).reply.desc).toBe('Data policy does not exist, nothing to remove');
      expect((await client.send(c('DEACTIVATE', 'PORT', { NODE: 'OLT-1', PORT: '1/1/2' }))).reply.desc).toBe('Port is not active, nothing to deactivate');
      expect((await client.send(c('REVOKE', 'ENTITLEMENT', { SUBSCRIBER: 's', PRODUCT: 'P' }))).reply.desc).toBe('Entitlement not granted, nothing to revoke');
      await client.send(subscriber(5));
      expect((await client.send(c('DELETE', 'SUBSCRIBER', { IMSI: imsi(5) }))).reply.desc).toBe('Subscriber deleted');
      expect(sim.stats().applied).toEqual({ HLR: 2, PCRF: 0, OLT: 0, CONTENT: 0 });
    });
  });

  describe('faults', () => {
    it('FAIL answers element failure, changes nothing, for COUNT commands of that element only', async () => {
      expect((await client.send(c('SET', 'FAULT', { ELEMENT: 'HLR', MODE: 'FAIL', COUNT: '2' }))).reply.desc).toBe('Fault set on HLR: FAIL COUNT=2');
      for (let i = 0; i < 2; i++) {
        const err = await failure(client.send(subscriber(1)));
        expect(err).toBeInstanceOf(NetworkCommandError);
        expect((err as NetworkCommandError).retcode).toBe(1005);
        expect((err as NetworkCommandError).retryable).toBe(true);
        expect((err as NetworkCommandError).exchange.reply.desc).toBe('HLR failure: command not executed');
      }
      expect(sim.subscriber(imsi(1))).toBeUndefined();
      expect((await client.send(subscriber(1))).reply.desc).toBe('Subscriber created');
      expect(sim.stats().applied.HLR).toBe(1);
    });

    it('FAIL without COUNT lasts until CLEAR FAULT; other elements keep working', async () => {
      await client.send(c('SET', 'FAULT', { ELEMENT: 'PCRF', MODE: 'FAIL' }));
      expect((await client.send(c('DISPLAY', 'FAULT'))).reply.attrs).toEqual({ HLR: 'NONE', PCRF: 'FAIL', OLT: 'NONE', CONTENT: 'NONE' });
      await client.send(subscriber(1));
      for (let i = 0; i < 3; i++) expect(await failure(client.send(c('SET', 'DATAPOLICY', { IMSI: imsi(1), DOWNLINK: '1', UPLINK: '1' })))).toBeInstanceOf(NetworkCommandError);
      await client.send(c('CLEAR', 'FAULT', { ELEMENT: 'PCRF' }));
      expect((await client.send(c('SET', 'DATAPOLICY', { IMSI: imsi(1), DOWNLINK: '1', UPLINK: '1' }))).reply.retcode).toBe(0);
    });

    it('TIMEOUT answers nothing and changes nothing', async () => {
      await client.send(c('SET', 'FAULT', { ELEMENT: 'OLT', MODE: 'TIMEOUT', COUNT: '1' }));
      const err = await failure(client.send(c('ACTIVATE', 'PORT', { NODE: 'OLT-1', PORT: '1/1/1', DOWNLINK: '1', UPLINK: '1' }), { timeoutMs: 300 }));
      expect(err).toBeInstanceOf(NetworkTimeoutError);
      expect(err.message).toBe('no reply within 300 ms to ACTIVATE PORT: CTAG=2, NODE=OLT-1, PORT=1/1/1, DOWNLINK=1, UPLINK=1;');
      expect(sim.accessPort('OLT-1', '1/1/1')).toBeUndefined();
      // The connection is still good, and the retry goes through.
      expect((await client.send(c('ACTIVATE', 'PORT', { NODE: 'OLT-1', PORT: '1/1/1', DOWNLINK: '1', UPLINK: '1' }))).reply.desc).toBe('Port activated');
    });

    it('SLOW answers after DELAY; a caller that gave up sees a timeout, and the late reply is ignored', async () => {
      await client.send(c('SET', 'FAULT', { ELEMENT: 'CONTENT', MODE: 'SLOW', DELAY: '400', COUNT: '2' }));
      const gaveUp = await failure(client.send(c('GRANT', 'ENTITLEMENT', { SUBSCRIBER: 's', PRODUCT: 'A' }), { timeoutMs: 50 }));
      expect(gaveUp).toBeInstanceOf(NetworkTimeoutError);
      // The slow element still does it.
      await waitFor(() => sim.entitlements('s').includes('A'));
      const patient = await client.send(c('GRANT', 'ENTITLEMENT', { SUBSCRIBER: 's', PRODUCT: 'B' }), { timeoutMs: 10_000 });
      expect(patient.reply.desc).toBe('Entitlement granted');
      expect(sim.entitlements('s')).toEqual(['A', 'B']);
    });

    it('DROPREPLY does the command but loses the answer; the retry finds it done', async () => {
      await client.send(c('SET', 'FAULT', { ELEMENT: 'HLR', MODE: 'DROPREPLY', COUNT: '1' }));
      expect(await failure(client.send(subscriber(3), { timeoutMs: 300 }))).toBeInstanceOf(NetworkTimeoutError);
      expect(sim.subscriber(imsi(3))).toBeDefined();
      expect((await client.send(subscriber(3))).reply.desc).toBe('Subscriber already exists, unchanged');
      expect(sim.stats().applied.HLR).toBe(1);
    });

    it('checks fault commands', async () => {
      const line = await open();
      expect(await line.ask('SET FAULT: CTAG=1, ELEMENT=HLR, MODE=SLOW;')).toBe('RESP: CTAG=1, RETCODE=1002, DESC="MODE=SLOW needs DELAY (milliseconds)";');
      expect(await line.ask('SET FAULT: CTAG=2, ELEMENT=DNS, MODE=FAIL;')).toBe(
        'RESP: CTAG=2, RETCODE=1002, DESC="Invalid value of ELEMENT: \\"DNS\\" (expected HLR, PCRF, OLT, CONTENT or ALL)";',
      );
      expect(await line.ask('SET FAULT: CTAG=3, ELEMENT=ALL, MODE=FAIL, COUNT=1;')).toBe('RESP: CTAG=3, RETCODE=0, DESC="Fault set on HLR, PCRF, OLT, CONTENT: FAIL COUNT=1";');
      expect(await line.ask('CLEAR FAULT: CTAG=4, ELEMENT=ALL;')).toBe('RESP: CTAG=4, RETCODE=0, DESC="Fault cleared on ALL";');
      expect(await line.ask('DISPLAY SUBSCRIBER: CTAG=5, IMSI=214010000000001;')).toBe('RESP: CTAG=5, RETCODE=1004, DESC="Subscriber IMSI=214010000000001 does not exist";');
    });
  });

  describe('malformed input', () => {
    it('answers a syntax error with its CTAG when it can be seen, and keeps the connection', async () => {
      const line = await open();
      expect(await line.ask('CREATE SUBSCRIBER: CTAG=7, IMSI=;')).toBe('RESP: CTAG=7, RETCODE=1001, DESC="Syntax error: expected a value for IMSI, found \\";\\" at column 33";');
      expect(await line.ask('hello world;')).toBe('RESP: RETCODE=1001, DESC="Syntax error: expected a verb (capital letters, digits, _), found \\"h\\" at column 1";');
      expect(await line.ask('\u0000\u00ff\u2603;')).toMatch(/^RESP: RETCODE=1001, DESC="Syntax error: expected a verb/);
      expect(await line.ask('DISPLAY STATS: CTAG=8;')).toMatch(/^RESP: CTAG=8, RETCODE=0, /);
    });

    it('reads statements split anywhere, and several in one packet', async () => {
      const line = await open();
      const text = 'GRANT ENTITLEMENT: CTAG=1, SUBSCRIBER="cust-1", PRODUCT=TV;';
      for (const ch of text) {
        line.write(ch);
        await new Promise((r) => setImmediate(r));
      }
      expect(await line.next()).toBe('RESP: CTAG=1, RETCODE=0, DESC="Entitlement granted";');
      line.write('DISPLAY STATS: CTAG=2;DISPLAY FAULT: CTAG=3;\r\n');
      expect(await line.next()).toMatch(/^RESP: CTAG=2, /);
      expect(await line.next()).toMatch(/^RESP: CTAG=3, /);
    });

    it('closes a connection that sends an endless statement, and serves others', async () => {
      const line = await open();
      line.write('DISPLAY FAULT: CTAG=9; CREATE SUBSCRIBER: CTAG=1, IMSI=' + '1'.repeat(5000));
      expect(await line.next()).toMatch(/^RESP: CTAG=9, RETCODE=0, /);
      expect(await line.next()).toBe('RESP: RETCODE=1001, DESC="statement longer than 4096 characters without \\";\\"; closing the connection";');
      await line.closedPromise();
      expect((await client.send(c('DISPLAY', 'STATS'))).reply.retcode).toBe(0);
    });

    it('survives clients that vanish mid-statement or with replies pending', async () => {
      await client.send(c('SET', 'FAULT', { ELEMENT: 'HLR', MODE: 'SLOW', DELAY: '100' }));
      const a = await open();
      a.write('CREATE SUBSCRIBER: CTAG=1, MSISDN=+34600000009, IMSI=214010000000009, ICCID=8934010000000000009, PROFILE=PREPAID;DELETE SUB');
      a.socket.resetAndDestroy();
      await a.closedPromise();
      // The element still did what it was asked; the reply had nowhere to go.
      await waitFor(() => sim.subscriber('214010000000009') !== undefined);
      await client.send(c('CLEAR', 'FAULT', { ELEMENT: 'HLR' }));
      await waitFor(() => sim.connections() === 1);
      expect((await client.send(c('DISPLAY', 'SUBSCRIBER', { IMSI: '214010000000009' }))).reply.attrs.MSISDN).toBe('+34600000009');
    });
  });

  it('keeps many commands in flight on one connection, each reply matched to its command', async () => {
    // HLR slow: the PCRF replies overtake the HLR ones on the same connection.
    await client.send(c('SET', 'FAULT', { ELEMENT: 'HLR', MODE: 'SLOW', DELAY: '200', COUNT: '50' }));
    const order: string[] = [];
    const sends = Array.from({ length: 100 }, (_, i) => {
      const cmd = i % 2 === 0 ? subscriber(i) : c('SET', 'DATAPOLICY', { IMSI: imsi(i), DOWNLINK: String(i), UPLINK: '1' });
      return client.send(cmd).then((x) => {
        order.push(cmd.object);
        return x;
      });
    });
    const exchanges = await Promise.all(sends);
    exchanges.forEach((x, i) => {
      expect(x.commandText).toContain(i % 2 === 0 ? `IMSI=${imsi(i)}` : `DOWNLINK=${i},`);
      expect(x.reply.ctag).toBe(x.ctag);
      expect(x.reply.desc).toBe(i % 2 === 0 ? 'Subscriber created' : 'Data policy set');
    });
    expect(new Set(exchanges.map((x) => x.ctag)).size).toBe(100);
    expect(order.indexOf('DATAPOLICY')).toBeLessThan(order.indexOf('SUBSCRIBER'));
    expect(sim.stats().applied).toEqual({ HLR: 50, PCRF: 50, OLT: 0, CONTENT: 0 });
    expect(sim.connections()).toBe(1);
  });

  it('counts, per element, the commands that took effect (DISPLAY STATS)', async () => {
    await client.send(subscriber(1));
    await client.send(subscriber(1));
    await client.send(c('SET', 'DATAPOLICY', { IMSI: imsi(1), DOWNLINK: '10', UPLINK: '5' }));
    await failure(client.send(subscriber(1, { PROFILE: 'POSTPAID' })));
    expect((await client.send(c('DISPLAY', 'STATS'))).replyText).toBe(
      'RESP: CTAG=5, RETCODE=0, DESC="Commands that took effect, per element", HLR=1, PCRF=1, OLT=0, CONTENT=0, HLR_RECEIVED=3, PCRF_RECEIVED=1, OLT_RECEIVED=0, CONTENT_RECEIVED=0;',
    );
  });
});

describe('network simulator with a state file', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bss-network-'));
  const stateFile = path.join(dir, 'state', 'network.json');
  let sim: NetworkSimulator | undefined;
  let client: NetworkClient | undefined;

  afterAll(async () => {
    await client?.close();
    await sim?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the network and its counters across a restart on the same port; the client reconnects', async () => {
    const port = await freePort();
    sim = await startNetworkSimulator({ port, stateFile });
    client = new NetworkClient({ host: '127.0.0.1', port, timeoutMs: 5000 });
    await client.send(subscriber(1));
    await client.send(c('ACTIVATE', 'PORT', { NODE: 'OLT-1', PORT: '1/1/1', DOWNLINK: '100', UPLINK: '100' }));
    await client.send(c('SET', 'FAULT', { ELEMENT: 'HLR', MODE: 'FAIL' }));
    const before = sim.state();
    expect(JSON.parse(fs.readFileSync(stateFile, 'utf8')).subscribers[imsi(1)].msisdn).toBe('+34600000001');
    expect(fs.readdirSync(path.dirname(stateFile))).toEqual(['network.json']);

    // A command in flight when the element goes away fails as a connection problem.
    await client.send(c('SET', 'FAULT', { ELEMENT: 'OLT', MODE: 'TIMEOUT' }));
    const inFlight = client.send(c('DISPLAY', 'PORT', { NODE: 'OLT-1', PORT: '1/1/1' }));
    await sim.stop();
    expect(await failure(inFlight)).toBeInstanceOf(NetworkConnectionError);
    const down = await failure(client.send(c('DISPLAY', 'STATS')));
    expect(down).toBeInstanceOf(NetworkConnectionError);
    expect(down.message).toMatch(/^cannot connect to 127\.0\.0\.1:\d+: connect ECONNREFUSED .*; not sent: DISPLAY STATS: CTAG=\d+;$/);

    sim = await startNetworkSimulator({ port, stateFile });
    expect(sim.state()).toEqual(before);
    // Faults are not kept: the HLR answers again.
    expect((await client.send(subscriber(1))).reply.desc).toBe('Subscriber already exists, unchanged');
    expect(sim.stats().applied).toEqual({ HLR: 1, PCRF: 0, OLT: 1, CONTENT: 0 });
  });

  it('refuses to start on a state file that is not JSON', async () => {
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, '{"subscribers": ');
    await expect(startNetworkSimulator({ port: 0, stateFile: bad })).rejects.toThrow(`network state file ${bad} is not valid JSON`);
  });
});
