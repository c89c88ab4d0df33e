import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { withHeartbeats } from './heartbeat';

/** The SDK logs every failed activity; these failures are the point of the test. */
const quiet = () => new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') });

describe('withHeartbeats', () => {
  it('beats when the activity starts and while it runs, and passes the result through', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const env = quiet();
    const beats: unknown[] = [];
    env.on('heartbeat', (d: unknown) => beats.push(d));
    const { slow } = withHeartbeats({ slow: async (n: number) => (await gate, n * 2) }, 5);
    const running = env.run(slow, 21);
    while (beats.length < 3) await new Promise((r) => setTimeout(r, 5));
    release();
    expect(await running).toBe(42);
    const afterEnd = beats.length;
    await new Promise((r) => setTimeout(r, 30));
    expect(beats.length).toBe(afterEnd); // no beat once the activity is over
  });

  it('stops beating when the activity fails, and rethrows', async () => {
    const env = quiet();
    const beats: unknown[] = [];
    env.on('heartbeat', (d: unknown) => beats.push(d));
    const { broken } = withHeartbeats({ broken: async () => Promise.reject(new Error('database down')) }, 5);
    await expect(env.run(broken)).rejects.toThrow('database down');
    expect(beats).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 30));
    expect(beats).toHaveLength(1);
  });

  it('runs the function as is outside an activity (a test calling it directly)', async () => {
    const { plain } = withHeartbeats({ plain: async (a: string) => a.toUpperCase() });
    expect(await plain('ok')).toBe('OK');
  });
});
