/**
 * The OCS bench's Gy sessions played by a load generator in C (bench/gy-load.c), so that the load
 * takes little of the two cores the OCS and PostgreSQL share with it. Every message it sends is
 * built here with the project's codec (the same CCRs the traffic generator's Gy driver sends) and
 * handed over as a template with the offsets of the fields that change per request; the C program
 * patches those, sends, and reads the answers' result codes and grants.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { avp, encodeMessage, type Avp, type DiameterMessage } from '../network/diameter/codec';
import { APPLICATION, COMMAND, DISCONNECT_CAUSE } from '../network/diameter/dictionary';
import { ccrBuilder, type CcrStep } from '../network/diameter/gy-client-messages';
import { RATING_GROUP_OF } from '../network/charging-traffic';
import { percentile } from './stats';

/** What the bench gives each front end's load: the same as its Node drivers get. */
export interface NativeLoad {
  sessions: number;
  concurrency: number;
  /** Open loop at this rate; a closed loop of `concurrency` sessions when absent. */
  sessionsPerSecond?: number;
}

export interface NativeFigures {
  requests: number;
  perSecond: number;
  p50: number;
  p99: number;
}

const SOURCE = path.join(__dirname, 'gy-load.c');
/** Placeholders the templates carry where the C program writes per request (each found once, or the build fails). */
const SESSION_COUNTER = '############';
const USED_MARK = 0x5ec0ffee;

/** Compiles gy-load.c once per content (cached in the temporary directory); needs a C compiler (cc). */
function compiled(): string {
  const source = fs.readFileSync(SOURCE);
  const binary = path.join(os.tmpdir(), `bss-gy-load-${createHash('sha256').update(source).digest('hex').slice(0, 16)}`);
  if (fs.existsSync(binary)) return binary;
  const partial = `${binary}.${process.pid}`;
  const cc = spawnSync('cc', ['-O2', '-Wall', '-Werror', '-o', partial, SOURCE], { encoding: 'utf8' });
  if (cc.error || cc.status !== 0) {
    throw new Error(`compiling bench/gy-load.c failed (BENCH_OCS_GY_CLIENT=node plays Gy from Node instead): ${cc.error?.message ?? cc.stderr}`);
  }
  fs.renameSync(partial, binary);
  return binary;
}

/** Where `needle` is in `buf`; throws unless it is there exactly once (a template's field must be unambiguous). */
function offsetOf(buf: Buffer, needle: Buffer, what: string): number {
  const at = buf.indexOf(needle);
  if (at < 0 || buf.indexOf(needle, at + 1) >= 0) throw new Error(`${what}: ${at < 0 ? 'not' : 'more than once'} in the template`);
  return at;
}

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};
const NTP_OFFSET_S = 2_208_988_800;

const message = (request: boolean, commandCode: number, applicationId: number, avps: Avp[]): Buffer =>
  encodeMessage({ flags: { request, proxiable: commandCode === COMMAND.CREDIT_CONTROL, error: false, retransmit: false }, commandCode, applicationId, hopByHop: 0, endToEnd: 0, avps } satisfies DiameterMessage);

/** One line of the templates file: connection, kind, message in hex, then the offsets gy-load.c patches (-1: none). */
const line = (conn: number, kind: string, bytes: Buffer, offsets: number[] = [-1, -1, -1, -1, -1, -1]) => `${conn} ${kind} ${bytes.toString('hex')} ${offsets.join(' ')}\n`;

/**
 * The templates of `connections` connections, each its own peer (its own Origin-Host, as the Node
 * driver's are): CER, DWA, DPR and the five CCRs of a voice session to `destination` by the first
 * subscriber, asking 60 s at a time, at `eventTime`.
 */
