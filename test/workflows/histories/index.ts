/**
 * Stored workflow histories for the replay tests. `RECORD_HISTORIES=1 npx jest <test>` rewrites
 * them from the runs of that test; do so only when a workflow changed in a way that no run in
 * flight can hold (otherwise the change belongs behind `patched()`).
 */
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { WorkflowHandle } from '@temporalio/client';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const DIR = __dirname;

export async function recordHistory(name: string, handle: WorkflowHandle): Promise<void> {
  if (!process.env.RECORD_HISTORIES) return;
  const history = await handle.fetchHistory();
  const file = `${name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 80)}.json`;
  mkdirSync(DIR, { recursive: true });
  writeFileSync(join(DIR, file), historyToJSON(history));
}

/** Every stored history: file name and parsed JSON. */
export function storedHistories(): Array<{ file: string; history: unknown }> {
  return readdirSync(DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, history: JSON.parse(readFileSync(join(DIR, file), 'utf8')) }));
}
