import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { findRedisServer } from './redis-server-binary';
import { answersPing, freePort } from './tcp';

export interface LocalRedisOptions {
  /** Each server keeps its data in `<dataRoot>/<port>`; default `.redis` in the working directory (git-ignored). */
  readonly dataRoot?: string;
  /** Receives redis-server's log lines; by default they are kept only to explain a failed start. */
  readonly log?: (line: string) => void;
  readonly startTimeoutMs?: number;
  /**
   * Runs it in its own process group, out of reach of a Ctrl-C in the terminal, for a caller that stops
   * other processes using it first and Redis last. Such a caller must call stop() on every way out.
   */
  readonly ownProcessGroup?: boolean;
  /**
   * Starts on this port instead of a free one, e.g. to restart a server on its port and data directory
   * (it then loads its append-only file); a port that is taken fails instead of moving elsewhere.
   */
  readonly port?: number;
}

/** A redis-server this process started; stop() shuts it down (it writes its AOF first). */
export interface LocalRedis {
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  stop(): Promise<void>;
}

const START_ATTEMPTS = 3;

/**
 * Starts redis-server on a free port of 127.0.0.1 with its own data directory and the append-only
 * file on (fsync every second), and waits until it answers PING. Another process can take the port
 * between choosing and binding it, so a failed start is retried on a new port.
 */
export async function startLocalRedis(options: LocalRedisOptions = {}): Promise<LocalRedis> {
  const binary = findRedisServer();
  if (options.port !== undefined) return startOn(binary, options.port, options);
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
    const port = await freePort();
    try {
      return await startOn(binary, port, options);
    } catch (err) {
      lastError = err as Error;
    }
  }
  throw lastError;
}

async function startOn(binary: string, port: number, options: LocalRedisOptions): Promise<LocalRedis> {
  const dataDir = resolve(options.dataRoot ?? '.redis', String(port));
  mkdirSync(dataDir, { recursive: true });
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dataDir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--daemonize', 'no'];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: options.ownProcessGroup ?? false });
  const output: string[] = [];
  const onLines = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      output.push(line);
      if (output.length > 50) output.shift();
      options.log?.(line);
    }
  };
  child.stdout?.on('data', onLines);
  child.stderr?.on('data', onLines);
  let exited = false;
  const exit = new Promise<void>((done) =>
    child.once('exit', () => {
      exited = true;
      done();
    }),
  );

  const deadline = Date.now() + (options.startTimeoutMs ?? 10_000);
  while (!(await answersPing(port))) {
    if (exited || Date.now() > deadline) {
      if (!exited) await stopChild(child, exit);
      throw new Error(`redis-server did not start on port ${port}:\n${output.join('\n')}`);
    }
    await sleep(50);
  }
  return { url: `redis://127.0.0.1:${port}`, port, dataDir, stop: () => (exited ? Promise.resolve() : stopChild(child, exit)) };
}

// SIGTERM makes redis-server flush the AOF and exit; it gets a few seconds before SIGKILL.
async function stopChild(child: ChildProcess, exit: Promise<void>): Promise<void> {
  const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
  child.kill('SIGTERM');
  await exit;
  clearTimeout(kill);
}
