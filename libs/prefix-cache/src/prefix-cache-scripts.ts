import { LuaScript } from '@lazyllm/jobs';

// Shared by the scripts: remove an entry (manifest, its chunks, its index records). Chunk keys follow
// prefix-cache-keys.ts.
const DROP = `
local function drop(p, id, lru, sizes, total)
  local mkey = p .. ':prefix:' .. id
  local raw = redis.call('GET', mkey)
  if raw then
    local m = cjson.decode(raw)
    for i = 0, m.chunks - 1 do redis.call('DEL', mkey .. ':' .. m.gen .. ':chunk:' .. i) end
    redis.call('DEL', mkey)
  end
  local size = tonumber(redis.call('HGET', sizes, id) or '0')
  redis.call('HDEL', sizes, id)
  redis.call('ZREM', lru, id)
  redis.call('DECRBY', total, size)
end
`;

/**
 * Makes an entry whose chunks are written visible, replacing an older version of it, then evicts least
 * recently used entries until the total fits the budget (never the one just written). Entries that
 * expired by TTL are still in the index until then; having gone unused longest, they go first.
 * KEYS: lru, sizes, total, clock. ARGV: prefix, id, manifest JSON, bytes, ttl s, max bytes.
 * Returns the number of entries evicted.
 */
export const COMMIT_PREFIX = new LuaScript(`${DROP}
local lru, sizes, total = KEYS[1], KEYS[2], KEYS[3]
local p, id, manifest, bytes, ttl, max = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local now = redis.call('INCR', KEYS[4])
drop(p, id, lru, sizes, total)
redis.call('SET', p .. ':prefix:' .. id, manifest, 'EX', ttl)
redis.call('HSET', sizes, id, bytes)
redis.call('ZADD', lru, now, id)
redis.call('INCRBY', total, bytes)
local evicted = 0
while tonumber(redis.call('GET', total) or '0') > max do
  local oldest = redis.call('ZRANGE', lru, 0, 1)
  local victim = oldest[1]
  if victim == id then victim = oldest[2] end
  if not victim then break end
  drop(p, victim, lru, sizes, total)
  evicted = evicted + 1
end
return evicted
`);

/**
 * A use: the entry becomes the most recently used and its TTL starts again, if it is still the version
 * that was read. KEYS: lru, clock. ARGV: prefix, id, gen, ttl s. Returns 1 when touched.
 */
export const TOUCH_PREFIX = new LuaScript(`
local p, id, gen, ttl = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local mkey = p .. ':prefix:' .. id
local raw = redis.call('GET', mkey)
if not raw then return 0 end
local m = cjson.decode(raw)
if m.gen ~= gen then return 0 end
redis.call('EXPIRE', mkey, ttl)
for i = 0, m.chunks - 1 do redis.call('EXPIRE', mkey .. ':' .. gen .. ':chunk:' .. i, ttl) end
redis.call('ZADD', KEYS[1], 'XX', redis.call('INCR', KEYS[2]), id)
return 1
`);

/** Releases a lock only if this holder still has it. KEYS: lock. ARGV: token. */
export const RELEASE_LOCK = new LuaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

export const EXTEND_LOCK = new LuaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`);
