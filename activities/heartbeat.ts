/**
 * Heartbeats for every activity of the worker. Temporal learns that a worker died only through an
 * activity's timeouts: without heartbeats an activity running on a killed worker is retried after
 * its whole start-to-close timeout (minutes for provisioning and notifications). An activity that
 * beats while it runs lets a workflow set a short `heartbeatTimeout`, so the retry comes within
 * seconds of the crash. The SDK throttles what reaches the server (to 80 % of the timeout).
 */
import { Context } from '@temporalio/activity';

/** How often a running activity beats (well inside the workflows' heartbeat timeouts). */
export const HEARTBEAT_EVERY_MS = 2_000;

type ActivityFunction = (...args: never[]) => Promise<unknown>;

/** Wraps each activity so that it heartbeats from start to end; outside an activity it runs as is. */
export function withHeartbeats<T extends Record<string, ActivityFunction>>(activities: T, everyMs = HEARTBEAT_EVERY_MS): T {
  const wrapped: Record<string, ActivityFunction> = {};
  for (const [name, fn] of Object.entries(activities)) {
    wrapped[name] = async (...args: never[]) => {
      let context: Context;
      try {
        context = Context.current();
      } catch {
        return fn(...args); // called directly (a test), not by a worker
      }
      context.heartbeat();
      const timer = setInterval(() => context.heartbeat(), everyMs);
      try {
        return await fn(...args);
      } finally {
        clearInterval(timer);
      }
    };
  }
  return wrapped as T;
}
