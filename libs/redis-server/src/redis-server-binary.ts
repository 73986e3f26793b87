import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** No redis-server to start; the message is the command that installs one. */
export class RedisServerNotFoundError extends Error {
  override readonly name = 'RedisServerNotFoundError';
  constructor() {
    super('redis-server is not installed (not found on PATH). Install it with: sudo apt-get install -y redis-server (or set REDIS_URL to a running Redis)');
  }
}

/** The redis-server executable on PATH. */
export function findRedisServer(path = process.env.PATH ?? ''): string {
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, 'redis-server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  throw new RedisServerNotFoundError();
}
