/**
 * Whether a dependency answers in time, for the health endpoints of the API and the OCS: `up`, or
 * `down` with why (its error, or no answer within `timeoutMs`). A probe that gave up leaves the
 * call running: callers give it one that cannot retry for ever.
 */
export type ProbeResult = { status: 'up' } | { status: 'down'; error: string };

export async function probe(call: () => Promise<unknown>, timeoutMs: number): Promise<ProbeResult> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      call(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { status: 'up' };
  } catch (err) {
    return { status: 'down', error: (err as Error).message };
  } finally {
    clearTimeout(timer);
  }
}
