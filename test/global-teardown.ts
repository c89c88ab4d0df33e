/** Stops what global-setup started, in the order it listed them (dependents before what they use). */
export default async function globalTeardown(): Promise<void> {
  for (const stop of globalThis.__testServers ?? []) await stop();
}
