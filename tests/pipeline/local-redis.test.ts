import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findRedisServer, RedisServerNotFoundError, startLocalRedis } from '@lazyllm/redis-server';
import { Redis } from 'ioredis';

describe('local redis-server launcher', () => {
  const dataRoot = mkdtempSync(join(tmpdir(), 'local-redis-test-'));
  afterAll(() => rmSync(dataRoot, { recursive: true, force: true }));

  it('starts redis-server on a free port with its own data directory and the append-only file on, and stops it', async () => {
    const [a, b] = await Promise.all([startLocalRedis({ dataRoot }), startLocalRedis({ dataRoot })]);
    expect(a.port).not.toBe(b.port);
    const client = new Redis(a.url);
    try {
      expect(a.dataDir).toBe(join(dataRoot, String(a.port)));
      await expect(client.config('GET', 'appendonly')).resolves.toEqual(['appendonly', 'yes']);
      await expect(client.config('GET', 'appendfsync')).resolves.toEqual(['appendfsync', 'everysec']);
      await expect(client.config('GET', 'dir')).resolves.toEqual(['dir', a.dataDir]);
      await client.set('k', 'v');
    } finally {
      await client.quit();
    }
    await Promise.all([a.stop(), b.stop()]);
    // The AOF was written into the server's own directory, and the port no longer answers.
    expect(existsSync(join(a.dataDir, 'appendonlydir'))).toBe(true);
    const probe = new Redis(a.url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    probe.on('error', () => undefined);
    await expect(probe.connect()).rejects.toThrow();
  });

  it('says how to install redis-server when there is none', () => {
    expect(() => findRedisServer('/nonexistent-dir')).toThrow(RedisServerNotFoundError);
    expect(() => findRedisServer('/nonexistent-dir')).toThrow(/apt-get install -y redis-server/);
  });
});
