/**
 * The OCS process killed (SIGKILL, a crashed host) with credit-control requests in flight, and
 * started again: the Gy clients send every unanswered request again (T bit, same end-to-end id,
 * RFC 6733 §5.5.4) and carry their calls on. Among the requests lost are one whose batch
 * PostgreSQL committed though the OCS never answered (made certain below: the OCS is frozen while
 * that write waits on a row lock, the lock is let go, and the OCS is killed once it committed) and
 * one the hung OCS never read; the rest are wherever the crash found them.
 * Afterwards every call has cost exactly what the same call costs without a crash and has the
 * same ledger entries, request by request, nothing stays reserved, and every bucket reconciles.
 */
import pg from 'pg';
import { createKnex } from '../db/knex';
import { money } from '../domain/money';
import { DiameterClient } from '../network/diameter/client';
import { DiameterPeerError } from '../network/diameter/peer';
import { buildCcr, readCca, type CcaResult, type CcrStep } from '../network/diameter/gy-client-messages';
import { createPrepaidAccount, type TestLine } from './helpers/charging';
import { forkOcs, testOcsEnv, type OcsProcess } from './helpers/ocs-process';
import { ledgerMismatches } from './helpers/prepaid';

jest.setTimeout(120_000);

const knex = createKnex(process.env.DATABASE_URL!);
const START = Date.parse('2026-11-04T11:00:00Z');
const LINES = 30;
const START_BALANCE = '20.00';

const startOcs = () => forkOcs(testOcsEnv());

const connect = (ocs: OcsProcess) => DiameterClient.connect({ host: '127.0.0.1', port: ocs.gyPort, originHost: `pgw.crash.test.${process.pid}`, originRealm: 'crash.test', requestTimeoutMs: 30_000 });

/** A voice call of five requests: 60 s asked for at each, 60 s used at each update, 30 s at the end. */
const CALL: CcrStep[] = [
  { type: 'initial', requestNumber: 0, eventTime: new Date(START), units: [{ ratingGroup: 100, unit: 'CC-Time', requested: 60 }] },
  ...[1, 2, 3].map((n): CcrStep => ({ type: 'update', requestNumber: n, eventTime: new Date(START + n * 60_000), units: [{ ratingGroup: 100, unit: 'CC-Time', requested: 60, used: 60 }] })),
  { type: 'termination', requestNumber: 4, eventTime: new Date(START + 210_000), units: [{ ratingGroup: 100, unit: 'CC-Time', used: 30 }] },
];

const sessionOf = (line: TestLine) => `pgw.crash.test;${process.pid};${line.msisdn}`;
const ccrOf = (line: TestLine, step: CcrStep) =>
  buildCcr({ sessionId: sessionOf(line), originHost: `pgw.crash.test.${process.pid}`, originRealm: 'crash.test', destinationRealm: 'bss.local', msisdn: line.msisdn, destination: '+34612345678', ...step });

/** What the money buckets of these lines lost, and what they hold reserved, by line. */
async function moneyOf(lines: TestLine[]) {
  const rows = await knex('charging_bucket').whereIn('id', lines.map((l) => l.buckets[0])).select('id', 'balance', 'reserved');
  const byId = new Map(rows.map((r) => [r.id as string, r]));
  return lines.map((l) => ({ spent: money(START_BALANCE).minus(byId.get(l.buckets[0])!.balance), reserved: money(byId.get(l.buckets[0])!.reserved) }));
}

/** The ledger entries of a line's money bucket: kind, request number and amount, in that order. */
async function entriesOf(line: TestLine): Promise<string[]> {
  const rows = await knex('charging_ledger').where({ bucket_id: line.buckets[0] }).select('kind', 'reference', 'amount');
  return rows.map((r) => `${r.kind} #${String(r.reference).split('#').pop()} ${r.amount}`).sort();
}

afterAll(() => knex.destroy());

