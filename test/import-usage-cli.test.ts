/** `npm run import-usage`: the summary it prints and its exit codes. */
import { execFile } from 'node:child_process';
import { randomInt, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createPostpaidSubscribers } from '../bench/postpaid-subscribers';
import { createKnex } from '../db/knex';

const knex = createKnex(process.env.DATABASE_URL!);
afterAll(() => knex.destroy());
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'import-usage-'));

async function importUsage(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'runtime/import-usage.ts', ...args], { env: { ...process.env }, cwd: path.join(__dirname, '..') });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('import-usage CLI', () => {
  it('imports a file, prints the tally with the reasons, and re-rates with --rerate', async () => {
    const m = `+3463${randomInt(1_000_000, 9_999_999)}`;
    const later = `+3463${randomInt(1_000_000, 9_999_999)}`;
    const [sub] = await createPostpaidSubscribers(knex, [{ msisdn: m }], new Date());
    const source = `cli-${randomUUID()}`;
    const file = path.join(dir, 'usage.csv');
    fs.writeFileSync(
      file,
      ['record_id,msisdn,usage_type,start_time,quantity,destination', `1,${m},voice,2026-11-04T10:00:00Z,30,+34612345678`, `2,${m},voice,2026-11-04T10:00:00Z,-1,+34612345678`, `3,${later},sms,2026-11-04T10:00:00Z,1,+34612345678`, `1,${m},voice,2026-11-04T10:00:00Z,30,+34612345678`].join('\n'),
    );
    const first = await importUsage(file, '--source', source);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^read 4, rated 1, duplicates 1, rejected 2 in /);
    expect(first.stdout).toContain('  rejected: negative quantity: 1\n');
    expect(first.stdout).toContain('  rejected: unknown subscriber: 1\n');

    await createPostpaidSubscribers(knex, [{ msisdn: later, billingAccountId: sub.billingAccountId }], new Date());
    const rerate = await importUsage('--rerate', '--source', source);
    expect(rerate.code).toBe(0);
    expect(rerate.stdout).toMatch(/^read 2, rated 1, duplicates 0, rejected 1 in /);
  });

  it('exits 1 on a file it cannot read or that is not a usage file, 2 without a file', async () => {
    const missing = await importUsage(path.join(dir, 'nope.csv'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read .*nope\.csv: ENOENT/);
    const other = path.join(dir, 'other.csv');
    fs.writeFileSync(other, 'name,amount\nx,1\n');
    const wrong = await importUsage(other);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('not a usage file: the header lacks record_id, msisdn, usage_type, start_time, quantity');
    expect((await importUsage()).code).toBe(2);
  });
});
