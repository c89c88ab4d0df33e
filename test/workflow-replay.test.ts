/**
 * Determinism: every stored history (test/workflows/histories) replays against today's workflow
 * code without a non-determinism error. A change that breaks one must go behind `patched()`.
 */
import { Worker } from '@temporalio/worker';
import * as workflows from '../workflows';
import { storedHistories } from './workflows/histories';

const histories = storedHistories();

/**
 * debugMode false: replay in a worker thread. The SDK replays in-thread by default, which installs
 * process-wide promise hooks that outlive the test and break later test files of the same jest
 * worker. (ReplayWorkerOptions does not declare debugMode, but the replay worker takes it.)
 */
const replayOptions = { workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE! }, debugMode: false };

function workflowTypeOf(history: unknown): string {
  const events = (history as { events: Array<Record<string, { workflowType?: { name: string } }>> }).events;
  return events[0].workflowExecutionStartedEventAttributes.workflowType!.name;
}

describe('workflow replay', () => {
  it('has stored histories of every workflow', () => {
    const recorded = new Set(histories.map(({ history }) => workflowTypeOf(history)));
    expect([...recorded].sort()).toEqual(Object.keys(workflows).sort());
  });

  it.each(histories.map(({ file, history }) => [file, history] as const))('replays %s', async (file, history) => {
    await Worker.runReplayHistory(replayOptions, history, file);
  });
});
