/**
 * The prepaid traffic generator: plays a bounded number of voice calls, data sessions and SMS
 * against the OCS over Gy or Nchf, a given number at a time, and prints what it saw (requests per
 * second, latency percentiles, result codes). `npm run traffic -- --protocol gy --port 3868
 * --sessions 1000 --concurrency 50 --mix voice=50,data=30,sms=20`. For the demo and the benchmark;
 * it only ever talks to the addresses it is given. Its subscribers are a range of numbers
 * (`--msisdn-base`, `--subscribers`) or a running BSS's prepaid lines (`--subscribers-from <API
 * base> --token <admin token>`).
 */
import type { ServiceType } from '../domain/charging/rating-groups';
import type { ChargingDriver, SessionPlan, SessionResult } from './charging-traffic';
import { gyDriver } from './gy-driver';
import { nchfDriver } from './nchf-driver';
import { fetchPrepaidMsisdns } from './prepaid-lines';

export interface TrafficOptions {
  /** Sessions to play in all (the run stops after them). */
  sessions: number;
  /** Sessions in flight at once. */
  concurrency: number;
  /** Share of each service, e.g. { voice: 50, data: 30, sms: 20 }. */
  mix: Partial<Record<ServiceType, number>>;
  /** The subscribers' numbers, cycled through. */
  msisdns: string[];
  /** Updates per voice call or data session (3 makes the benchmark's five-request session). */
  updates: number;
  startTime: Date;
  /** Distinguishes this run's session ids from another's. */
  runId: string;
}

/** What a run saw. */
export interface TrafficSummary {
  sessions: number;
  requests: number;
  failedSessions: number;
  wallMs: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Count of requests by overall result code. */
  resultCodes: Record<string, number>;
}

const STEP: Record<ServiceType, { requested: bigint; used: bigint }> = {
  voice: { requested: 60n, used: 60n },
  data: { requested: 10_000_000n, used: 7_500_000n },
  sms: { requested: 1n, used: 1n },
};

/** `count` numbers from `base` on: 34600000000, 34600000001 … */
export function numbersFrom(base: bigint, count: number): string[] {
  return Array.from({ length: count }, (_, i) => (base + BigInt(i)).toString());
}

/** The i-th session of a run: the service by the mix (spread evenly), the subscriber in turn. */
export function planSession(i: number, o: Pick<TrafficOptions, 'mix' | 'msisdns' | 'updates' | 'startTime' | 'runId'>): SessionPlan {
  const services = (['voice', 'data', 'sms'] as const).filter((s) => (o.mix[s] ?? 0) > 0);
  const total = services.reduce((sum, s) => sum + (o.mix[s] ?? 0), 0);
  // Stepping by a prime spreads the services through the run instead of playing them in blocks.
  let slot = (i * 37) % total;
  let service: ServiceType = services[0];
  for (const s of services) {
    if (slot < (o.mix[s] ?? 0)) {
      service = s;
      break;
    }
    slot -= o.mix[s] ?? 0;
  }
  return {
    sessionId: `traffic.${o.runId};${i}`,
    subscriber: { msisdn: o.msisdns[i % o.msisdns.length] },
    service,
    ...(service !== 'data' ? { destination: `+3491${(1000000 + ((i * 7919) % 9000000)).toString()}` } : {}),
    startTime: new Date(o.startTime.getTime() + i * 1000),
    updates: o.updates,
    requested: STEP[service].requested,
    usedPerStep: STEP[service].used,
  };
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1];
}

/** Plays the sessions through the driver and sums them up; a failed session is counted, not thrown. */
export async function runTraffic(driver: ChargingDriver, options: TrafficOptions): Promise<{ summary: TrafficSummary; results: SessionResult[] }> {
  const results: SessionResult[] = [];
  let failedSessions = 0;
  let nextIndex = 0;
  const started = performance.now();
  const worker = async () => {
    for (let i = nextIndex++; i < options.sessions; i = nextIndex++) {
      try {
        results.push(await driver.runSession(planSession(i, options)));
      } catch {
        failedSessions++;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, options.sessions)) }, worker));
  const wallMs = performance.now() - started;
  const requests = results.flatMap((r) => r.requests);
  const latencies = requests.map((r) => r.doneAt - r.submittedAt).sort((a, b) => a - b);
  const resultCodes: Record<string, number> = {};
  for (const r of requests) resultCodes[r.resultCode] = (resultCodes[r.resultCode] ?? 0) + 1;
  return {
    summary: {
      sessions: results.length,
      requests: requests.length,
      failedSessions,
      wallMs,
      requestsPerSecond: requests.length / (wallMs / 1000),
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      resultCodes,
    },
    results,
  };
}

/** Reads `--name value` arguments. */
export function parseArgs(argv: string[]): Record<string, string> {
  const args: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--')) args[a.slice(2)] = argv[i + 1] && !argv[i + 1].startsWith('--') ? argv[++i] : 'true';
  }
  return args;
}

/** `voice=50,data=30,sms=20` → { voice: 50, data: 30, sms: 20 }. */
export function parseMix(text: string): Partial<Record<ServiceType, number>> {
  const mix: Partial<Record<ServiceType, number>> = {};
  for (const part of text.split(',')) {
    const [name, share] = part.split('=');
    if (!['voice', 'data', 'sms'].includes(name) || !/^\d+$/.test(share ?? '')) throw new Error(`bad mix entry "${part}" (expected voice=N,data=N,sms=N)`);
    mix[name as ServiceType] = Number(share);
  }
  return mix;
}

/** The numbers to play: a running BSS's prepaid lines (`--subscribers-from`), else a range. */
async function subscribersOf(args: Record<string, string>): Promise<string[]> {
  const api = args['subscribers-from'];
  if (!api) return numbersFrom(BigInt(args['msisdn-base'] ?? '34600000000'), Number(args.subscribers ?? 1000));
  const token = args.token ?? process.env.BSS_TOKEN;
  if (!token) throw new Error('--subscribers-from needs --token <admin token> (or BSS_TOKEN): npm start prints one');
  const msisdns = await fetchPrepaidMsisdns(api, token);
  if (msisdns.length === 0) throw new Error(`${api} has no active prepaid line yet`);
  return msisdns;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const protocol = args.protocol ?? 'gy';
  const host = args.host ?? '127.0.0.1';
  const driver =
    protocol === 'gy'
      ? gyDriver({ host, port: Number(args.port ?? 3868), connections: Number(args.connections ?? 1) })
      : protocol === 'nchf'
        ? nchfDriver({ baseUrl: args.url ?? `http://${host}:${args.port ?? 8090}` })
        : undefined;
  if (!driver) throw new Error(`unknown protocol ${protocol} (gy or nchf)`);
  const msisdns = await subscribersOf(args);
  const { summary } = await runTraffic(driver, {
    sessions: Number(args.sessions ?? 100),
    concurrency: Number(args.concurrency ?? 20),
    mix: parseMix(args.mix ?? 'voice=50,data=30,sms=20'),
    msisdns,
    updates: Number(args.updates ?? 3),
    startTime: args.start ? new Date(args.start) : new Date(),
    runId: args['run-id'] ?? Date.now().toString(36),
  });
  await driver.close();
  console.log(JSON.stringify({ protocol, ...summary }, null, 2));
  process.exit(summary.failedSessions ? 1 : 0);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(2);
  });
}
