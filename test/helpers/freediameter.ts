/**
 * Running Debian's freeDiameterd in a test: checking it is installed (missing is a failure, not a
 * skip: runtime/install-tools.ts and .ci/run install it), compiling an extension of ours from
 * test/freediameter/, and the configuration every such daemon starts from.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** Where Debian installs freeDiameter's extensions (the dictionaries among them). */
export const FD_EXTENSIONS = '/usr/lib/freeDiameter';
const SOURCES = path.join(__dirname, '..', 'freediameter');

/** Throws unless freeDiameterd, the dictionary extensions and the headers to build ours are there. */
export function assertFreeDiameterInstalled(): void {
  const daemon = spawnSync('sh', ['-c', 'command -v freeDiameterd']).status === 0;
  if (!daemon || !fs.existsSync(`${FD_EXTENSIONS}/dict_dcca_3gpp.fdx`) || !fs.existsSync('/usr/include/freeDiameter/extension.h')) {
    throw new Error('freeDiameter is not installed: apt-get install -y freediameter libfreediameter-dev (npm run tools does it as root)');
  }
}

/** Compiles test/freediameter/<name>.c into `dir`; returns the extension's path. */
export function compileExtension(name: string, dir: string): string {
  const extension = path.join(dir, `${name}.fdx`);
  const cc = spawnSync('cc', ['-shared', '-fPIC', '-Wall', '-Werror', '-o', extension, path.join(SOURCES, `${name}.c`), '-lfdcore', '-lfdproto'], { encoding: 'utf8' });
  if (cc.status !== 0) throw new Error(`compiling the freeDiameter extension ${name} failed:\n${cc.stderr}`);
  return extension;
}

/** The start of a freeDiameterd configuration: identity, local TCP ports, no relay, the test's TLS credentials. */
export function baseConfig(ports: { port: number; secPort: number }): string[] {
  const credentials = (file: string) => path.join(SOURCES, file);
  return [
    // The test certificate's owner, which freeDiameter checks against its identity.
    'Identity = "fdclient.test";',
    'Realm = "test";',
    `Port = ${ports.port};`,
    `SecPort = ${ports.secPort};`,
    'ListenOn = "127.0.0.1";',
    'No_SCTP;',
    'No_IPv6;',
    'NoRelay;',
    // freeDiameter will not start without TLS credentials even when no peer uses TLS.
    `TLS_Cred = "${credentials('test-only.cert.pem')}", "${credentials('test-only.key.pem')}";`,
    `TLS_CA = "${credentials('test-only.cert.pem')}";`,
  ];
}
