import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalRedis, startLocalRedis } from '@lazyllm/redis-server';

/** A real redis-server for one test file, with a data directory under the OS temp dir. */
export interface TestRedis {
  readonly url: string;
  stop(): Promise<void>;
}

/** Starts redis-server on a free port (needs redis-server on PATH: `apt-get install redis-server`). */
export async function startTestRedis(): Promise<TestRedis> {
  const dataRoot = mkdtempSync(join(tmpdir(), 'lazyllm-redis-'));
  let redis: LocalRedis;
  try {
    redis = await startLocalRedis({ dataRoot });
  } catch (err) {
    rmSync(dataRoot, { recursive: true, force: true });
    throw err;
  }
  return {
    url: redis.url,
    stop: async () => {
      await redis.stop();
      rmSync(dataRoot, { recursive: true, force: true });
    },
  };
}

/**
 * One redis-server shared by the tests of the calling file: started in beforeAll, stopped in
 * afterAll. Call it at the top of the file, outside any describe: a file's own afterAll hooks run
 * after those of its describe blocks, so the server outlives the clients those close. Read `url`
 * inside tests or hooks, once it has started.
 */
export function useTestRedis(): { readonly url: string } {
  let redis: TestRedis | undefined;
  beforeAll(async () => {
    redis = await startTestRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  return {
    get url(): string {
      if (!redis) throw new Error('the test redis-server has not started (use url inside tests or hooks)');
      return redis.url;
    },
  };
}
