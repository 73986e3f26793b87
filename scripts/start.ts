/**
 * `npm start`: the whole service on this machine. Builds the apps, then runs the gateway and one
 * process of each worker pool against the Redis in REDIS_URL, or, when it is unset, a redis-server
 * started here on a free port with its data in .redis/<port>. Ctrl-C stops the apps (each finishes its
 * current job) and then Redis. If any app exits, the others are stopped too.
 */
import { spawnSync } from 'node:child_process';
import { checkRedisReachable, redactRedisUrl, RedisUnavailableError } from '@lazyllm/jobs';
import { LocalRedis, RedisServerNotFoundError, startLocalRedis } from '@lazyllm/redis-server';
import { ConfigurationError } from '../apps/shared/configuration-error';
import { readEngineSettings } from '../apps/shared/engine-settings';
import { untilStopSignal } from '../apps/shared/stop-signal';
import { LabelledProcess } from './start/labelled-process';

const APPS = ['gateway', 'prefill-worker', 'decode-worker'] as const;
/** A worker finishing a long prefill may need a while before it exits. */
const STOP_GRACE_MS = 120_000;

async function redisUrl(): Promise<{ url: string; local?: LocalRedis }> {
  const configured = process.env.REDIS_URL;
  if (configured) {
    await checkRedisReachable(configured);
    console.log(`[start] using Redis at ${redactRedisUrl(configured)}`);
    return { url: configured };
  }
  const local = await startLocalRedis({ ownProcessGroup: true });
  console.log(`[start] started redis-server at ${local.url} (data in ${local.dataDir}, append-only file on)`);
  return { url: local.url, local };
}

function build(): void {
  console.log('[start] building the apps (npm run build)');
  const result = spawnSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
  if (result.status !== 0) throw new ConfigurationError('the build failed (output above); fix it and run npm start again');
}

/** Runs the apps until a stop signal or until one of them exits; true when it was a signal. */
async function runApps(redisUrl: string): Promise<boolean> {
  const env = { ...process.env, REDIS_URL: redisUrl };
  const apps = APPS.map((name, i) => new LabelledProcess(name, process.execPath, [`dist/apps/${name}/src/main.js`], env, i));
  const firstExit = Promise.race(apps.map((app) => app.exited.then((code) => `${app.name} exited with code ${code}`)));
  const signal = untilStopSignal().then((s) => `${s} received`);
  const reason = await Promise.race([signal, firstExit]);
  console.log(`[start] ${reason}: stopping`);
  await Promise.all(apps.map((app) => app.stop(STOP_GRACE_MS)));
  return reason.endsWith('received');
}

async function main(): Promise<number> {
  // Model and Redis are checked before the build, so a missing one is one line at once.
  readEngineSettings();
  const redis = await redisUrl();
  try {
    build();
    return (await runApps(redis.url)) ? 0 : 1;
  } finally {
    if (redis.local) {
      await redis.local.stop();
      console.log('[start] redis-server stopped');
    }
  }
}

// exit() because the stop-signal listener holds the event loop open when an app exited on its own.
main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    const known = err instanceof ConfigurationError || err instanceof RedisServerNotFoundError || err instanceof RedisUnavailableError;
    console.error(known ? (err as Error).message : err);
    process.exit(1);
  },
);
