import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const REPO = resolve(__dirname, '..', '..', '..');

/** The apps compiled as `npm run build` compiles them, into a directory of their own. */
export interface AppBuild {
  /** The compiled entry point of `apps/<app>`. */
  entry(app: 'gateway' | 'prefill-worker' | 'decode-worker'): string;
  remove(): void;
}

function run(bin: string, args: string[]): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [join(REPO, 'node_modules', '.bin', bin), ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.once('error', fail);
    child.once('exit', (code) => (code === 0 ? done() : fail(new Error(`${bin} ${args.join(' ')} failed:\n${output}`))));
  });
}

/**
 * Compiles the apps with tsc (Nest needs its decorator metadata, which tsx does not emit) under the
 * repository's git-ignored .scratch/, so the compiled files resolve node_modules as dist/ does, without
 * touching the dist/ of `npm run build`.
 */
export async function buildApps(): Promise<AppBuild> {
  mkdirSync(join(REPO, '.scratch'), { recursive: true });
  const root = mkdtempSync(join(REPO, '.scratch', 'e2e-build-'));
  const outDir = join(root, 'dist');
  try {
    await run('tsc', ['-p', 'tsconfig.build.json', '--outDir', outDir]);
    await run('tsc-alias', ['-p', 'tsconfig.build.json', '--outDir', outDir]);
  } catch (err) {
    rmSync(root, { recursive: true, force: true });
    throw err;
  }
  return {
    entry: (app) => join(outDir, 'apps', app, 'src', 'main.js'),
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}