it('loses no debit and doubles none when it is killed with requests in flight, committed or not', async () => {
  const newLine = async () => (await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: START_BALANCE }] }))[0];
  const control = await newLine();
  const lines: TestLine[] = [];
  for (let i = 0; i < LINES; i++) lines.push(await newLine());
  // The first line's request is committed but never answered; the last one's is sent to the hung OCS.
  const [locked, late] = [lines[0], lines[LINES - 1]];

  let ocs = await startOcs();
  let client = await connect(ocs);
  const holder = new pg.Client({ connectionString: process.env.DATABASE_URL });
  try {
    // The same call on a line of its own, with no crash: what each call must cost.
    for (const step of CALL) expect(readCca(await client.creditControl(ccrOf(control, step))).resultCode).toBe(2001);
    const [{ spent: callCost }] = await moneyOf([control]);
    expect(callCost.isPositive()).toBe(true);

    // A write of the first line's bucket will wait on this lock (its batch's whole commit with it).
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('SELECT 1 FROM charging_bucket WHERE id = $1 FOR UPDATE', [locked.buckets[0]]);
    const holderPid = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;

    // A request lost with the connection goes again to the OCS that is up next, as a retransmission.
    let signalRestart!: (c: DiameterClient) => void;
    const restarted = new Promise<DiameterClient>((resolve) => (signalRestart = resolve));
    const lost: string[] = [];
    const answers = new Map<string, CcaResult>();
    const send = async (line: TestLine, step: CcrStep): Promise<CcaResult> => {
      const endToEnd = client.nextEndToEnd();
      let retransmit = false;
      for (;;) {
        const via = retransmit ? await restarted : client;
        try {
          const cca = readCca(await via.creditControl(ccrOf(line, step), { endToEnd, retransmit }));
          answers.set(`${line.msisdn}#${step.requestNumber}`, cca);
          return cca;
        } catch (err) {
          if (!(err instanceof DiameterPeerError) || retransmit) throw err;
          lost.push(`${line.msisdn}#${step.requestNumber}`);
          retransmit = true;
        }
      }
    };
    let answered = 0;
    const call = async (line: TestLine) => {
      for (const step of CALL) {
        const cca = await send(line, step);
        expect([cca.resultCode, cca.units[0]?.resultCode]).toEqual([2001, 2001]);
        answered++;
      }
    };
    // The first line calls once the others are under way, so that the other batch in flight moves on.
    const calls: Array<Promise<unknown>> = [Promise.all(lines.slice(1, -1).map(call))];
    await until(async () => answered >= LINES);
    calls.push(call(locked));

    // Once its write waits on the lock, the OCS hangs; the write commits; the OCS dies without answering.
    await until(async () => (await knex.raw(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE ? = ANY(pg_blocking_pids(pid))`, [holderPid])).rows[0].n > 0);
    await ocs.signal('SIGSTOP');
    calls.push(call(late));
    await holder.query('COMMIT');
    await until(async () => (await knex('charging_session').where({ id: sessionOf(locked) }).first('id')) !== undefined);
    await ocs.signal('SIGKILL');
    // What PostgreSQL holds of the two lines at the crash: the first line's request, the last one's nothing.
    const atCrash = await knex('charging_session').whereIn('id', [sessionOf(locked), sessionOf(late)]).select('id', 'last_request_number');
    expect(atCrash).toEqual([{ id: sessionOf(locked), last_request_number: 0 }]);

    ocs = await startOcs();
    client = await connect(ocs);
    signalRestart(client);
    await Promise.all(calls);

    // Both were lost with the connection and answered when sent again: the committed one from what
    // was stored (the grant the engine had written), the other charged for the first time.
    expect(lost).toEqual(expect.arrayContaining([`${locked.msisdn}#0`, `${late.msisdn}#0`]));
    expect([answers.get(`${locked.msisdn}#0`)?.units[0]?.granted, answers.get(`${late.msisdn}#0`)?.units[0]?.granted]).toEqual([60n, 60n]);

    // Every call cost what the uninterrupted one did; nothing is left reserved or open.
    const spent = await moneyOf(lines);
    expect(spent.filter((s) => !s.spent.eq(callCost) || !s.reserved.isZero())).toEqual([]);
    const open = await knex('charging_session').whereIn('id', lines.map(sessionOf)).whereNot({ state: 'closed' }).count<{ count: string }[]>('id as count');
    expect(Number(open[0].count)).toBe(0);
    // Each call's ledger entries are the uninterrupted call's, request by request: none lost, none twice.
    const expected = await entriesOf(control);
    expect(expected.filter((e) => e.startsWith('debit'))).toHaveLength(4);
    for (const line of lines) expect(await entriesOf(line)).toEqual(expected);
    expect(await ledgerMismatches(knex, lines.map((l) => l.accountId))).toEqual({ checked: LINES, mismatched: [] });
  } finally {
    await holder.end().catch(() => undefined);
    await client.close().catch(() => undefined);
    // A failure while it hung: it must be able to take SIGTERM.
    await ocs.signal('SIGCONT');
    await ocs.stop();
  }
});

/** Polls `condition` every 20 ms until it holds (the test's timeout bounds it). */
async function until(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((r) => setTimeout(r, 20));
}
