/**
 * `npm run bench -- <name…>`: runs the named benchmarks (all when none is named), each printing
 * its figures next to a floor measured in the same run. Exits non-zero if a benchmark fails or
 * finds its results wrong.
 */
import { benchBillRun } from './bill-run';
import { ocsBench } from './ocs';
import { ordersBench } from './orders';
import { usageIngestionBench } from './usage-ingestion';

/** A benchmark: resolves true when its correctness checks passed. */
export type Bench = () => Promise<boolean>;

const BENCHES: Record<string, Bench> = {
  orders: ordersBench,
  // Usage ingestion with rating against a bare COPY, then the bill run against the plain SQL aggregate.
  billing: async () => (await usageIngestionBench()) && (await benchBillRun()),
  ocs: ocsBench,
};

async function main(): Promise<void> {
  const names = process.argv.slice(2).filter((a) => a !== '--');
  const chosen = names.length ? names : Object.keys(BENCHES);
  const unknown = chosen.filter((n) => !(n in BENCHES));
  if (unknown.length) {
    console.error(`unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(BENCHES).join(', ')}`);
    process.exit(2);
  }
  let ok = true;
  for (const name of chosen) {
    console.log(`\n=== ${name} ===`);
    try {
      ok = (await BENCHES[name]()) && ok;
    } catch (err) {
      console.error(`${name} failed:`, err);
      ok = false;
    }
  }
  process.exit(ok ? 0 : 1);
}

void main();
