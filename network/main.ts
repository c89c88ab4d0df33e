/**
 * `npm run network-sim`: the network simulator on its own. Port from NETWORK_SIM_PORT (7700),
 * interface from NETWORK_SIM_HOST (127.0.0.1), state in `.data/network.json` (BSS_DATA_DIR moves
 * `.data`), kept across restarts.
 */
import path from 'node:path';
import { startNetworkSimulator, type NetworkSimulator } from './simulator';

/** Where the simulator keeps its state unless told otherwise. */
export function defaultNetworkStateFile(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env.BSS_DATA_DIR ?? path.resolve(__dirname, '..', '.data'), 'network.json');
}

/** Starts the simulator as configured by the environment. */
export function startConfiguredSimulator(env: NodeJS.ProcessEnv = process.env, stateFile = defaultNetworkStateFile(env)): Promise<NetworkSimulator> {
  return startNetworkSimulator({ host: env.NETWORK_SIM_HOST ?? '127.0.0.1', port: Number(env.NETWORK_SIM_PORT ?? 7700), stateFile });
}

if (require.main === module) {
  startConfiguredSimulator()
    .then((sim) => {
      console.log(`network simulator listening on ${sim.url} (HLR, PCRF, OLT, content platform; state in ${defaultNetworkStateFile()})`);
      const shutdown = () => void sim.stop().then(() => process.exit(0));
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
    })
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
}
