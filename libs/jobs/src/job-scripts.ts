import { LuaScript } from './lua-script';
import { storedStatus, TERMINAL_STATUSES } from './record-fields';

/**
 * The job store's read-check-write steps, each one atomic in Redis, so a gateway and any number of
 * workers (and a retried attempt racing a stalled one) never see or make a half-applied change.
 */

// Sets FINISHED to the stored statuses after which nothing more may change.
const FINISHED = `local FINISHED = {${TERMINAL_STATUSES.map((s) => `[${JSON.stringify(storedStatus(s))}] = true`).join(', ')}}`;

/** KEYS: record, [idempotency]. ARGV: id, fields... Returns {id, 1} created, {existing id, 0} key already used, {id, -1} id taken. */
export const CREATE_JOB = new LuaScript(`
if KEYS[2] then
  local existing = redis.call('GET', KEYS[2])
  if existing then return {existing, 0} end
end
if redis.call('EXISTS', KEYS[1]) == 1 then return {ARGV[1], -1} end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
if KEYS[2] then redis.call('SET', KEYS[2], ARGV[1]) end
return {ARGV[1], 1}
`);

/** KEYS: record. ARGV: fields... Returns 1 when applied, 0 when the job is missing or finished. */
export const UPDATE_JOB = new LuaScript(`
${FINISHED}
local status = redis.call('HGET', KEYS[1], 'status')
if not status or FINISHED[status] then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV))
return 1
`);

/**
 * KEYS: record, events, token count, cancel flag. ARGV: final event, ttl s, idempotency key prefix,
 * fields... Ends the job and starts the TTL of all its keys (its idempotency key's too) in one step, so
 * no crash can leave a finished job that never expires. Returns 1 when this call finished the job, else 0.
 */
export const FINISH_JOB = new LuaScript(`
${FINISHED}
local status = redis.call('HGET', KEYS[1], 'status')
if not status or FINISHED[status] then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 4))
redis.call('XADD', KEYS[2], '*', 'event', ARGV[1])
local ttl = tonumber(ARGV[2])
for i = 1, 4 do redis.call('EXPIRE', KEYS[i], ttl) end
local idempotency = redis.call('HGET', KEYS[1], 'idempotencyKey')
if idempotency then redis.call('EXPIRE', ARGV[3] .. cjson.decode(idempotency), ttl) end
return 1
`);

/**
 * KEYS: record, events, token count. ARGV: index, event. Publishes token `index` only if it is the next
 * one: returns 1 published, 0 already published (a retry replaying), -1 job missing or finished.
 */
export const PUBLISH_TOKEN = new LuaScript(`
${FINISHED}
local status = redis.call('HGET', KEYS[1], 'status')
if not status or FINISHED[status] then return -1 end
local published = tonumber(redis.call('GET', KEYS[3]) or '0')
local index = tonumber(ARGV[1])
if index < published then return 0 end
if index > published then return redis.error_reply('token ' .. index .. ' published before token ' .. published) end
redis.call('XADD', KEYS[2], '*', 'event', ARGV[2])
redis.call('SET', KEYS[3], published + 1)
return 1
`);

/** KEYS: record, cancel flag. Returns 1 when the cancel was recorded, 0 when the job is missing or finished. */
export const REQUEST_CANCEL = new LuaScript(`
${FINISHED}
local status = redis.call('HGET', KEYS[1], 'status')
if not status or FINISHED[status] then return 0 end
redis.call('SET', KEYS[2], '1')
return 1
`);
