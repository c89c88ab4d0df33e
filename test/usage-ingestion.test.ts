/** Offline charging: usage ingestion and rating, against the real database. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomInt, randomUUID } from 'node:crypto';
import { importUsageFile } from '../activities/usage/import-usage-file';
import { ingestUsageBatch, prepareUsageBatch, storeUsageBatch } from '../activities/usage/ingest-usage';
import { rerateUsage } from '../activities/usage/rerate-usage';
import { createPostpaidSubscribers, POSTPAID_20_PRICES } from '../bench/postpaid-subscribers';
import { createKnex } from '../db/knex';
import { usageToBill } from '../db/usage-billing';

const knex = createKnex(process.env.DATABASE_URL!);
afterAll(() => knex.destroy());

const now = () => new Date('2026-11-20T10:00:00Z');
const msisdn = () => `+3460${randomInt(1_000_000, 9_999_999)}`;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'usage-'));
const HEADER = 'record_id,msisdn,usage_type,start_time,quantity,destination';

function csvFile(name: string, lines: string[]): string {
  const file = path.join(dir, `${randomUUID()}-${name}`);
  fs.writeFileSync(file, [HEADER, ...lines].join('\n') + '\n');
  return file;
}

async function rowsOf(source: string) {
  return knex('usage_record')
    .where({ source })
    .orderBy('record_id')
    .select('record_id', 'state', 'reason', 'band', 'allowance_quantity', 'overage_quantity', 'charged_quantity', 'amount', knex.raw("to_char(cycle_start, 'YYYY-MM-DD') AS cycle_start"));
}

describe('usage ingestion', () => {
  it('rates a cycle exactly: allowances first, a record that exhausts one is part free and part overage', async () => {
    const [sub] = await createPostpaidSubscribers(knex, [{ msisdn: msisdn() }], now());
    const m = sub.msisdn;
    const file = csvFile('golden.csv', [
      // 2026-11-01 00:30 in Madrid: the November cycle, though still October in UTC.
      `d1,${m},data,2026-10-31T23:30:00Z,21464350720,`,
      `d2,${m},data,2026-11-02T10:00:00Z,15728640,`,
      `d3,${m},data,2026-11-03T10:00:00Z,1000,`,
      `v1,${m},voice,2026-11-04T10:00:00Z,59990,+34612345678`,
      `v2,${m},voice,2026-11-05T10:00:00Z,100,+34612345678`,
      `v3,${m},voice,2026-11-06T10:00:00Z,30,+441632960000`,
      `s1,${m},sms,2026-11-07T10:00:00Z,1,+34612345678`,
      `s2,${m},sms,2026-11-08T10:00:00Z,1,+441632960000`,
      `d4,${m},data,2026-10-31T22:30:00Z,2048,`,
    ]);
    const summary = await importUsageFile(knex, file, { now, batchSize: 4 });
    expect(summary).toEqual({ read: 9, rated: 9, rejected: 0, duplicates: 0, reasons: {} });

    const rows = await rowsOf(path.basename(file));
    const view = rows.map((r) => [r.record_id, r.cycle_start, r.band, r.allowance_quantity, r.overage_quantity, r.charged_quantity, r.amount]);
    expect(view).toEqual([
      ['d1', '2026-11-01', 'any', '21464350720', '0', '0', '0.000000'],
      ['d2', '2026-11-01', 'any', '10485760', '5242880', '5242880', '0.050000'],
      ['d3', '2026-11-01', 'any', '0', '1000', '1024', '0.000010'],
      // 23:30 Madrid on 31 October: the October cycle, its own allowance.
      ['d4', '2026-10-01', 'any', '2048', '0', '0', '0.000000'],
      ['s1', '2026-11-01', 'national', '1', '0', '0', '0.000000'],
      ['s2', '2026-11-01', 'international', '0', '1', '1', '0.300000'],
      ['v1', '2026-11-01', 'national', '59990', '0', '0', '0.000000'],
      // 10 s left of the 1000 minutes: 90 s beyond, the first minute in full then per second.
      ['v2', '2026-11-01', 'national', '10', '90', '90', '0.120000'],
      ['v3', '2026-11-01', 'international', '0', '30', '60', '0.500000'],
    ]);

    expect(await usageToBill(knex, sub.billingAccountId, '2026-11-01')).toEqual([
      { subscriptionId: sub.subscriptionId, msisdn: m, usageType: 'data', band: 'any', priceId: POSTPAID_20_PRICES.data, records: 3, quantity: '5243904', amount: '0.050010', currency: 'EUR' },
      { subscriptionId: sub.subscriptionId, msisdn: m, usageType: 'sms', band: 'international', priceId: POSTPAID_20_PRICES.sms, records: 1, quantity: '1', amount: '0.300000', currency: 'EUR' },
      { subscriptionId: sub.subscriptionId, msisdn: m, usageType: 'sms', band: 'national', priceId: POSTPAID_20_PRICES.sms, records: 1, quantity: '0', amount: '0.000000', currency: 'EUR' },
      { subscriptionId: sub.subscriptionId, msisdn: m, usageType: 'voice', band: 'international', priceId: POSTPAID_20_PRICES.voice, records: 1, quantity: '60', amount: '0.500000', currency: 'EUR' },
      { subscriptionId: sub.subscriptionId, msisdn: m, usageType: 'voice', band: 'national', priceId: POSTPAID_20_PRICES.voice, records: 2, quantity: '90', amount: '0.120000', currency: 'EUR' },
    ]);
    const counters = await knex('usage_allowance_counter').where({ subscription_id: sub.subscriptionId }).orderBy(['cycle_start', 'usage_type']).select(knex.raw("to_char(cycle_start, 'YYYY-MM-DD') AS cycle"), 'usage_type', 'used');
    expect(counters.map((c) => [c.cycle, c.usage_type, c.used])).toEqual([
      ['2026-10-01', 'data', '2048'],
      ['2026-11-01', 'data', '21474836480'],
      ['2026-11-01', 'sms', '1'],
      ['2026-11-01', 'voice', '60000'],
    ]);
  });

  it('changes nothing when the same file is imported again: every record is a duplicate', async () => {
    const [sub] = await createPostpaidSubscribers(knex, [{ msisdn: msisdn() }], now());
    const lines = Array.from({ length: 25 }, (_, i) => `r${i},${sub.msisdn},data,2026-11-0${1 + (i % 9)}T12:00:00Z,${1_000_000_000 + i * 7},`);
    lines.push(`bad,+34000,data,2026-11-02T12:00:00Z,5,`);
    const file = csvFile('twice.csv', lines);
    const first = await importUsageFile(knex, file, { now, batchSize: 10 });
    expect(first).toEqual({ read: 26, rated: 25, rejected: 1, duplicates: 0, reasons: { 'unknown subscriber': 1 } });
    const totals = () =>
      knex('usage_record').where({ source: path.basename(file) }).first(knex.raw('count(*)::int AS n, sum(amount)::text AS amount, sum(charged_quantity)::text AS charged, sum(allowance_quantity)::text AS free'));
    const counter = () => knex('usage_allowance_counter').where({ subscription_id: sub.subscriptionId }).first('used');
    const before = { totals: await totals(), counter: await counter() };
    expect(before.totals).toEqual({ n: 26, amount: '33.618613', charged: '3525167104', free: '21474836480' });

    const second = await importUsageFile(knex, file, { now, batchSize: 7 });
    expect(second).toEqual({ read: 26, rated: 0, rejected: 0, duplicates: 26, reasons: {} });
    expect({ totals: await totals(), counter: await counter() }).toEqual(before);
  });

  it('rates the good lines of a file and rejects each bad one with its reason', async () => {
    const [sub] = await createPostpaidSubscribers(knex, [{ msisdn: msisdn() }], now());
    const m = sub.msisdn;
    const stranger = msisdn();
    const file = csvFile('bad-lines.csv', [
      `ok1,${m},voice,2026-11-04T10:00:00Z,30,+34612345678`,
      `b1,${stranger},voice,2026-11-04T10:00:00Z,30,+34612345678`,
      `b2,${m},voice,2026-11-04T10:00:00Z,thirty,+34612345678`,
      `b3,${m},voice,2026-11-04T10:00:00Z,-5,+34612345678`,
      `b4,${m},fax,2026-11-04T10:00:00Z,1,+34612345678`,
      `b5,${m},data,2026-11-31T10:00:00Z,100,`,
      `b6,${m},data,yesterday,100,`,
      `,${m},data,2026-11-04T10:00:00Z,100,`,
      `ok2,${m},sms,2026-11-04T10:00:00Z,1,+33612345678`,
      `ok1,${m},voice,2026-11-04T11:00:00Z,45,+34612345678`,
    ]);
    const summary = await importUsageFile(knex, file, { now });
    expect(summary).toEqual({
      read: 10,
      rated: 2,
      rejected: 7,
      duplicates: 1,
      reasons: { 'unknown subscriber': 1, 'bad quantity': 1, 'negative quantity': 1, 'unknown usage type': 1, 'bad start time': 2, 'missing record id': 1 },
    });
    const rows = await knex('usage_record').where({ source: path.basename(file) }).orderBy('record_id').select('record_id', 'state', 'reason', 'raw');
    expect(rows.map((r) => [r.record_id, r.state, r.reason])).toEqual([
      ['b1', 'rejected', `unknown subscriber: ${stranger}`],
      ['b2', 'rejected', 'bad quantity: thirty'],
      ['b3', 'rejected', 'negative quantity: -5'],
      ['b4', 'rejected', 'unknown usage type: fax'],
      ['b5', 'rejected', 'bad start time: 2026-11-31T10:00:00Z'],
      ['b6', 'rejected', 'bad start time: yesterday'],
      ['ok1', 'rated', null],
      ['ok2', 'rated', null],
      ['record-8', 'rejected', 'missing record id'],
    ]);
    expect(rows.find((r) => r.record_id === 'b2').raw).toEqual({ recordId: 'b2', msisdn: m, usageType: 'voice', startTime: '2026-11-04T10:00:00Z', quantity: 'thirty', destination: '+34612345678' });
  });

  it('rates a file that repeats part of one imported before: only the new records spend the allowance', async () => {
    const [sub] = await createPostpaidSubscribers(knex, [{ msisdn: msisdn() }], now());
    // 5 GB each: the 20 GB allowance covers four records, the rest is charged at 0.01 per MB.
    const lines = Array.from({ length: 8 }, (_, i) => `p${i},${sub.msisdn},data,2026-11-0${1 + i}T12:00:00Z,5368709120,`);
    const source = `partial-${randomUUID()}`;
    expect(await importUsageFile(knex, csvFile('first.csv', lines.slice(0, 3)), { now, source })).toEqual({ read: 3, rated: 3, rejected: 0, duplicates: 0, reasons: {} });
    // Batches of 2: the first repeats p1 and p2, the next p2 again and a new one, then new records only.
    const second = await importUsageFile(knex, csvFile('second.csv', [lines[1], lines[2], lines[2], lines[3], ...lines.slice(4)]), { now, source, batchSize: 2 });
    expect(second).toEqual({ read: 8, rated: 5, rejected: 0, duplicates: 3, reasons: {} });
    const rows = await rowsOf(source);
    expect(rows.map((r) => [r.record_id, r.allowance_quantity, r.overage_quantity, r.amount])).toEqual([
      ['p0', '5368709120', '0', '0.000000'],
      ['p1', '5368709120', '0', '0.000000'],
      ['p2', '5368709120', '0', '0.000000'],
      ['p3', '5368709120', '0', '0.000000'],
      ['p4', '0', '5368709120', '51.200000'],
      ['p5', '0', '5368709120', '51.200000'],
      ['p6', '0', '5368709120', '51.200000'],
      ['p7', '0', '5368709120', '51.200000'],
    ]);
    expect((await knex('usage_allowance_counter').where({ subscription_id: sub.subscriptionId }).first('used')).used).toBe('21474836480');
  });

  it('rejects each line that is not valid CSV under its record number, and reads on', async () => {
    const [sub] = await createPostpaidSubscribers(knex, [{ msisdn: msisdn() }], now());
    const m = sub.msisdn;
    const file = csvFile('unreadable.csv', [
      `q1,${m},sms,2026-11-04T10:00:00Z,1,+34612345678`,
      `q2,${m},sms,2026-11-04T10:00:00Z,1,+346"12345678`,
      `"q3",${m},sms,"2026-11-04T10:00:00Z",1,"+34612345678"`,
      `"q4"x,${m},sms,2026-11-04T10:00:00Z,1,+34612345678`,
    ]);
    expect(await importUsageFile(knex, file, { now })).toEqual({ read: 4, rated: 2, rejected: 2, duplicates: 0, reasons: { 'unreadable CSV record': 2 } });
    const rows = await knex('usage_record').where({ source: path.basename(file) }).orderBy('record_id').select('record_id', 'state', 'reason', 'raw');
    expect(rows.map((r) => [r.record_id, r.state, r.reason, r.raw])).toEqual([
      ['q1', 'rated', null, null],
      ['q3', 'rated', null, null],
      ['record-2', 'rejected', 'unreadable CSV record: invalid opening quote on line 3', { source: path.basename(file) }],
      ['record-4', 'rejected', 'unreadable CSV record: invalid closing quote on line 5', { source: path.basename(file) }],
    ]);
  });

  it('re-rates rejected records once the subscriber exists, keeping their ids', async () => {
    const m = msisdn();
    const file = csvFile('later.csv', [`x1,${m},voice,2026-11-04T10:00:00Z,61,+34612345678`, `x2,${m},voice,2026-11-04T10:00:00Z,-1,+34612345678`]);
    const source = path.basename(file);
    expect(await importUsageFile(knex, file, { now })).toMatchObject({ rated: 0, rejected: 2 });
    const idBefore = (await knex('usage_record').where({ source, record_id: 'x1' }).first('id')).id;

    await createPostpaidSubscribers(knex, [{ msisdn: m }], now());
    expect(await rerateUsage(knex, { source, now })).toEqual({ read: 2, rated: 1, rejected: 1, duplicates: 0, reasons: { 'negative quantity': 1 } });
    const rows = await rowsOf(source);
    expect(rows.map((r) => [r.record_id, r.state, r.reason, r.allowance_quantity])).toEqual([
      ['x1', 'rated', null, '61'],
      ['x2', 'rejected', 'negative quantity: -1', null],
    ]);
    expect((await knex('usage_record').where({ source, record_id: 'x1' }).first('id')).id).toBe(idBefore);
    // Nothing left to re-rate but the bad quantity, which stays rejected.
    expect(await rerateUsage(knex, { source, now })).toEqual({ read: 1, rated: 0, rejected: 1, duplicates: 0, reasons: { 'negative quantity': 1 } });
  });

  it('rates exactly while several batches of one file are stored at once', async () => {
    const [sub] = await createPostpaidSubscribers(knex, [{ msisdn: msisdn() }], now());
    // 1000 minutes (60,000 s) free: ten calls of 5,500 s fit, the eleventh is 5,000 s free and 500 s
    // beyond, the twelfth is all beyond. One record per batch, four batches stored at once, and the
    // other subscriber's records between them so that batches do not all share the counter.
    const [other] = await createPostpaidSubscribers(knex, [{ msisdn: msisdn() }], now());
    const lines = Array.from({ length: 12 }, (_, i) => [
      `call-${String(i).padStart(2, '0')},${sub.msisdn},voice,2026-11-05T${String(8 + i).padStart(2, '0')}:00:00Z,5500,+34612345678`,
      `sms-${String(i).padStart(2, '0')},${other.msisdn},sms,2026-11-05T${String(8 + i).padStart(2, '0')}:00:00Z,1,+34612345678`,
    ]).flat();
    const source = `in-order-${randomUUID()}`;
    expect(await importUsageFile(knex, csvFile('in-order.csv', lines), { now, source, batchSize: 1, storesInFlight: 4 })).toMatchObject({ read: 24, rated: 24 });
    const calls = (await rowsOf(source)).filter((r) => r.record_id.startsWith('call-'));
    expect(calls.map((r) => [r.record_id, r.allowance_quantity, r.overage_quantity])).toEqual([
      ...Array.from({ length: 10 }, (_, i) => [`call-${String(i).padStart(2, '0')}`, '5500', '0']),
      ['call-10', '5000', '500'],
      ['call-11', '0', '5500'],
    ]);
    expect((await knex('usage_allowance_counter').where({ subscription_id: sub.subscriptionId, usage_type: 'voice' }).first('used')).used).toBe('60000');
  });

  it('lets a batch lock its counters only after the batch before it holds its own, so allowances go in file order', async () => {
    const [sub] = await createPostpaidSubscribers(knex, [{ msisdn: msisdn() }], now());
    const source = `turns-${randomUUID()}`;
    const call = (recordId: string, quantity: number) => ({ raw: { source, recordId, msisdn: sub.msisdn, usageType: 'voice', startTime: '2026-11-05T10:00:00Z', quantity: String(quantity), destination: '+34612345678' } });
    const opts = { source, now: now() };
    const first = await prepareUsageBatch(knex, [call('first', 59_000)], opts);
    const second = await prepareUsageBatch(knex, [call('second', 2_000)], opts);
    // The first batch is held back; the second is stored before it is let go, yet waits its turn.
    let letFirstGo!: () => void;
    let firstLocked!: () => void;
    const firstHolds = new Promise<void>((resolve) => (firstLocked = resolve));
    const storingSecond = storeUsageBatch(knex, second, { ...opts, lockAfter: firstHolds });
    const storingFirst = storeUsageBatch(knex, first, { ...opts, lockAfter: new Promise<void>((resolve) => (letFirstGo = resolve)), onLocked: () => firstLocked() });
    await new Promise((resolve) => setTimeout(resolve, 100));
    letFirstGo();
    await Promise.all([storingFirst, storingSecond]);
    expect((await rowsOf(source)).map((r) => [r.record_id, r.allowance_quantity, r.overage_quantity])).toEqual([
      ['first', '59000', '0'],
      ['second', '1000', '1000'],
    ]);
  });

  it('never spends an allowance twice when overlapping files are imported at once', async () => {
    const subs = await createPostpaidSubscribers(knex, [{ msisdn: msisdn() }, { msisdn: msisdn() }], now());
    // Each subscriber: 30 records of 1 GB; 20 are free, 10 are charged at 1024 × 0.01 = 10.24 each.
    const lines = subs.flatMap((s, j) => Array.from({ length: 30 }, (_, i) => `c${j}-${i},${s.msisdn},data,2026-11-05T10:${String(i).padStart(2, '0')}:00Z,1073741824,`));
    const a = csvFile('overlap.csv', lines.slice(0, 45));
    const b = csvFile('overlap.csv', lines.slice(15));
    const source = 'overlap-test';
    const results = await Promise.all([importUsageFile(knex, a, { now, source, batchSize: 5 }), importUsageFile(knex, b, { now, source, batchSize: 6 })]);
    expect(results[0].read + results[1].read).toBe(90);
    expect(results[0].rated + results[1].rated).toBe(60);
    expect(results[0].duplicates + results[1].duplicates).toBe(30);
    for (const s of subs) {
      const t = await knex('usage_record').where({ subscription_id: s.subscriptionId }).first(knex.raw('count(*)::int AS n, sum(allowance_quantity)::text AS free, sum(amount)::text AS amount'));
      expect(t).toEqual({ n: 30, free: '21474836480', amount: '102.400000' });
      expect((await knex('usage_allowance_counter').where({ subscription_id: s.subscriptionId }).first('used')).used).toBe('21474836480');
    }
  });

  it('rates a single record passed directly and reports a duplicate of it', async () => {
    const [sub] = await createPostpaidSubscribers(knex, [{ msisdn: msisdn() }], now());
    const raw = { recordId: 'api-1', msisdn: sub.msisdn, usageType: 'sms', startTime: '2026-11-04T10:00:00+01:00', quantity: '2', destination: '+44 1632 960000' };
    const [first] = await ingestUsageBatch(knex, [{ raw }], { source: 'direct', now: now() });
    expect(first).toMatchObject({ result: 'rejected', reason: 'bad destination: +44 1632 960000' });
    const [again] = await ingestUsageBatch(knex, [{ raw: { ...raw, recordId: 'api-2', destination: '+441632960000' } }], { source: 'direct', now: now() });
    expect(again).toMatchObject({ result: 'rated' });
    const [dup] = await ingestUsageBatch(knex, [{ raw: { ...raw, recordId: 'api-2' } }], { source: 'direct', now: now() });
    expect(dup).toMatchObject({ result: 'duplicate' });
  });

  it('stores tabs, backslashes and line breaks of the input as they came', async () => {
    const raw = { recordId: 'a\tb\\c', msisdn: '+34600000000', usageType: 'data', startTime: '2026-11-04T10:00:00Z', quantity: '1\n2' };
    const [o] = await ingestUsageBatch(knex, [{ raw }], { source: 'odd\\source', now: now() });
    expect(o).toMatchObject({ result: 'rejected', reason: 'bad quantity: 1\n2' });
    const row = await knex('usage_record').where({ id: o.id }).first('source', 'record_id', 'reason', 'raw');
    expect(row).toEqual({ source: 'odd\\source', record_id: 'a\tb\\c', reason: 'bad quantity: 1\n2', raw });
  });

  it('refuses a file it cannot read before storing anything', async () => {
    await expect(importUsageFile(knex, path.join(dir, 'missing.csv'), { now })).rejects.toThrow(/ENOENT/);
  });
});
