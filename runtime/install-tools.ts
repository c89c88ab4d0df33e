/** Installs what a fresh machine lacks before tests run: the Temporal CLI and test server. */
import { resolveTemporalCli, resolveTestServer } from './tools';
import { ensureFreeDiameter } from './freediameter';

const cli = resolveTemporalCli();
const testServer = resolveTestServer();
console.log(`temporal CLI: ${cli}\ntemporal test server: ${testServer}`);
console.log(ensureFreeDiameter());
