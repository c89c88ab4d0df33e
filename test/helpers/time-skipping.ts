/**
 * The time-skipping test server for tests that wait days or months, started from the binary the
 * global setup resolved (never downloaded by the SDK).
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';

export function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const path = process.env.TEMPORAL_TEST_SERVER;
  if (!path) throw new Error('TEMPORAL_TEST_SERVER is not set: run through jest (test/global-setup.ts)');
  return TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path } } });
}
