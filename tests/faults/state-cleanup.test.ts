import { RedisStateStore } from '@lazyllm/handoff';
import { jobKeys, stateManifestKey } from '@lazyllm/jobs';
import { Redis } from 'ioredis';
import { useTestRedis } from '../support/redis';

const server = useTestRedis();
const PREFIX = '{cleanup}';

describe("deleting a job's generation states when it ends", () => {
  let redis: Redis;
  let states: RedisStateStore;

  beforeAll(() => {
    redis = new Redis(server.url);
    states = new RedisStateStore(redis, PREFIX, { ttlSeconds: 600, chunkBytes: 1024 });
  });

  afterAll(() => redis.quit());

  it("removes every attempt's state, also one whose save died before its manifest, and nothing of other jobs", async () => {
    const bytes = new Uint8Array(5000).map((_, i) => i % 251);
    await states.save('a', 1, bytes);
    const died = await states.save('a', 2, bytes);
    // A prefill killed while saving leaves chunks and no manifest.
    await redis.del(stateManifestKey(PREFIX, died));
    const other = await states.save('b', 1, bytes);
    expect(await redis.ttl(jobKeys(PREFIX, 'a').states)).toBeGreaterThan(0);

    await states.deleteJobStates('a');
    const left = await redis.keys(`${PREFIX}:*`);
    expect(left.sort()).toEqual([jobKeys(PREFIX, 'b').states, `${PREFIX}:${other}`, ...[0, 1, 2, 3, 4].map((i) => `${PREFIX}:${other}:chunk:${i}`)].sort());
    await expect(states.load(other)).resolves.toEqual(bytes);
  });

  it('is a no-op for a job without states', async () => {
    await expect(states.deleteJobStates('none')).resolves.toBeUndefined();
  });
});
