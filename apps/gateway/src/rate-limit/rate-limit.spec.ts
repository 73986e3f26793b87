import { startInProcessGateway, type InProcessGateway } from '../../../../tests/e2e/support/in-process-gateway';
import { useTestRedis } from '../../../../tests/support/redis';
import { readRateLimit } from './rate-limit';

const redis = useTestRedis();

describe('rate limiting per API key or IP', () => {
  let gateway: InProcessGateway;
  const get = (path: string, key?: string) => fetch(`${gateway.url}${path}`, { headers: key === undefined ? {} : { Authorization: `Bearer ${key}` } });

  beforeAll(async () => {
    gateway = await startInProcessGateway(redis.url, { apiKeys: ['key-a', 'key-b'], rateLimit: { limit: 3, windowSeconds: 60 } });
  });

  afterAll(() => gateway.close());

  it('answers 429 with Retry-After past the limit, counting each key on its own, and never limits health', async () => {
    for (let i = 0; i < 3; i++) expect((await get('/v1/models', 'key-a')).status).toBe(200);
    const limited = await get('/v1/models', 'key-a');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await get('/v1/models', 'key-b')).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await get('/health')).status).toBe(200);
  });

  it('is off unless RATE_LIMIT is set, and refuses settings that cannot work', () => {
    expect(readRateLimit({})).toBeUndefined();
    expect(readRateLimit({ RATE_LIMIT: '100' })).toEqual({ limit: 100, windowSeconds: 60 });
    expect(readRateLimit({ RATE_LIMIT: '5', RATE_LIMIT_WINDOW_SECONDS: '1' })).toEqual({ limit: 5, windowSeconds: 1 });
    expect(() => readRateLimit({ RATE_LIMIT: '0' })).toThrow(/RATE_LIMIT must be a positive integer/);
    expect(() => readRateLimit({ RATE_LIMIT_WINDOW_SECONDS: '10' })).toThrow(/needs RATE_LIMIT/);
  });
});
