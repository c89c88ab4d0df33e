/** Stops what global-setup started, last first. */
export default async function globalTeardown(): Promise<void> {
  for (const stop of (globalThis.__testServers ?? []).reverse()) await stop();
}
