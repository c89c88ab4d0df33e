/**
 * The CPU of the OCS's pure steps for one Gy request, without database or network: the load
 * generator building and encoding a CCR (a session's constant AVPs built once, as it does), the
 * OCS decoding and reading it, planning it, building and encoding its CCA, and the load generator
 * reading that. The sum is what a request costs the OCS
 * and the load generator besides I/O, the batch step and garbage collection of what they keep.
 * `node --import tsx bench/ocs-cpu.ts`; BENCH_OCS_CPU_ROUNDS (6): the best round of each is printed.
 */
import type { Rating } from '../domain/rating';
import { catalogSeed } from '../db/seeds/catalog-data';
import { copyBucket, planRequest, type BucketState, type ReservationState, type SessionUsage } from '../ocs/engine/plan';
import { RESULT, type ChargingRequest } from '../ocs/engine/types';
import { parseMicros } from '../domain/micros';
import { ccaAvps, parseCcr } from '../ocs/diameter/gy-mapping';
import { decodeMessage, encodeMessage, type DiameterMessage } from '../network/diameter/codec';
import { APPLICATION, COMMAND } from '../network/diameter/dictionary';
import { ccrBuilder, readCca } from '../network/diameter/gy-client-messages';
import { answerTo } from '../network/diameter/message';
import { table } from './stats';

const ROUNDS = Number(process.env.BENCH_OCS_CPU_ROUNDS ?? 6);
const PER_ROUND = 20_000;

/** Pay-as-you-go calls as the seed catalog prices them (peak and off-peak, freephone, premium, international). */
const PAYG_CALLS = (catalogSeed.productOfferingPrice as Array<{ name: string; rating?: Rating }>).find((p) => p.name === 'Pay-as-you-go calls')?.rating;
if (!PAYG_CALLS) throw new Error('the seed catalog has no Pay-as-you-go calls tariff');
const TARIFFS = { ratings: { voice: PAYG_CALLS }, timeZone: 'Europe/Madrid' };
const SETTINGS = { defaultQuota: { voice: '300', data: '10485760', sms: '1' }, maxQuota: { voice: '3600', data: '1073741824', sms: '100' }, validityTime: 600, quotaThresholdPercent: 0, quotaHoldingTime: 0 };
const START = Date.UTC(2026, 10, 4, 10, 0, 0);
const ORIGIN = { originHost: 'ocs.bss.local', originRealm: 'bss.local' };

/** Microseconds per call of `step(i)`, the best of ROUNDS rounds after a warm-up. */
function measure(step: (i: number) => void): number {
  for (let i = 0; i < PER_ROUND; i++) step(i);
  let best = Infinity;
  for (let round = 1; round <= ROUNDS; round++) {
    const started = process.hrtime.bigint();
    for (let i = round * PER_ROUND; i < (round + 1) * PER_ROUND; i++) step(i);
    best = Math.min(best, Number(process.hrtime.bigint() - started) / PER_ROUND / 1000);
  }
  return best;
}

/** The CCR builder of the session request `i` belongs to (five requests a session, as the generator sends them). */
let session: { index: number; build: ReturnType<typeof ccrBuilder> } | undefined;
const builderOf = (i: number) => {
  const index = Math.floor(i / 5);
  if (session?.index !== index) {
    const build = ccrBuilder({ sessionId: `bench.gy.local;1;${index}`, originHost: 'bench.gy.local', originRealm: 'gy.local', destinationRealm: 'bss.local', msisdn: '+34600000001', destination: '+34911234567' });
    session = { index, build };
  }
  return session.build;
};

const ccr = (i: number): DiameterMessage => ({
  flags: { request: true, proxiable: true, error: false, retransmit: false },
  commandCode: COMMAND.CREDIT_CONTROL,
  applicationId: APPLICATION.CREDIT_CONTROL,
  hopByHop: i,
  endToEnd: i,
  avps: builderOf(i)({ type: 'update', requestNumber: 2, eventTime: new Date(START), units: [{ ratingGroup: 100, unit: 'CC-Time', requested: 60, used: 60 }] }),
});

/** A session of one initial request, three updates and a termination (60 s each) planned on one money bucket. */
function planSession(i: number, account: { buckets: BucketState[] }): void {
  let usage: SessionUsage = {};
  let reservations: ReservationState[] = [];
  for (let n = 0; n <= 4; n++) {
    const request: ChargingRequest = {
      sessionId: `s${i}`,
      requestNumber: n,
      type: n === 0 ? 'initial' : n === 4 ? 'termination' : 'update',
      subscriber: { msisdn: '+34600000001' },
      eventTime: new Date(START + i * 1000),
      destination: '+34911234567',
      units: [{ ratingGroup: 100, ...(n < 4 ? { requested: { quantity: '60' } } : {}), ...(n > 0 ? { used: { quantity: '60' } } : {}) }],
    };
    const buckets = account.buckets.map((b) => copyBucket(b));
    const plan = planRequest({ request, msisdn: '+34600000001', buckets, reservations, usage, tariffs: TARIFFS, settings: SETTINGS, now: request.eventTime });
    account.buckets = buckets;
    usage = plan.usage;
    const released = new Set(plan.releasedReservationIds);
    reservations = [...reservations.filter((r) => !released.has(r.id)), ...plan.newReservations.map((r, k) => ({ ...r, id: `${n}.${k}` }))];
  }
}

function main(): void {
  const wire = encodeMessage(ccr(0));
  const message = decodeMessage(wire);
  const parsed = parseCcr(message.avps, new Date(START));
  const answer = { sessionId: parsed.request.sessionId, requestNumber: 2, resultCode: RESULT.SUCCESS, units: [{ ratingGroup: 100, resultCode: RESULT.SUCCESS, granted: { quantity: '60' }, validityTime: 600 }] };
  const ccaWire = encodeMessage(answerTo(message, ccaAvps(parsed, answer, ORIGIN)));
  const account = { buckets: [{ id: 'cash', type: 'money' as const, balance: parseMicros('1000000'), reserved: 0n, creditLimit: 0n, priority: 100, validFrom: new Date(0), validUntil: null, createdAt: new Date(0), owner: null }] };
  const rows: Array<[string, number]> = [
    ['load generator: build and encode a CCR', measure((i) => encodeMessage(ccr(i)))],
    ['OCS: decode a CCR', measure(() => decodeMessage(wire))],
    ['OCS: read a CCR (parseCcr)', measure(() => parseCcr(message.avps, new Date(START)))],
    ['OCS: plan a request (a session of five, per request)', measure((i) => planSession(i, account)) / 5],
    ['OCS: build and encode a CCA', measure(() => encodeMessage(answerTo(message, ccaAvps(parsed, answer, ORIGIN))))],
    ['load generator: decode and read a CCA', measure(() => readCca(decodeMessage(ccaWire)))],
  ];
  const sum = (who: string) => rows.filter(([step]) => step.startsWith(who)).reduce((total, [, us]) => total + us, 0);
  rows.push(['OCS, these steps together', sum('OCS')], ['load generator, these steps together', sum('load generator')]);
  console.log(table([['step', 'µs per request'], ...rows.map(([step, us]) => [step, us.toFixed(2)])]));
}

main();
