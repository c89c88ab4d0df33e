/** A test-only workflow: waits a month of workflow time, or less if signalled. */
import { condition, defineSignal, setHandler } from '@temporalio/workflow';

export const wakeUp = defineSignal('wakeUp');

export async function monthTimer(): Promise<'woken' | 'month passed'> {
  let woken = false;
  setHandler(wakeUp, () => {
    woken = true;
  });
  const signalled = await condition(() => woken, '30 days');
  return signalled ? 'woken' : 'month passed';
}
