/**
 * Makes sure freeDiameter (Debian's freeDiameterd, its extensions and headers) and a C compiler
 * are present: the Gy interoperability test builds a client extension and runs freeDiameterd
 * against our server. As root a missing piece is installed with apt-get; otherwise the message
 * says what to install. The test fails without them rather than being skipped.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';

const PACKAGES = ['freediameter', 'libfreediameter-dev', 'gcc', 'libc6-dev'];

function missing(): string[] {
  const has = (bin: string) => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;
  return [
    ...(has('freeDiameterd') && fs.existsSync('/usr/lib/freeDiameter/dict_dcca.fdx') ? [] : ['freeDiameterd']),
    ...(fs.existsSync('/usr/include/freeDiameter/extension.h') ? [] : ['libfreediameter-dev headers']),
    ...(has('cc') ? [] : ['a C compiler (cc)']),
  ];
}

/** Installs freeDiameter and a C compiler when missing (as root), or throws saying what to install. */
export function ensureFreeDiameter(): string {
  const lacking = missing();
  if (!lacking.length) return 'freeDiameter: present';
  if (process.getuid?.() !== 0) {
    throw new Error(`missing ${lacking.join(', ')}: run \`sudo apt-get install -y ${PACKAGES.join(' ')}\` (needed by the Gy interoperability test)`);
  }
  execFileSync('apt-get', ['update'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...PACKAGES], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  const still = missing();
  if (still.length) throw new Error(`apt-get installed ${PACKAGES.join(' ')} but ${still.join(', ')} is still missing`);
  return 'freeDiameter: installed';
}