function templates(opts: { connections: number; originHost: string; originRealm: string; destinationRealm: string; firstMsisdn: string; destination: string; eventTime: Date }): string {
  const hostOf = (i: number) => (i ? opts.originHost.replace(/^([^.]+)/, `$1-${i}`) : opts.originHost);
  const msisdnDigits = opts.firstMsisdn.replace(/^\+/, '');
  let text = '';
  for (let i = 0; i < opts.connections; i++) {
    const origin = [avp('Origin-Host', hostOf(i)), avp('Origin-Realm', opts.originRealm)];
    const capabilities = [avp('Host-IP-Address', '127.0.0.1'), avp('Vendor-Id', 0), avp('Product-Name', 'bss-gy-load'), avp('Auth-Application-Id', APPLICATION.CREDIT_CONTROL)];
    text += line(i, 'cer', message(true, COMMAND.CAPABILITIES_EXCHANGE, APPLICATION.COMMON, [...origin, ...capabilities]));
    text += line(i, 'dwa', message(false, COMMAND.DEVICE_WATCHDOG, APPLICATION.COMMON, [avp('Result-Code', 2001), ...origin]));
    text += line(i, 'dpr', message(true, COMMAND.DISCONNECT_PEER, APPLICATION.COMMON, [...origin, avp('Disconnect-Cause', DISCONNECT_CAUSE.REBOOTING)]));
    const sessionId = `${opts.originHost};${process.pid};${SESSION_COUNTER}`;
    const ccr = ccrBuilder({ sessionId, originHost: hostOf(i), originRealm: opts.originRealm, destinationRealm: opts.destinationRealm, msisdn: opts.firstMsisdn, destination: opts.destination });
    const steps: Array<Pick<CcrStep, 'type' | 'requestNumber'>> = [
      { type: 'initial', requestNumber: 0 },
      { type: 'update', requestNumber: 1 },
      { type: 'update', requestNumber: 2 },
      { type: 'update', requestNumber: 3 },
      { type: 'termination', requestNumber: 4 },
    ];
    steps.forEach((step, n) => {
      const requested = step.type === 'termination' ? undefined : 60;
      const used = step.type === 'initial' ? undefined : USED_MARK;
      const bytes = message(true, COMMAND.CREDIT_CONTROL, APPLICATION.CREDIT_CONTROL, ccr({ ...step, eventTime: opts.eventTime, units: [{ ratingGroup: RATING_GROUP_OF.voice, unit: 'CC-Time', requested, used }] }));
      const sid = offsetOf(bytes, Buffer.from(SESSION_COUNTER), 'Session-Id counter');
      const msisdn = offsetOf(bytes, Buffer.from(msisdnDigits), 'Subscription-Id-Data');
      const time = offsetOf(bytes, u32(Math.floor(opts.eventTime.getTime() / 1000) + NTP_OFFSET_S), 'Event-Timestamp');
      const usedAt = used === undefined ? -1 : offsetOf(bytes, u32(USED_MARK), 'used CC-Time');
      text += line(i, `ccr${n}`, bytes, [sid, SESSION_COUNTER.length, msisdn, msisdnDigits.length, time, usedAt]);
    });
  }
  return text;
}

/** A Gy load of voice sessions (CCR-I, three CCR-U, CCR-T) played by gy-load.c; each session's number continues from the run before. */
export function nativeGyLoad(opts: { port: number; connections: number; originHost: string; originRealm: string; destinationRealm: string; msisdns: string[]; destination: string; eventTime: Date }) {
  // gy-load.c numbers a subscriber from the first one's number: they must run on from it.
  const first = BigInt(opts.msisdns[0].replace(/^\+/, ''));
  opts.msisdns.forEach((m, i) => {
    if (m !== `+${first + BigInt(i)}`) throw new Error(`the bench's subscribers are not numbered in a row (${m} at ${i})`);
  });
  const binary = compiled();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bss-gy-load-'));
  const templatesFile = path.join(dir, 'templates.txt');
  fs.writeFileSync(templatesFile, templates({ ...opts, firstMsisdn: opts.msisdns[0] }));
  let sessionsRun = 0;
  return {
    async run(load: NativeLoad): Promise<NativeFigures> {
      const latenciesFile = path.join(dir, 'latencies.txt');
      const args = [templatesFile, '127.0.0.1', opts.port, load.sessions, load.concurrency, load.sessionsPerSecond ?? 0, opts.msisdns.length, sessionsRun + 1, latenciesFile].map(String);
      sessionsRun += load.sessions;
      const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d));
      child.stderr.on('data', (d: Buffer) => (stderr += d));
      const code = await new Promise<number | null>((resolve, reject) => child.once('error', reject).once('exit', resolve));
      if (code !== 0) throw new Error(`gy-load exited ${code}: ${stderr.trim()}`);
      const { requests, wallMs } = JSON.parse(stdout) as { requests: number; wallMs: number };
      const latencies = fs.readFileSync(latenciesFile, 'utf8').trim().split('\n').map(Number).sort((a, b) => a - b);
      return { requests, perSecond: requests / (wallMs / 1000), p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
    },
    close() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
