/**
 * freeDiameter (Debian's freeDiameterd) as a real peer of our Gy server: a client extension
 * written in C (test/freediameter/gy_client.c), compiled here with the system C compiler against
 * libfreediameter-dev, exchanges capabilities, sends CCR-I/U/T (the CCR-I with the IMS-Information
 * and User-Equipment-Info an IMS node adds, in freeDiameter's TS 32.299 dictionary), answers our
 * Re-Auth-Request and reports each CCA and the RAR in a file;
 * the two ends exchange watchdogs; stopping freeDiameterd disconnects with DPR/DPA.
 * freeDiameter missing is a failure, not a skip: runtime/install-tools.ts and .ci/run install it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startGyServer, type GyServer } from '../ocs/diameter/server';
import type { DiameterPeer } from '../network/diameter/peer';
import { FakeEngine, grantAll } from './gy/fake-engine';
import { assertFreeDiameterInstalled, baseConfig, compileExtension, FD_EXTENSIONS } from './helpers/freediameter';
import { freePort } from './helpers/ports';

async function waitFor<T>(what: string, check: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('Gy server with freeDiameter as the peer', () => {
  let dir: string;
  let server: GyServer;
  /** A second server with a long Tw, so that the watchdog runs the other way: freeDiameter sends DWR. */
  let quiet: GyServer;
  let engine: FakeEngine;
  let fd: ChildProcess | undefined;
  let fdExit: Promise<number | null>;
  let output: string;

  const report = () => (fs.existsSync(output) ? fs.readFileSync(output, 'utf8') : '');
  const fdPeer = () => server.peers().find((p) => p.remote?.originHost === 'fdclient.test');

  beforeAll(async () => {
    assertFreeDiameterInstalled();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gy-freediameter-'));
    output = path.join(dir, 'report.txt');
    const extension = compileExtension('gy_client', dir);

    engine = new FakeEngine();
    engine.respond = (r) => {
      const answer = grantAll(r);
      // On the update, the data grant is the last the balance allows.
      if (r.type === 'update') answer.units = answer.units.map((u) => (u.ratingGroup === 300 ? { ...u, granted: { quantity: '1000000' }, finalUnit: true } : u));
      return answer;
    };
    server = await startGyServer({ engine, port: await freePort(), host: '127.0.0.1', originHost: 'ocs.test', originRealm: 'test', watchdogMs: 3000 });
    quiet = await startGyServer({ engine: new FakeEngine(), port: await freePort(), host: '127.0.0.1', originHost: 'ocs2.test', originRealm: 'test', watchdogMs: 120_000 });
    const [port, secPort] = [await freePort(), await freePort()];
    const conf = path.join(dir, 'freeDiameter.conf');
    fs.writeFileSync(
      conf,
      [
        ...baseConfig({ port, secPort }),
        'TcTimer = 2;',
        'TwTimer = 6;',
        `LoadExtension = "${FD_EXTENSIONS}/dict_nasreq.fdx";`,
        `LoadExtension = "${FD_EXTENSIONS}/dict_dcca.fdx";`,
        `LoadExtension = "${FD_EXTENSIONS}/dict_dcca_3gpp.fdx";`,
        `LoadExtension = "${extension}" : "${output} ocs.test test";`,
        `ConnectPeer = "ocs.test" { ConnectTo = "127.0.0.1"; Port = ${server.port}; No_TLS; };`,
        `ConnectPeer = "ocs2.test" { ConnectTo = "127.0.0.1"; Port = ${quiet.port}; No_TLS; };`,
        '',
      ].join('\n'),
    );
    const log = fs.openSync(path.join(dir, 'freeDiameterd.log'), 'w');
    fd = spawn('freeDiameterd', ['-c', conf], { stdio: ['ignore', log, log] });
    fdExit = new Promise((resolve) => fd!.once('exit', (code) => resolve(code)));
  });

  afterAll(async () => {
    if (fd && fd.exitCode === null) {
      fd.kill('SIGKILL');
      await fdExit;
    }
    await server?.close();
    await quiet?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('exchanges capabilities, charges CCR-I and CCR-U, re-authorises with a RAR that freeDiameter answers and follows with a CCR-U, then CCR-T', async () => {
    const failWithLogs = (err: Error) => {
      throw new Error(`${err.message}\nreport:\n${report()}\nfreeDiameterd log tail:\n${fs.readFileSync(path.join(dir, 'freeDiameterd.log'), 'utf8').slice(-3000)}`);
    };
    await waitFor('the CCA of the first update', () => /^(WAITING for RAR|FAIL.*)$/m.test(report()), 45_000).catch(failWithLogs);
    const sessionId = report().split('\n')[1].replace(/^SESSION /, '');
    expect(sessionId).toMatch(/^fdclient\.test;\d+;\d+;gy$/);
    // The data grant of the update was final: the session waits for credit, and is asked to re-authorise.
    expect(server.waitingForCredit()).toBe(true);
    expect(await server.reauthorize([sessionId])).toEqual([{ sessionId, answer: 2002 }]);
    await waitFor('the CCA of the termination', () => /^(DONE|FAIL.*)$/m.test(report()), 45_000).catch(failWithLogs);
    expect(report().trim().split('\n')).toEqual([
      'OPEN ocs.test',
      `SESSION ${sessionId}`,
      'CCR type=1 number=0',
      'CCA type=1 number=0 result=2001',
      'MSCC number=0 rg=100 result=2001 time=120 octets=0 validity=300 fua=-1',
      'MSCC number=0 rg=300 result=2001 time=0 octets=600 validity=300 fua=-1',
      'CCR type=2 number=1',
      'CCA type=2 number=1 result=2001',
      'MSCC number=1 rg=100 result=2001 time=120 octets=0 validity=300 fua=-1',
      'MSCC number=1 rg=300 result=2001 time=0 octets=1000000 validity=300 fua=0',
      'WAITING for RAR',
      'RAR session-matches=yes destination-host=fdclient.test app=4 re-auth-type=0 rg=300',
      'CCR type=2 number=2',
      'CCA type=2 number=2 result=2001',
      'MSCC number=2 rg=100 result=2001 time=120 octets=0 validity=300 fua=-1',
      'MSCC number=2 rg=300 result=2001 time=0 octets=1000000 validity=300 fua=0',
      'CCR type=3 number=3',
      'CCA type=3 number=3 result=2001',
      'MSCC number=3 rg=100 result=2001 time=0 octets=0 validity=0 fua=-1',
      'MSCC number=3 rg=300 result=2001 time=0 octets=0 validity=0 fua=-1',
      'DONE',
    ]);
    const common = { sessionId, subscriber: { msisdn: '+34600000042' }, eventTime: new Date('2026-01-15T10:00:00Z') };
    const update = { type: 'update', units: [{ ratingGroup: 100, requested: { quantity: '120' }, used: { quantity: '100' } }, { ratingGroup: 300, requested: { quantity: '5000000000' }, used: { quantity: '5000000000' } }] };
    expect(engine.requests).toEqual([
      // The called party, read from the IMS-Information freeDiameter encoded with its TS 32.299 dictionary.
      { ...common, requestNumber: 0, type: 'initial', destination: '+4930123456', units: [{ ratingGroup: 100, requested: { quantity: '120' } }, { ratingGroup: 300, requested: {} }] },
      { ...common, requestNumber: 1, ...update },
      { ...common, requestNumber: 2, ...update },
      { ...common, requestNumber: 3, type: 'termination', units: [{ ratingGroup: 100, used: { quantity: '30' } }, { ratingGroup: 300, used: { quantity: '1234' } }] },
    ]);
    expect(server.waitingForCredit()).toBe(false);
    expect(fdPeer()?.remote).toEqual({ originHost: 'fdclient.test', originRealm: 'test', productName: 'freeDiameter', applicationIds: [4] });
  });

  it('keeps the connection alive with watchdogs: freeDiameter answers our DWR', async () => {
    const peer = fdPeer()!;
    await waitFor('DWAs from freeDiameter', () => peer.watchdogs.answersReceived >= 2);
    expect(peer.state).toBe('open');
  });

  it('answers the DWRs freeDiameter sends to a quiet server', async () => {
    const peer = await waitFor('freeDiameter on the quiet server', () => quiet.peers().find((p) => p.remote?.originHost === 'fdclient.test' && p.state === 'open'));
    // freeDiameter's Tw is 6 s with up to 2 s of jitter; two DWRs answered show it is satisfied.
    await waitFor('two DWRs from freeDiameter', () => peer.watchdogs.requestsReceived >= 2, 25_000);
    expect([peer.state, peer.watchdogs.answersReceived]).toEqual(['open', 0]);
  });

  it('disconnects with DPR/DPA when freeDiameterd stops', async () => {
    const peer: DiameterPeer = fdPeer()!;
    fd!.kill('SIGTERM');
    await peer.whenClosed();
    expect(peer.closeReason).toBe('disconnected by the peer (DPR)');
    await fdExit;
    expect(server.peers()).toEqual([]);
  });
});
